#!/usr/bin/env python3
"""kiln-cli production and kiln-cli log export on the virtual bench: a line of
boards through the headless station, a changed or unsigned profile refused
before any board is touched, and a station killed (SIGKILL) mid-run that loses
no committed record and reuses no serial number."""
import csv
import hashlib
import io
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import kilntest  # noqa: E402

cli = sys.argv[1]
t = kilntest.Suite("production-cli")
tmp = t.tmp
FLASH = 1024 * 1024
SERIAL_AT = 0x40000          # 0x08040000: sector 6, after the firmware
check = t.check


def env_for(sim):
    return kilntest.station_env(sim, tmp)


# The engineer's key pair; profiles are signed with minisign itself.
KEY = kilntest.engineer_key(cli, tmp)


def sign(profile):
    kilntest.minisign_sign(KEY, profile)


def setup(name, boards, firmware_size=8000, signed=True, extra_bench=""):
    d = os.path.join(tmp, name)
    os.makedirs(d)
    fw = os.urandom(firmware_size)
    with open(os.path.join(d, "widget.bin"), "wb") as f:
        f.write(fw)
    with open(os.path.join(d, "widget.kiln-profile"), "w") as f:
        f.write(f"""[profile]
name = Widget
firmware = widget.bin
sha256 = {hashlib.sha256(fw).hexdigest()}
base = 0x08000000
chip = STM32F746NG
[serial]
source = counter
address = 0x{0x08000000 + SERIAL_AT:08X}
format = W-%05u
start = 100
size = 12
""")
    if signed:
        sign(os.path.join(d, "widget.kiln-profile"))
    with open(os.path.join(d, "sim.ini"), "w") as f:
        f.write(f"[probe]\n[board]\nsequence = {boards}\nstate = boards\n{extra_bench}")
    return d, fw


def bench_boards(ini):
    """Every board the bench file's line presents: the station is told to
    stop after them (the bench's line only ends by leaving the socket empty,
    core/sim/README.md)."""
    return sum(int(n) for n in re.findall(r"^sequence = (\d+)", open(ini).read(), re.M))


def run(d, *args, **kw):
    return subprocess.run([cli, "production", os.path.join(d, "widget.kiln-profile"), "--simulator", "--trust", KEY + ".pub",
                           "--log", os.path.join(d, "station.db"), "--station", "test-line", *args,
                           *([] if "--count" in args else ["--count", str(bench_boards(os.path.join(d, "sim.ini")))])],
                          capture_output=True, text=True, env=env_for(os.path.join(d, "sim.ini")), timeout=600, **kw)


def board_flash(d, k):
    p = os.path.join(d, "boards", str(k), "flash.bin")
    return open(p, "rb").read() if os.path.exists(p) else None


def expected_flash(fw, serial):
    mem = bytearray(b"\xff" * FLASH)
    mem[:len(fw)] = fw
    field = serial.encode().ljust(12, b"\0")
    mem[SERIAL_AT:SERIAL_AT + 12] = field
    return bytes(mem)


def db_rows(d, sql):
    con = sqlite3.connect(os.path.join(d, "station.db"))
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


# 1. A line of six boards, the fourth write-protected: five PASS, one FAIL with
#    the cause, the line goes on; the export lists all six.
d, fw = setup("line", 6, extra_bench="[board.4]\nnwrp = 0xFE\n")
p = run(d, "--json")
lines = [json.loads(l) for l in p.stdout.splitlines() if l.strip()]
boards = [l for l in lines if l.get("event") == "board"]
check(p.returncode == 5, f"line: exit {p.returncode}, want 5 (a protected board)", p.stdout + p.stderr)
check(len(boards) == 6, f"line: {len(boards)} board lines, want 6", p.stdout)
check(lines and lines[-1] == {"event": "result", "ok": False, "boards": 6, "pass": 5, "fail": 1},
      f"line: result {lines[-1] if lines else None}")
for i, b in enumerate(boards):
    r = b["record"]
    want = f"W-{100 + i:05d}"
    check(r["serial_number"] == want, f"board {i + 1}: serial {r['serial_number']}, want {want}")
    if i == 3:
        check(r["result"] == "FAIL" and "Sector 0 is write-protected" in (r["cause"] or ""), f"board 4: {r}")
        check(board_flash(d, 4) == b"\xff" * FLASH, "board 4: a protected board was changed")
    else:
        check(r["result"] == "PASS", f"board {i + 1}: {r}")
        check(board_flash(d, i + 1) == expected_flash(fw, want), f"board {i + 1}: flash.bin is not firmware + {want}")
