#!/usr/bin/env python3
"""kiln-cli as its users see it (issue 6 review): the live progress on a real
terminal (each phase ends drawn complete, messages never break the bar, no
line wider than the terminal, one summary), --json results for every failure
(bad file, no probe, bad argument), the dry run, an image with nothing for
the flash, exit codes, plurals and the hints the command line adds."""
import fcntl
import json
import os
import pty
import re
import struct
import subprocess
import sys
import termios

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import kilntest  # noqa: E402

cli, fixtures = sys.argv[1], os.path.abspath(sys.argv[2])
t = kilntest.Suite("cli-review")
tmp = t.tmp
blinky = os.path.join(fixtures, "blinky.elf")
check, bench, env_for = t.check, t.bench, kilntest.env_for


def run(args, sim=None):
    p = subprocess.run([cli, *args], capture_output=True, text=True, env=env_for(sim), timeout=300)
    return p.returncode, p.stdout, p.stderr


def run_tty(args, sim=None, columns=80):
    """stderr on a pseudo-terminal of @columns; returns (rc, stdout, raw terminal bytes)."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
    p = subprocess.Popen([cli, *args], stdout=subprocess.PIPE, stderr=slave, env=env_for(sim))
    os.close(slave)
    raw = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        raw += chunk
    out = p.stdout.read().decode()
    rc = p.wait(timeout=300)
    os.close(master)
    return rc, out, raw.decode("utf-8", "replace")


def run_tty_interrupted(args, sim, hold_file, columns=80, signum=None):
    """As run_tty, with Ctrl-C (SIGINT, or @signum) when the bench holds the
    probe at its hold point (@hold_file appears), released right after: the
    signal lands mid-job on any machine. The terminal is drained meanwhile."""
    import select
    import signal
    signum = signum or signal.SIGINT
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
    p = subprocess.Popen([cli, *args], stdout=subprocess.DEVNULL, stderr=slave, env=env_for(sim))
    os.close(slave)
    raw = b""
    signalled = False
    while True:
        if not signalled and os.path.exists(hold_file):
            p.send_signal(signum)
            os.unlink(hold_file)
            signalled = True
        ready, _, _ = select.select([master], [], [], 0.005)
        if not ready:
            continue
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        raw += chunk
    rc = p.wait(timeout=300)
    os.close(master)
    check(signalled, f"{args[0]}: the job ended before the bench held it", raw.decode("utf-8", "replace"))
    return rc, raw.decode("utf-8", "replace")


def hold_lines(name):
    """Bench lines holding the probe once programming has begun."""
    path = os.path.join(tmp, name + ".held")
    return path, ["[bench]", kilntest.hold_bench_lines("program:4096", path)]


def screen(raw):
    """What stays on the terminal: replays CR, LF and erase-line."""
    lines, col, i = [""], 0, 0
    raw = raw.replace("\r\n", "\n")
    while i < len(raw):
        if raw.startswith("\x1b[K", i):
            lines[-1] = lines[-1][:col]
            i += 3
            continue
        c = raw[i]
        if c == "\r":
            col = 0
        elif c == "\n":
            lines.append("")
            col = 0
        else:
            line = lines[-1]
            lines[-1] = line[:col] + c + line[col + 1:]
            col += 1
        i += 1
    return [l for l in lines if l]


def drawn_lines(raw):
    """Every state the live line went through."""
    return [piece.replace("\x1b[K", "") for piece in raw.replace("\r\n", "\n").replace("\n", "\r").split("\r")]


big = os.path.join(tmp, "big.bin")
with open(big, "wb") as f:
    f.write(bytes((i * 7 + (i >> 9)) & 0xFF for i in range(640 * 1024)))

# 1. A terminal: every phase ends drawn complete, one line each, nothing wider than it.
#    The bench runs in real time so that the live line is redrawn while the job
#    runs (with the rate and the time left) however fast this machine is.
d, sim = bench("tty", "[bench]", "real-time = true")
rc, out, raw = run_tty(["flash", "--simulator", "--base", "0x08000000", big], sim)
shown = screen(raw)
text = "\n".join(shown)
check(rc == 0, f"tty flash: exit {rc}", text)
for phase in ("Connecting", "Comparing", "Writing", "Verifying", "Resetting"):
    lines = [l for l in shown if l.startswith(phase)]
    check(len(lines) == 1, f"tty: {phase} should stay on the terminal once, not {len(lines)} times", text)
writing = [l for l in shown if l.startswith("Writing")]
check(writing and " / " not in writing[0] and "640 KiB" in writing[0] and "-]" not in writing[0],
      "tty: the Writing line should end complete (640 KiB, full bar), not at its last update", text)
verifying = [l for l in shown if l.startswith("Verifying")]
check(verifying and "0 bytes" not in verifying[0], "tty: the Verifying line should not stay at 0 bytes", text)
check(not any("Programmed and verified" in l for l in shown),
      "tty: the job's closing words should not repeat the command's summary", text)
check(out.count("sectors written (") == 1 and out.count("erased first") == 1, "tty: one summary on stdout", out)
wide = [l for l in drawn_lines(raw) if len(l) > 79 and ("[" in l or " / " in l)]
check(not wide, "tty: a live line wider than the 80-column terminal would wrap", "\n".join(wide))
check(any("KiB/s" in l and "left" in l for l in drawn_lines(raw)),
      "tty: the live line shows the rate and the time left", raw)

# 1b. A narrow terminal: live lines are cut, never wrapped.
d, sim = bench("narrow")
rc, out, raw = run_tty(["flash", "--simulator", "--base", "0x08000000", big], sim, columns=40)
phases = ("Connecting", "Checking", "Comparing", "Writing", "Verifying", "Resetting")
wide = [l for l in drawn_lines(raw) if l.startswith(phases) and len(l) > 39]
check(rc == 0 and not wide, f"40 columns: exit {rc}; live lines wider than the terminal", "\n".join(wide))
check(any(l.startswith("Writing ") and "KiB" in l for l in screen(raw)), "40 columns: Writing still shows its bytes",
      "\n".join(screen(raw)))

# 2. A link lost while writing: the Writing line stays where it stopped, and the
#    message says which sector may be half-written.
d, sim = bench("unplug", "[faults]", "usb-disconnect-after-ms = 600")
rc, out, raw = run_tty(["flash", "--simulator", "--base", "0x08000000", big], sim)
shown = screen(raw)
text = "\n".join(shown)
check(rc == 4, f"unplugged: exit {rc}, want 4", text)
check(any(l.startswith("Writing") and " / " in l for l in shown),
      "unplugged: the Writing line should show how far it got", text)
check(any("was being erased or written" in l or "were being erased or written" in l for l in shown),
      "unplugged: the message should name the sector left half-written", text)

# 2a. Power lost in the middle of an erase: the sector it was erasing is named.
d, sim = bench("erase-power", "[faults]", "power-loss-after-ms = 1000")
rc, out, err = run(["erase", "--simulator", "--sectors", "0-5"], sim)
check(rc == 4 and re.search(r"Sector [0-5] was being erased or written", err) is not None,
      f"erase, power lost: exit {rc}; the sector it was erasing is named", err)
d, sim = bench("weak", "[faults]", "weak-words = 0x08000010")
rc, out, err = run(["flash", "--simulator", blinky], sim)
check(rc == 6 and "Verification failed" in err and "being erased or written" not in err,
      f"a verify failure is not a half-written sector: exit {rc}", err)

# 2b. Ctrl-C while writing: the Writing line does not claim every byte.
held, lines = hold_lines("ctrl-c")
d, sim = bench("ctrl-c", *lines)
rc, raw = run_tty_interrupted(["flash", "--simulator", "--base", "0x08000000", big], sim, held)
shown = screen(raw)
text = "\n".join(shown)
writing = [l for l in shown if l.startswith("Writing")]
check(rc == 7 and "Cancelled" in text, f"Ctrl-C: exit {rc}, want 7", text)
check(re.search(r"Sectors \d+ ", text) is None and re.search(r"Sector \d+,", text) is None,
      "Ctrl-C: one sector is 'Sector N', several are 'Sectors N,M'", text)
check(not writing or " / " in writing[0] or "done in" in writing[0],
      "Ctrl-C: the Writing line should show how far it got, not a full bar", text)

# 2c. SIGTERM (a CI job's timeout) and SIGHUP cancel as cleanly as Ctrl-C.
import signal as _signal
for signum in (_signal.SIGTERM, _signal.SIGHUP):
    held, lines = hold_lines(f"sig{int(signum)}")
    d, sim = bench(f"sig{int(signum)}", *lines)
    rc, raw = run_tty_interrupted(["flash", "--simulator", "--base", "0x08000000", big], sim, held, signum=signum)
    check(rc == 7 and "Cancelled" in raw and "locked" in raw, f"signal {signum}: exit {rc}, want 7", raw[-800:])

# 3. --json: nothing but JSON lines on stdout, and a result for every failure.
def json_lines(out):
    objs = []
    for line in out.splitlines():
        try:
            objs.append(json.loads(line))
        except ValueError:
            return None
    return objs


bad_hex = os.path.join(tmp, "bad.hex")
with open(os.path.join(fixtures, "blinky.hex")) as f:
    rows = f.read().splitlines()
rows[5] = rows[5][:-2] + ("00" if rows[5][-2:] != "00" else "01")
with open(bad_hex, "w") as f:
    f.write("\n".join(rows) + "\n")
cases = [
    (["flash", "--simulator", "--json", bad_hex], None, 2, "checksum"),
    (["verify", "--simulator", "--json", bad_hex], None, 2, "checksum"),
    (["flash", "--json", blinky], None, 3, "No ST-LINK"),
    (["flash", "--simulator", "--json", "--freq", "0", blinky], None, 2, "--freq"),
    (["erase", "--simulator", "--json"], None, 2, "--sectors"),
    (["read", "--simulator", "--json", "0x08000000", "zz", os.path.join(tmp, "r.bin")], None, 2, "length"),
    (["option-bytes", "set", "--json"], None, 2, "KEY=VALUE"),
    (["flash", "--simulator", "--json", blinky], bench("wrp-json", "nwrp = 0xFE")[1], 5, "write-protected"),
    (["info", "--json"], None, 3, "No ST-LINK"),
]
for args, sim, want, words in cases:
    rc, out, err = run(args, sim)
    objs = json_lines(out)
    check(objs is not None, f"{args}: stdout is not only JSON lines", out)
    result = objs[-1] if objs else {}
    check(rc == want and result.get("event") == "result" and result.get("ok") is False
          and result.get("exit_code") == want and words in result.get("error", ""),
          f"{args}: exit {rc} (want {want}) and a JSON result with exit_code and the error", out + err)
    check(words in err, f"{args}: the message is on stderr too", err)

# 3b. --json events come in the order they happened: a sector is written in
#     the program phase, not after the verify phase began, and each phase's
#     last progress event has the bytes it ended with (not those of the next).
d, sim = bench("order")
rc, out, err = run(["flash", "--simulator", "--json", "--base", "0x08000000", big], sim)
objs = json_lines(out) or []
phase = None
last = {}
for o in objs:
    if o.get("event") == "phase":
        phase = o["phase"]
    elif o.get("event") == "sector" and o["state"] in ("erasing", "writing"):
        check(phase == "program", f"--json: sector {o['sector']} {o['state']} reported in phase {phase}", out)
    elif o.get("event") == "sector" and o["state"] in ("verifying", "verified"):
        check(phase == "verify", f"--json: sector {o['sector']} {o['state']} reported in phase {phase}", out)
    elif o.get("event") == "progress":
        last[o["phase"]] = o
for name in ("program", "verify"):
    p = last.get(name, {})
    check(p.get("total", 0) > 0 and p.get("done", 0) > 0,
          f"--json: the last progress event of {name} should carry the bytes it ended with, not {p}", out)

# 4. --freq 0 names --freq, not the file.
rc, out, err = run(["flash", "--simulator", "--freq", "0", blinky])
check(rc == 2 and "--freq" in err and "firmware file" not in err, f"--freq 0: exit {rc}", err)

# 5. The dry run says so, in words and in JSON, and changes nothing.
d, sim = bench("dry")
rc, out, err = run(["flash", "--simulator", "--dry-run", blinky], sim)
check(rc == 0 and "dry run" in out and "nothing was erased or written" in out, f"dry run: exit {rc}", out + err)
check("1 sector will be erased and written" in err, "dry run: the plan is shown", err)
rc, out, err = run(["flash", "--simulator", "--dry-run", "--json", blinky], sim)
objs = json_lines(out) or [{}]
check(rc == 0 and objs[-1].get("dry_run") is True, "dry run --json: the result says dry_run", out)
with open(os.path.join(d, "state", "flash.bin"), "rb") as f:
    check(f.read(32768) == b"\xff" * 32768, "dry run changed the flash")

# 6. A file with nothing for the flash is not "already there".
d, sim = bench("ram")
rc, out, err = run(["flash", "--simulator", "--base", "0x20010000", os.path.join(fixtures, "blinky.bin")], sim)
check("already holds" not in out + err and "nothing for the flash" in out,
      f"RAM-only image: exit {rc}; it should say the file has nothing for the flash", out + err)

# 7. Plurals: one sector is "sector", not "sectors".
d, sim = bench("ob")
rc, out, err = run(["option-bytes", "set", "--simulator", "wrp=1"], sim)
check("Sector 1 becomes write-protected" in out and "Sectors 1 " not in out, "option bytes: plural of one sector", out)
d, sim = bench("mass-wrp", "nwrp = 0xFE")
rc, out, err = run(["erase", "--simulator", "--mass"], sim)
check(rc == 5 and "while sector 0 is write-protected" in err, f"mass erase with sector 0 protected: exit {rc}", err)
rc, out, err = run(["erase", "--simulator", "--sectors", "0"], sim)
check(rc == 5 and "Sector 0 is write-protected" in err, f"erase of protected sector 0: exit {rc}", err)

# 8. A supply too low to program is a power problem (exit 4), not a flash failure.
d, sim = bench("lowv", "voltage = 1.7")
rc, out, err = run(["flash", "--simulator", blinky], sim)
check(rc == 4 and "too low" in err, f"flash at 1.7 V: exit {rc}, want 4", err)

# 9. Firmware that turns SWD off: the command line names its flag.
d, sim = bench("swd", f"flash-image = {blinky}", "[faults]", "swd-disabled-by-firmware = true")
rc, out, err = run(["info", "--simulator"], sim)
check(rc == 4 and "--connect-under-reset" in err, f"info, SWD off: exit {rc}; the hint names --connect-under-reset", err)
check("does not answer on SWD" in err and err.count("does not answer") == 1,
      "SWD off: the message says once that the target does not answer", err)
rc, out, err = run(["info", "--simulator", "--connect-under-reset"], sim)
check(rc == 0, f"info --connect-under-reset, SWD off: exit {rc}", err)
rc, out, err = run(["flash", "--simulator", blinky], sim)
check(rc == 4 and "--connect-under-reset" in err, f"flash, SWD off: exit {rc}; the hint names --connect-under-reset", err)

# 10. Not a terminal: the job's closing words are not repeated before the summary.
d, sim = bench("pipe")
rc, out, err = run(["flash", "--simulator", blinky], sim)
check(rc == 0 and "Programmed and verified" not in err and out.count(" written (") == 1,
      "pipe: one summary", out + err)

# 11. info lines up its values in one column.
rc, out, err = run(["info", "--simulator"])
cols = {line.index(":") + 1 + (len(line[line.index(":") + 1:]) - len(line[line.index(":") + 1:].lstrip()))
        for line in out.splitlines() if ":" in line}
check(rc == 0 and len(cols) == 1, f"info: the values should start in one column, not {sorted(cols)}", out)

# 12. A serial that is not attached: the error lists those that are.
two = os.path.join(tmp, "two.ini")
with open(two, "w") as f:
    f.write("[probe 1]\nserial=AAAA1111\n[board 1]\n[probe 2]\nserial=BBBB2222\n[board 2]\n")
rc, out, err = run(["info", "--simulator", "--probe", "CCCC3333"], two)
check(rc == 3 and "AAAA1111" in err and "BBBB2222" in err, f"unknown --probe: exit {rc}; the probes attached are listed", err)

# 13. A KILN_SIM that cannot be read: the message names the variable and the file.
missing = os.path.join(tmp, "no-such-bench.ini")
rc, out, err = run(["list", "--simulator"], missing)
check(rc == 2 and "KILN_SIM" in err and "no-such-bench.ini" in err, f"KILN_SIM missing: exit {rc}", err)

# 14. read into a folder is refused before the target is touched.
rc, out, err = run(["read", "--simulator", "0x08000000", "1K", tmp])
check(rc == 2 and "is a folder" in err and "Reading" not in err, f"read into a folder: exit {rc}", err)

# 15. -v names sector states in words (the ids are for --json), and erase's in its own.
rc, out, err = run(["flash", "--simulator", "-v", blinky])
check(rc == 0 and "Sector 0: Verified" in err and "sector 0: verified" not in err, f"flash -v: exit {rc}", err)
rc, out, err = run(["erase", "--simulator", "-v", "--sectors", "2"])
check(rc == 0 and "Sector 2: Will be erased\n" in err and "Sector 2: Erased" in err and "written" not in err,
      f"erase -v: exit {rc}", err)

# 16. inspect: one byte in RAM is "1 byte ... is", not "1 bytes ... are".
def hex_record(kind, address, data):
    body = bytes([len(data), (address >> 8) & 0xFF, address & 0xFF, kind]) + data
    return ":" + body.hex().upper() + "%02X" % ((-sum(body)) & 0xFF)


one = os.path.join(tmp, "one-ram-byte.hex")
with open(one, "w") as f:
    f.write("\n".join([hex_record(4, 0, b"\x08\x00"), hex_record(0, 0, bytes(range(16))),
                       hex_record(4, 0, b"\x20\x01"), hex_record(0, 0, b"\x42"), hex_record(1, 0, b"")]) + "\n")
rc, out, err = run(["inspect", one])
check(rc == 0 and "Not programmed: 1 byte at 0x20010000" in out and " is in RAM" in out,
      f"inspect, one byte in RAM: exit {rc}", out + err)

# 17. A reader that stops reading (| head -1) does not kill a job half-way.
d, sim = bench("pipe-closed")
p = subprocess.Popen([cli, "flash", "--simulator", "--json", "--base", "0x08000000", big], stdout=subprocess.PIPE,
                     stderr=subprocess.DEVNULL, env=env_for(sim))
p.stdout.readline()
p.stdout.close()
rc = p.wait(timeout=300)
with open(big, "rb") as f:
    image = f.read()
state = os.path.join(d, "state", "flash.bin")
got = open(state, "rb").read(len(image)) if os.path.exists(state) else b""
check(rc == 0 and got == image, f"stdout closed early: exit {rc}; the flash should hold the whole image")

# 18. "kiln-cli help flash" is "kiln-cli flash --help".
rc, out, err = run(["help", "flash"])
check(rc == 0 and "kiln-cli flash [OPTION" in out and "--dry-run" in out, f"help flash: exit {rc}", out + err)

t.finish()