check(len({b["record"]["chip_uid"] for b in boards}) == 6, "line: UIDs are not distinct")

out = os.path.join(d, "export.csv")
e = subprocess.run([cli, "log", "export", os.path.join(d, "station.db"), "--csv", out], capture_output=True, text=True)
check(e.returncode == 0, f"log export --csv: exit {e.returncode}", e.stderr)
rows = list(csv.DictReader(open(out, newline="")))
check([r["result"] for r in rows] == ["PASS", "PASS", "PASS", "FAIL", "PASS", "PASS"], f"csv results {rows}")
check(all(r["station"] == "test-line" and r["file_name"] == "widget.bin" for r in rows), "csv station/file")
e = subprocess.run([cli, "log", "export", os.path.join(d, "station.db"), "--jsonl"], capture_output=True, text=True)
jl = [json.loads(l) for l in e.stdout.splitlines()]
check(e.returncode == 0 and [j["serial_number"] for j in jl] == [r["serial_number"] for r in rows],
      "jsonl export differs from csv", e.stdout + e.stderr)
e = subprocess.run([cli, "log", "export", os.path.join(d, "station.db")], capture_output=True, text=True)
check(e.returncode == 2, f"log export without a format: exit {e.returncode}, want 2")
e = subprocess.run([cli, "log", "export", os.path.join(d, "missing.db"), "--csv"], capture_output=True, text=True)
check(e.returncode == 2 and not os.path.exists(os.path.join(d, "missing.db")), "log export of a missing db")

# 2. The pinned file changed: refused before any board, nothing recorded.
d, fw = setup("changed", 3)
with open(os.path.join(d, "widget.bin"), "r+b") as f:
    f.seek(10)
    f.write(bytes([fw[10] ^ 0x40]))
p = run(d)
check(p.returncode == 2 and "has changed since the profile was signed" in p.stderr, f"changed: exit {p.returncode}",
      p.stdout + p.stderr)
check(board_flash(d, 1) is None or board_flash(d, 1) == b"\xff" * FLASH, "changed: a board was programmed")

# 2b. A record that cannot be opened: nothing is programmed without it.
d, fw = setup("nodb", 2)
os.makedirs(os.path.join(d, "station.db"))
p = run(d)
check(p.returncode == 1 and "The record database" in p.stderr and board_flash(d, 1) is None,
      f"record not writable: exit {p.returncode}", p.stdout + p.stderr)

# 3. Signed profiles. Unsigned, or signed by a key the station does not trust
#    (even with the old "locked = true"): not run.
d, fw = setup("unsigned", 3, signed=False)
prof = os.path.join(d, "widget.kiln-profile")
open(prof, "a").write("[profile]\nlocked = true\n")
p = run(d)
check(p.returncode == 2 and "is not signed" in p.stderr and "kiln-cli profile sign" in p.stderr
      and board_flash(d, 1) is None, f"unsigned: exit {p.returncode}", p.stderr)
subprocess.run([cli, "profile", "keygen", os.path.join(d, "stranger")], check=True, capture_output=True)
e = subprocess.run([cli, "profile", "sign", prof, "--secret-key", os.path.join(d, "stranger.key")],
                   capture_output=True, text=True)
check(e.returncode == 0, f"sign with a stranger's key: exit {e.returncode}", e.stdout + e.stderr)
p = run(d)
check(p.returncode == 2 and "which this station does not trust" in p.stderr and board_flash(d, 1) is None,
      f"untrusted: exit {p.returncode}", p.stderr)

# 3b. The engineer signs with kiln-cli (pinning the file as it is); minisign
#     checks the signature; a setting changed afterwards (the old attack:
#     verify = false) is refused naming it; a changed firmware is refused;
#     --pin signs the new one.
d, fw = setup("engineer", 2, signed=False)
prof = os.path.join(d, "widget.kiln-profile")
text = open(prof).read()
open(prof, "w").write("\n".join(l for l in text.splitlines() if not l.startswith("sha256")) + "\n")
e = subprocess.run([cli, "profile", "sign", prof, "--secret-key", KEY + ".key"], capture_output=True, text=True)
check(e.returncode == 0 and f"sha256={hashlib.sha256(fw).hexdigest()}" in open(prof).read()
      and "locked" not in open(prof).read() and os.path.exists(prof + ".minisig"),
      f"profile sign: exit {e.returncode}", e.stdout + e.stderr)
m = subprocess.run(["minisign", "-V", "-p", KEY + ".pub", "-m", prof], capture_output=True, text=True)
check(m.returncode == 0 and "profile.sha256=" + hashlib.sha256(fw).hexdigest() in m.stdout,
      f"minisign -V of Kiln's signature: exit {m.returncode}", m.stdout + m.stderr)
p = run(d, "--count", "1")
check(p.returncode == 0 and "PASS" in p.stdout, f"signed by kiln-cli profile: exit {p.returncode}", p.stdout + p.stderr)
signed_text = open(prof).read()
open(prof, "w").write(signed_text.replace("verify=true", "verify=false"))
p = run(d, "--count", "1")
check(p.returncode == 2 and "was changed after it was signed" in p.stderr
      and "profile.verify was true when signed, is now false" in p.stderr and board_flash(d, 2) is None,
      f"changed setting: exit {p.returncode}", p.stderr)
e = subprocess.run([cli, "profile", "check", prof, "--trust", KEY + ".pub"], capture_output=True, text=True)
check(e.returncode == 2 and "profile.verify" in e.stderr, "profile check names the change", e.stderr)
open(prof, "w").write(signed_text)
with open(os.path.join(d, "widget.bin"), "ab") as f:
    f.write(b"more")
p = run(d, "--count", "1")
check(p.returncode == 2 and "widget.bin has changed since the profile was signed" in p.stderr
      and board_flash(d, 2) is None, f"changed firmware: exit {p.returncode}", p.stderr)
e = subprocess.run([cli, "profile", "sign", prof, "--secret-key", KEY + ".key"], capture_output=True, text=True)
check(e.returncode == 2 and "has changed" in e.stderr and "--pin" in e.stderr, f"sign a changed file: {e.returncode}",
      e.stderr)
e = subprocess.run([cli, "profile", "sign", "--pin", prof, "--secret-key", KEY + ".key"], capture_output=True, text=True)
check(e.returncode == 0, "sign --pin", e.stdout + e.stderr)
p = run(d, "--count", "1")
check(p.returncode == 0 and "PASS" in p.stdout, f"re-signed: exit {p.returncode}", p.stdout + p.stderr)
# A signature made by minisign with a key minisign made (without a password)
# is accepted from the station's trusted-keys folder.
os.makedirs(os.path.join(tmp, "config", "kiln", "trusted-keys"), exist_ok=True)
g = subprocess.run(["minisign", "-G", "-W", "-p", os.path.join(tmp, "config", "kiln", "trusted-keys", "ms.pub"),
                    "-s", os.path.join(d, "ms.key")], capture_output=True, text=True, stdin=subprocess.DEVNULL)
check(g.returncode == 0, "minisign -G -W", g.stdout + g.stderr)
subprocess.run(["minisign", "-S", "-s", os.path.join(d, "ms.key"), "-m", prof], check=True, capture_output=True,
               stdin=subprocess.DEVNULL)
p = subprocess.run([cli, "production", prof, "--simulator", "--log", os.path.join(d, "station.db"), "--count", "1"],
                   capture_output=True, text=True, env=env_for(os.path.join(d, "sim.ini")), timeout=600)
check(p.returncode == 0 and "PASS" in p.stdout, f"minisign's signature, key in the folder: exit {p.returncode}",
      p.stdout + p.stderr)
e = subprocess.run([cli, "profile", "lock", prof], capture_output=True, text=True)
check(e.returncode == 2 and "kiln-cli profile sign" in e.stderr, "profile lock points to sign", e.stderr)

# 3c. Four probes, three boards each: one slot per probe, in parallel; twelve
#     consecutive numbers, each board's flash right.
d, fw = setup("gang", 3)
with open(os.path.join(d, "sim.ini"), "w") as f:
    for i in range(1, 5):
        f.write(f"[probe {i}]\nmodel = stlink-v3\n[board {i}]\nsequence = 3\nstate = boards{i}\nuid2 = 0x{i:02X}000000\n")
t0 = time.monotonic()
p = run(d, "--json")
wall = time.monotonic() - t0
recs = [json.loads(l)["record"] for l in p.stdout.splitlines() if '"event":"board"' in l]
check(p.returncode == 0 and len(recs) == 12 and all(r["result"] == "PASS" for r in recs),
      f"gang: exit {p.returncode}, {len(recs)} boards", p.stdout + p.stderr)
check(sorted(r["serial_number"] for r in recs) == [f"W-{n:05d}" for n in range(100, 112)], "gang: serial numbers")
check(len({r["probe_serial"] for r in recs}) == 4 and len({r["chip_uid"] for r in recs}) == 12, "gang: probes/UIDs")
for i in range(1, 5):
    for k in range(1, 4):
        uid_word = f"{i:02X}0000{k - 1:02X}"
        r = [r for r in recs if r["chip_uid"].startswith(uid_word)]
        path = os.path.join(d, f"boards{i}", str(k), "flash.bin")
        check(len(r) == 1 and open(path, "rb").read() == expected_flash(fw, r[0]["serial_number"]),
              f"gang: probe {i} board {k} ({uid_word}) flash.bin")
print(f"# four probes, twelve boards: {wall:.2f} s wall time", file=sys.stderr)

# 3d. Two station processes sharing one record: the numbers stay unique and
#     consecutive (each allocation is one IMMEDIATE transaction).
d, fw = setup("shared", 6)
with open(os.path.join(d, "sim2.ini"), "w") as f:
    f.write("[probe]\nserial = 0671FF3833354B5043149999\n[board]\nsequence = 6\nstate = boards2\nuid1 = 0x11111111\n")
procs = []
for ini in ("sim.ini", "sim2.ini"):
    procs.append(subprocess.Popen([cli, "production", os.path.join(d, "widget.kiln-profile"), "--simulator", "--trust", KEY + ".pub", "--json",
                                   "--log", os.path.join(d, "station.db"), "--count", "6"],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                  env=env_for(os.path.join(d, ini))))
outs = [p.communicate(timeout=300) for p in procs]
check(all(p.returncode == 0 for p in procs), f"shared record: exits {[p.returncode for p in procs]}",
      "".join(e for p, (o, e) in zip(procs, outs) if p.returncode != 0))
values = sorted(v for (v,) in db_rows(d, "SELECT serial_number FROM records"))
check(values == [f"W-{n:05d}" for n in range(100, 112)], f"shared record: numbers {values}")

# 4. SIGKILL mid-run. The bench holds the probe in the middle of the third
#    board's programming ([bench] hold, core/sim/README.md): its serial number
#    has been allocated and it has no record yet. The station is killed
#    there, on any machine and under any load.
d, fw = setup("kill", 80, firmware_size=200 * 1024)
UNITS = 200 * 1024 // 4           # program operations per board at x32
landed_mid_job = False
printed = {}        # record id -> (uid, serial) as the station printed them
sim_plain = open(os.path.join(d, "sim.ini")).read()
for attempt, point in enumerate((2 * UNITS + UNITS // 2,)):
    hold = os.path.join(d, f"kill-{attempt}.held")
    with open(os.path.join(d, "sim.ini"), "w") as f:
        f.write(sim_plain + "[bench]\n" + kilntest.hold_bench_lines(f"program:{point}", hold, real_time="false") + "\n")
    out_path = os.path.join(d, f"kill-{attempt}.out")
    with open(out_path, "w") as out, open(out_path + ".err", "w") as err:
        proc = subprocess.Popen([cli, "production", os.path.join(d, "widget.kiln-profile"), "--simulator", "--trust", KEY + ".pub", "--json",
                                 "--log", os.path.join(d, "station.db"), "--station", "test-line"],
                                stdout=out, stderr=err, env=env_for(os.path.join(d, "sim.ini")))
        held = kilntest.wait_for_file(hold, proc)
        check(held, f"kill {attempt}: the station ended before the bench held it at program:{point}",
              open(out_path + ".err").read())
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    if os.path.exists(hold):
        os.unlink(hold)
    with open(os.path.join(d, "sim.ini"), "w") as f:
        f.write(sim_plain)
    for line in open(out_path):
        ev = json.loads(line)
        if ev.get("event") == "board":
            r = ev["record"]
            printed[r["id"]] = (r["chip_uid"], r["serial_number"], r["result"])
    check(len(printed) == 2, f"kill {attempt}: {len(printed)} boards printed before the hold, want 2")

    # Every record the station printed is in the database, unchanged.
    recs = {r[0]: (r[1], r[2], r[3]) for r in db_rows(d, "SELECT id, chip_uid, serial_number, result FROM records")}
    for rid, val in printed.items():
        check(recs.get(rid) == val, f"kill {attempt}: printed record {rid} {val} is {recs.get(rid)} in the database")
    # Serial numbers: one per UID, one UID per number, no gap.
    serials = db_rows(d, "SELECT number, value, chip_uid, record_id FROM serials WHERE series = 'W-%05u'")
    numbers = sorted(s[0] for s in serials)
    check(numbers == list(range(100, 100 + len(numbers))), f"kill {attempt}: serial numbers with a gap: {numbers}")
    check(len({s[1] for s in serials}) == len(serials) and len({s[2] for s in serials}) == len(serials),
          f"kill {attempt}: a serial number or a UID appears twice: {serials}")
    for s in serials:
        check(f"W-{s[0]:05d}" == s[1], f"kill {attempt}: number {s[0]} recorded as {s[1]}")
    # Each record's serial is the one allocated to its UID.
    by_uid = {s[2]: s[1] for s in serials}
    for rid, (uid, sn, res) in recs.items():
        check(sn is None or by_uid.get(uid) == sn, f"kill {attempt}: record {rid} has {sn} but {uid} was given "
              f"{by_uid.get(uid)}")
    in_flight = [s for s in serials if s[3] is None]
    if in_flight:
        landed_mid_job = True
        e = subprocess.run([cli, "log", "export", os.path.join(d, "station.db"), "--serials", "--jsonl"],
                           capture_output=True, text=True)
        sj = [json.loads(l) for l in e.stdout.splitlines()]
        check([j for j in sj if j["result"] is None and j["record_id"] is None]
              == [j for j in sj if j["value"] == in_flight[0][1]], f"kill: the interrupted number in the export: {sj}")
        print(f"# kill {attempt} (at program:{point}) landed mid-job: {in_flight[0][1]} allocated to "
              f"{in_flight[0][2]}, no record yet", file=sys.stderr)
        break
check(landed_mid_job, "no kill landed between a serial's allocation and the board's record")

# The station comes back: the boards are presented again from the first; each
# keeps its number (the interrupted one too), new boards continue the count.
before = {s[2]: s[1] for s in db_rows(d, "SELECT number, value, chip_uid FROM serials")}
n_before = len(before)
p = run(d, "--json", "--count", str(n_before + 2))
check(p.returncode == 0, f"rerun: exit {p.returncode}", p.stdout + p.stderr)
after = db_rows(d, "SELECT number, value, chip_uid, record_id FROM serials ORDER BY number")
for uid, sn in before.items():
    check(any(a[2] == uid and a[1] == sn for a in after), f"rerun: {uid} lost its number {sn}")
check([a[0] for a in after] == list(range(100, 100 + n_before + 2)), f"rerun: numbers {[a[0] for a in after]}")
check(all(a[3] is not None for a in after), "rerun: a serial number without a record")
e = subprocess.run([cli, "log", "export", os.path.join(d, "station.db"), "--serials", "--jsonl"], capture_output=True,
                   text=True)
sj = [json.loads(l) for l in e.stdout.splitlines()]
check(e.returncode == 0 and [j["number"] for j in sj] == [a[0] for a in after]
      and all(j["result"] in ("PASS", "FAIL") and isinstance(j["record_id"], int) for j in sj),
      "log export --serials --jsonl", e.stdout + e.stderr)
e = subprocess.run([cli, "log", "export", os.path.join(d, "station.db"), "--serials", "--csv"], capture_output=True,
                   text=True)
sc = list(csv.DictReader(io.StringIO(e.stdout, newline="")))
check(e.returncode == 0 and [r["value"] for r in sc] == [j["value"] for j in sj], "log export --serials --csv")
check(len({a[1] for a in after}) == len(after), "rerun: a serial number given twice")
for k in range(1, n_before + 3):
    check(board_flash(d, k) == expected_flash(fw, f"W-{99 + k:05d}"), f"rerun: board {k} flash.bin")

# 5. Ctrl-C (SIGINT): the board in progress is finished and recorded, no new
#    board starts, exit code 7, every number has its record.
d, fw = setup("sigint", 10, firmware_size=200 * 1024)
hold = os.path.join(d, "sigint.held")
with open(os.path.join(d, "sim.ini"), "a") as f:
    f.write("[bench]\n" + kilntest.hold_bench_lines(f"program:{2 * UNITS + UNITS // 2}", hold) + "\n")
rc, out, err, held = kilntest.interrupt_at_hold(
    [cli, "production", os.path.join(d, "widget.kiln-profile"), "--simulator", "--trust", KEY + ".pub", "--json",
     "--log", os.path.join(d, "station.db")], env_for(os.path.join(d, "sim.ini")), hold, signal.SIGINT)
check(held, "SIGINT: the station ended before the bench held it in the third board", err)
check(rc == 7, f"SIGINT: exit {rc}, want 7", out + err)
res = [json.loads(l) for l in out.splitlines() if '"event":"result"' in l]
check(len(res) == 1 and res[0]["ok"] is False, f"SIGINT: result {res}", out)
serials = db_rows(d, "SELECT value, record_id FROM serials")
check(all(r[1] is not None for r in serials), f"SIGINT: a number without a record: {serials}")
recs = db_rows(d, "SELECT result, cause FROM records")
check(len(recs) == 3 and all(r[0] == "PASS" for r in recs), f"SIGINT: {len(recs)} records, want 3 (two, and the one in progress finished)", str(recs))

# 6. --wait-for=enter: a board per line on standard input (a foot switch);
#    the end of the input ends the line.
d, fw = setup("enter", 5)
proc = subprocess.Popen([cli, "production", os.path.join(d, "widget.kiln-profile"), "--simulator", "--trust", KEY + ".pub",
                         "--log", os.path.join(d, "station.db"), "--wait-for=enter"],
                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                        env=env_for(os.path.join(d, "sim.ini")))
prompts = 0
lines = []
for line in proc.stdout:
    lines.append(line)
    if "press Enter" in line:
        prompts += 1
        if prompts <= 3:
            if prompts > 1:
                # The operator's swap: the bench's line takes the board away
                # and brings the next (remove-after + arrive-after, 0.5 s of
                # the board's time, which the host's wait counts in).
                time.sleep(1.0)
            proc.stdin.write("\n")
            proc.stdin.flush()
        else:
            proc.stdin.close()
rest = proc.stdout.read()
err = proc.stderr.read()
proc.wait(timeout=120)
out = "".join(lines) + rest
check(proc.returncode == 0 and out.count("PASS  slot 1") == 3 and "3 boards: 3 PASS, 0 FAIL" in out,
      f"--wait-for=enter: exit {proc.returncode}", out + err)
for k in range(1, 4):
    check(board_flash(d, k) == expected_flash(fw, f"W-{99 + k:05d}"), f"--wait-for=enter: board {k} flash.bin")
check(board_flash(d, 4) is None, "--wait-for=enter: a fourth board was programmed")

# 7. An F4 line: an STM32F407VG profile with the serial number in the F4's
#    OTP (0x1FFF7800, 16 blocks of 32 bytes): two boards PASS, each holds the
#    firmware in flash and its own number in OTP block 0.
d = os.path.join(tmp, "f4")
os.makedirs(d)
fw = os.urandom(20000)
open(os.path.join(d, "widget.bin"), "wb").write(fw)
with open(os.path.join(d, "widget.kiln-profile"), "w") as f:
    f.write(f"""[profile]
name = Widget F4
firmware = widget.bin
sha256 = {hashlib.sha256(fw).hexdigest()}
base = 0x08000000
chip = STM32F407VG
[serial]
source = counter
address = 0x1FFF7800
format = F4-%05u
start = 7
size = 12
""")
sign(os.path.join(d, "widget.kiln-profile"))
with open(os.path.join(d, "sim.ini"), "w") as f:
    f.write("[probe]\n[board]\nchip = STM32F407VG\nsequence = 2\nstate = boards\n")
p = run(d)
check(p.returncode == 0 and "2 boards: 2 PASS, 0 FAIL" in p.stdout, f"F4 line: exit {p.returncode}", p.stdout + p.stderr)
for k in range(1, 3):
    mem = board_flash(d, k)
    check(mem == fw + b"\xff" * (FLASH - len(fw)), f"F4 line: board {k} flash.bin is not the firmware")
    otp = open(os.path.join(d, "boards", str(k), "otp.bin"), "rb").read()
    want = f"F4-{6 + k:05d}".encode().ljust(12, b"\0")
    check(len(otp) == 528 and otp[:12] == want and otp[12:] == b"\xff" * 516, f"F4 line: board {k} OTP {otp[:16]!r}")

t.finish()
