#!/usr/bin/env python3
"""The line record on a real PostgreSQL server (started here, stopped at the
end): stations allocate serial numbers there and record every board there too;
log verify/export read it; a database that cannot be reached stops the board
before anything is programmed. Then the crash test: four station processes
with two slots each and 200 simulated boards, stations killed (SIGKILL) and
the database restarted at random moments; every board reported PASS has
exactly one record, no serial number is given twice, every allocated number
is on a board or recorded as consumed by a failed one."""
import csv
import io
import json
import os
import re
import random
import signal
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import kiln_pg  # noqa: E402
import kilntest  # noqa: E402

cli = sys.argv[1]
part = sys.argv[2] if len(sys.argv) > 2 else "all"
reason = kiln_pg.Server.unavailable()
if reason:
    print(f"SKIP: {reason}")
    sys.exit(77)

t = kilntest.Suite(f"line-{part}")
tmp, check = t.tmp, t.check


def env_for(sim):
    """kiln-cli production's environment, its settings kept in the run's folder."""
    return kilntest.station_env(sim, tmp)


def run(cmd, **kw):
    """subprocess.run with the output as text and kept: a command still
    running at its timeout is killed and what it printed is returned (exit
    status None), so that the check that follows shows it."""
    try:
        return subprocess.run(cmd, capture_output=True, text=True, **kw)
    except subprocess.TimeoutExpired as e:
        def text(b):
            return b.decode(errors="replace") if isinstance(b, bytes) else (b or "")
        return subprocess.CompletedProcess(cmd, None, text(e.stdout),
                                           text(e.stderr) + f"\n(killed after {e.timeout} s)")


def run_ok(cmd):
    p = run(cmd)
    if p.returncode != 0:
        sys.exit(f"{' '.join(cmd)}: exit {p.returncode}\n{p.stdout}{p.stderr}")
    return p


key = os.path.join(tmp, "eng")
run_ok([cli, "profile", "keygen", key])
open(os.path.join(tmp, "widget.bin"), "wb").write(os.urandom(2048))
prof = os.path.join(tmp, "widget.kiln-profile")
open(prof, "w").write("[profile]\nname = Widget\nfirmware = widget.bin\nbase = 0x08000000\nchip = STM32F746NG\n"
                      "[serial]\nsource = counter\naddress = 0x08008000\nformat = W-%05u\nstart = 100\nsize = 12\n")
run_ok([cli, "profile", "sign", prof, "--secret-key", key + ".key"])


def station_dir(name, boards_per_probe, index):
    d = os.path.join(tmp, name)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "sim.ini"), "w") as f:
        for p in (1, 2):
            f.write(f"[probe {p}]\nmodel = stlink-v3\n[board {p}]\nsequence = {boards_per_probe}\n"
                    f"state = {d}/boards{p}\nuid2 = 0x{index:02X}{p:02X}0000\n")
    return d


def station_cmd(d, name, conninfo, *extra):
    # The bench's line ends by leaving the sockets empty (core/sim/README.md):
    # the station is told how many boards its bench presents.
    boards = sum(int(n) for n in re.findall(r"^sequence = (\d+)", open(os.path.join(d, "sim.ini")).read(), re.M))
    return [cli, "production", prof, "--simulator", "--trust", key + ".pub", "--log", os.path.join(d, "local.db"),
            "--station", name, "--line", conninfo, "--json", "--count", str(boards), *extra]


def lost_sim(d, index, per_probe, skip, launch, hold):
    """The station's bench for its launch number @launch: probe p presents
    boards skip[p] + 1 … per_probe of its sequence (their UIDs as in the first
    launch, a new state folder), so that a board skipped is never presented
    again; a probe with no board left is not on the bench. With @hold, only
    probe 1, held in the middle of programming its first board. Returns the
    probes on the bench."""
    probes = [p for p in ((1,) if hold else (1, 2)) if per_probe - skip[p] > 0]
    with open(os.path.join(d, "sim.ini"), "w") as f:
        if hold:
            f.write("[bench]\nhold = program:4\nhold-file = held\n")
        for n, p in enumerate(probes, 1):
            f.write(f"[probe {n}]\nmodel = stlink-v3\n[board {n}]\nsequence = {per_probe - skip[p]}\n"
                    f"state = {d}/boards{p}-{launch}\nuid2 = 0x{(index << 24) + (p << 16) + skip[p]:08X}\n")
    return probes


def crash(conn, lost):
    """The crash test. With @lost, a station killed (or stopped by the
    database's restart) is started again on the boards after the one it was
    at: that board is never presented again, and the number it may have been
    given must end up consumed, never given to another board. The first
    station's first board is held in the middle of programming and its
    station killed there, so that at least one such number exists. A
    station killed at the last board of each of its probes has nothing
    left to start for: it is retired (`kiln-cli line retire`), which
    records the numbers it held as consumed."""
    seed = int(os.environ.get("KILN_LINE_SEED", random.randrange(1 << 30)))
    rng = random.Random(seed)
    STATIONS, PER_PROBE = 4, int(os.environ.get("KILN_LINE_BOARDS", 200)) // 8
    name = "lost" if lost else "crash"
    dirs = [station_dir(f"{name}{i}", PER_PROBE, i) for i in range(1, STATIONS + 1)]
    printed = []          # every board a station reported, with its record
    lock = threading.Lock()
    procs = [None] * STATIONS
    readers = [None] * STATIONS
    done = [False] * STATIONS
    starts = [0] * STATIONS
    skips = [{1: 0, 2: 0} for _ in range(STATIONS)]
    on_bench = [(1, 2)] * STATIONS
    held_file = os.path.join(dirs[0], "held")
    held = None           # (value, chip_uid) of the board killed while held
    retired = []          # (station, numbers it consumed) for stations retired with no board left

    def reader(proc, i):
        for line in proc.stdout:
            if '"event":"board"' in line:
                with lock:
                    printed.append(json.loads(line)["record"])

    def launch(i):
        d = dirs[i]
        if lost:
            if starts[i] > 0:
                readers[i].join(timeout=60)
                # The boards this station's bench got to; the next one of each probe is skipped.
                with lock:
                    for r in printed:
                        uid2 = int(r["chip_uid"][:8], 16) if r["chip_uid"] else 0
                        if r["station"] == f"C{i + 1}" and uid2 >> 24 == i + 1:
                            p, k = (uid2 >> 16) & 0xFF, (uid2 & 0xFFFF) + 1
                            skips[i][p] = max(skips[i][p], k)
                for p in on_bench[i]:
                    skips[i][p] = min(skips[i][p] + 1, PER_PROBE)
            on_bench[i] = lost_sim(d, i + 1, PER_PROBE, skips[i], starts[i], hold=(i == 0 and starts[i] == 0))
            if not on_bench[i]:
                # No board left for it: the station will not start again,
                # so nothing sweeps the numbers it may hold. An engineer
                # retires it, as the line asks for such a station.
                if starts[i] > 0:
                    retire(f"C{i + 1}")
                done[i] = True
                return
        proc = subprocess.Popen(station_cmd(d, f"C{i + 1}", conn), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                text=True, env=env_for(os.path.join(d, "sim.ini")))
        readers[i] = threading.Thread(target=reader, args=(proc, i), daemon=True)
        readers[i].start()
        procs[i] = proc
        starts[i] += 1

    def retire(station):
        # Refused (2) while the killed process's session lingers on the
        # server, or failing while the database restarts: asked again.
        for _ in range(120):
            r = run([cli, "line", "retire", station, "--line", conn])
            if r.returncode == 0:
                retired.append((station, int(re.search(r": (\d+) serial number", r.stdout).group(1))))
                return
            time.sleep(0.5)
        check(False, f"{name} test: retire {station}: exit {r.returncode}", r.stdout + r.stderr)

    def kill(i):
        procs[i].send_signal(signal.SIGKILL)
        procs[i].wait()
        launch(i)

    t0 = time.monotonic()
    for i in range(STATIONS):
        launch(i)
    kills = restarts = 0
    while not all(done) and time.monotonic() - t0 < 400:
        time.sleep(rng.uniform(0.3, 2.0))
        if lost and held is None and os.path.exists(held_file):
            # Programming, so its number is allocated and its result not recorded.
            open_numbers = server.sql("SELECT value, chip_uid FROM kiln_serials WHERE station = 'C1' "
                                      "AND record_id IS NULL")
            check(len(open_numbers) == 1, f"lost: the held board has a number and no record: {open_numbers}")
            held = tuple(open_numbers[0]) if open_numbers else ("", "")
            kill(0)
            kills += 1
            os.unlink(held_file)
            # And the database crashes at once, while that station starts
            # again: at least one restart in a run that ends quickly.
            server.restart_crash()
            restarts += 1
            continue
        for i in range(STATIONS):
            if not done[i] and procs[i].poll() is not None:
                if procs[i].returncode == 0:
                    done[i] = True
                else:
                    launch(i)      # it could not reach the database while it restarted
        if lost and held is None:
            continue           # nothing else happens before the held board's station is killed
        if kills < int(os.environ.get('KILN_LINE_KILLS', 6)) and rng.random() < 0.4:
            running = [i for i in range(STATIONS) if not done[i] and procs[i].poll() is None]
            if running:
                kill(rng.choice(running))
                kills += 1
        elif restarts < int(os.environ.get('KILN_LINE_RESTARTS', 3)) and rng.random() < 0.3:
            # A crash (immediate stop, then start), or an administrator's
            # restart, fast or immediate.
            how = ("crash", "fast", "immediate")[restarts % 3]
            if how == "crash":
                server.restart_crash()
            else:
                server.ctl("restart", "-m", how)
            restarts += 1
    for p in procs:
        if p is not None and p.poll() is None:
            p.kill()
    wall = time.monotonic() - t0
    check(all(done), f"{name} test: stations not done after {wall:.0f} s (seed {seed})")

    recs = server.sql("SELECT id, station, time, chip_uid, serial_number, result FROM kiln_records")
    serials = server.sql("SELECT number, value, chip_uid, record_id, result, consumed, consumed_cause "
                         "FROM kiln_serials ORDER BY number")
    by_event = {}
    for r in recs:
        by_event.setdefault((r[1], r[2], r[3]), []).append(r)
    passed = [p for p in printed if p["result"] == "PASS"]
    causes = sorted({(p["cause"] or "")[:160] for p in printed if p["result"] != "PASS"})
    missing = [p for p in passed if len(by_event.get((p["station"], p["time"], p["chip_uid"]), [])) != 1
               or by_event[(p["station"], p["time"], p["chip_uid"])][0][5] != "PASS"]
    check(not missing, f"{name} test: PASS boards without exactly one line record: {missing[:3]}")
    values = [s[1] for s in serials]
    uids = [s[2] for s in serials]
    duplicates = len(values) - len(set(values)) + len(uids) - len(set(uids))
    check(duplicates == 0, f"{name} test: {duplicates} duplicate serial numbers or UIDs")
    given = {s[1]: s[2] for s in serials}
    wrong = [r for r in recs if r[4] and given.get(r[4]) != r[3]]
    check(not wrong, f"{name} test: a record carries a number given to another board: {wrong[:3]}")
    numbers = [int(s[0]) for s in serials]
    on_boards = [s for s in serials if s[3] != ""]
    consumed = [s for s in serials if s[3] == "" and s[5] != ""]
    unaccounted = [s for s in serials if s[3] == "" and s[5] == ""]
    check(not unaccounted, f"{name} test: numbers neither on a board's record nor consumed: {unaccounted[:3]}")
    check(all(s[5] == "" for s in on_boards), f"{name} test: a number on a board is still marked consumed")
    boards_passed = {r[3] for r in recs if r[5] == "PASS"}
    if not lost:
        check(numbers == list(range(100, 100 + STATIONS * 2 * PER_PROBE)),
              f"crash test: numbers {numbers[:5]}…{numbers[-5:]} ({len(numbers)}), want 100…{99 + STATIONS * 2 * PER_PROBE}")
        check(len(boards_passed) == STATIONS * 2 * PER_PROBE, f"crash test: {len(boards_passed)} boards passed")
        # Every killed board came back, so each number it had is completed.
        check(not consumed, f"crash test: numbers left consumed though their boards came back: {consumed[:3]}")
    else:
        # None lost, none twice: the numbers run on without a gap, and they add up.
        check(numbers == list(range(100, 100 + len(numbers))), f"lost: numbers with a gap {numbers}")
        check(len(numbers) == len(on_boards) + len(consumed),
              f"lost: {len(numbers)} numbers, {len(on_boards)} on boards + {len(consumed)} consumed")
        check(held is not None and any(s[1] == held[0] and s[2] == held[1] for s in consumed),
              f"lost: the held board's number {held} is consumed", repr(consumed))
        check(held is not None and not any(r[4] == held[0] for r in recs),
              f"lost: the held board's number {held} is on no record (never given again)")
        check(all("station stopped before the board's result was recorded" in s[6] for s in consumed),
              f"lost: consumed causes {sorted({s[6] for s in consumed})}")
        # The line's numbers as quality exports them: the consumed ones say when and why.
        ex = run([cli, "log", "export", "--line", conn, "--serials", "--csv"], env=env_for(""))
        exported = list(csv.DictReader(io.StringIO(ex.stdout))) if ex.returncode == 0 else []
        gone = sorted(r["value"] for r in exported if not r["record_id"] and r["consumed"]
                      and r["consumed_cause"] == "The station stopped before the board's result was recorded")
        check(len(exported) == len(numbers) and gone == sorted(s[1] for s in consumed),
              f"lost: log export --line --serials shows the consumed numbers {gone}", ex.stdout[-2000:] + ex.stderr)
        st = run([cli, "log", "stats", "--line", conn, "--json"], env=env_for(""))
        figures = json.loads(st.stdout) if st.returncode == 0 else {}
        check(figures.get("consumed_numbers") == len(consumed)
              and figures.get("passed") == len([r for r in recs if r[5] == "PASS"])
              and figures.get("attempts") == len(recs),
              f"lost: log stats counts consumed numbers apart: {figures.get('consumed_numbers')} consumed, "
              f"{figures.get('passed')} PASS of {figures.get('attempts')}", st.stdout + st.stderr)
    v = run([cli, "log", "verify", "--line", conn])
    check(v.returncode == 0, f"{name} test: the line's hash chain", v.stdout + v.stderr)
    check(kills > 0 and restarts > 0, f"{name} test: {kills} kills and {restarts} database restarts (seed {seed})")
    variant = " (a killed station's board never presented again)" if lost else ""
    print(f"# {name} test (seed {seed}): {STATIONS} stations x 2 slots, {STATIONS * 2 * PER_PROBE} boards{variant}, "
          f"{len(printed)} board results ({len(passed)} PASS), {len(recs)} line records, {kills} kills, "
          f"{restarts} database restarts, {sum(starts)} station starts, {len(numbers)} numbers = "
          f"{len(on_boards)} on boards + {len(consumed)} consumed, {len(boards_passed)} boards passed, "
          f"duplicates = {duplicates}, {wall:.1f} s, retired {retired}; FAIL causes: {causes}", flush=True)


server = kiln_pg.Server().start()
try:
    conn = server.conninfo

    if part in ("all", "functional"):
        # 1. Two stations at once, three boards per slot: twelve numbers, each once, across the line.
        dirs = [station_dir(f"s{i}", 3, 0x70 + i) for i in (1, 2)]
        procs = [subprocess.Popen(station_cmd(d, f"S{i + 1}", conn), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True, env=env_for(os.path.join(d, "sim.ini"))) for i, d in enumerate(dirs)]
        outs = [p.communicate(timeout=300) for p in procs]
        check(all(p.returncode == 0 for p in procs), f"two stations: {[p.returncode for p in procs]}",
              "".join(o + e for o, e in outs))
        rows = server.sql("SELECT station, chip_uid, serial_number, result FROM kiln_records ORDER BY id")
        check(len(rows) == 12 and all(r[3] == "PASS" for r in rows), f"line record: {rows}")
        check(sorted(r[2] for r in rows) == [f"W-{n:05d}" for n in range(100, 112)], f"line numbers: {rows}")
        for d in dirs:
            local = run([cli, "log", "export", os.path.join(d, "local.db"), "--jsonl"])
            check(len(local.stdout.splitlines()) == 6, "each station keeps its local record", local.stdout)
        v = run([cli, "log", "verify", "--line", conn])
        check(v.returncode == 0 and "12 records, every link holds" in v.stdout, "log verify --line", v.stdout + v.stderr)
        e = run([cli, "log", "export", "--line", conn, "--csv"])
        exported = list(csv.DictReader(io.StringIO(e.stdout)))
        check(e.returncode == 0 and len(exported) == 12 and {r["station"] for r in exported} == {"S1", "S2"},
              "log export --line --csv", e.stdout + e.stderr)

        # 2. A known board programmed again (same UID) keeps its number.
        before = {r[1]: r[2] for r in rows}
        p = run(station_cmd(dirs[0], "S1", conn), env=env_for(os.path.join(dirs[0], "sim.ini")), timeout=300)
        again = [json.loads(l)["record"] for l in p.stdout.splitlines() if '"event":"board"' in l]
        check(p.returncode == 0 and len(again) == 6 and all(before[r["chip_uid"]] == r["serial_number"] for r in again),
              "reprogrammed boards keep their numbers", p.stdout + p.stderr)

        # 3. The database cannot be reached: the station refuses, saying so.
        p = run(station_cmd(dirs[0], "S1", f"host={tmp}/nowhere user=kiln dbname=postgres"),
                env=env_for(os.path.join(dirs[0], "sim.ini")), timeout=300)
        check(p.returncode == 1 and "cannot be reached" in p.stderr, f"unreachable: exit {p.returncode}", p.stderr)

        # 4. The database goes away while the station runs: the board is refused
        #    before anything is programmed, in one line saying what to do.
        d = station_dir("gone", 1, 0x7A)
        server.ctl("stop", "-m", "fast")
        p = run(station_cmd(d, "G", conn), env=env_for(os.path.join(d, "sim.ini")), timeout=300)
        check(p.returncode != 0 and "cannot be reached" in p.stderr + p.stdout and
              not os.path.exists(os.path.join(d, "boards1", "1", "flash.bin")), f"database gone: exit {p.returncode}",
              p.stdout + p.stderr)
        server.ctl("start")

        # 5. The database stops in the middle of a line (boards started on
        #    Enter): the board that comes while it is down is refused before
        #    anything is programmed, in one line saying what happened and what
        #    to do; no number is spent on it; once the database is back the
        #    station goes on by itself.
        d = os.path.join(tmp, "mid")
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "sim.ini"), "w") as f:
            f.write(f"[probe]\nmodel = stlink-v3\n[board]\nsequence = 3\nstate = {d}/boards\nuid2 = 0x7B000000\n"
                    # The suite's usual fixture (core/sim/README.md, "Board
                    # sequences"). A swap much quicker than this would race a
                    # loaded machine's pauses between the station's transfers:
                    # a board let go for a moment (a UID check handing it to
                    # the job) would be taken away.
                    "remove-after = 100\narrive-after = 150\n")
        firmware = open(os.path.join(tmp, "widget.bin"), "rb").read()
        mid = subprocess.Popen(station_cmd(d, "M", conn, "--wait-for", "enter"), stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env=env_for(os.path.join(d, "sim.ini")))

        def next_board(swapped=True):
            # Board time counts the host's pauses: once the station has let
            # go, a pause longer than remove-after + arrive-after (0.25 s)
            # means the next board is in when the operator presses Enter.
            if swapped:
                time.sleep(0.4)
            mid.stdin.write("\n")
            mid.stdin.flush()
            for line in mid.stdout:
                if '"event":"board"' in line:
                    return json.loads(line)["record"]
            return None

        first = next_board(swapped=False)
        # A second process that claims the same station name is refused
        # (the first holds it while it runs), before any probe is touched.
        twin = run(station_cmd(d, "M", conn), env=env_for(os.path.join(d, "sim.ini")), timeout=300)
        check(twin.returncode == 2 and "Another station is running as “M”" in twin.stderr and twin.stdout == "",
              f"same station name twice: exit {twin.returncode}", twin.stdout + twin.stderr)
        server.ctl("stop", "-m", "fast")
        refused = next_board()
        server.ctl("start")
        # The refused board is still held: Enter programs it.
        third = next_board(swapped=False)
        mid.stdin.close()
        out, err = mid.stdout.read(), mid.stderr.read()
        mid.wait(timeout=300)
        check(first is not None and first["result"] == "PASS", f"mid-line: first board {first}", out + err)
        check(refused is not None and refused["result"] == "FAIL" and refused["serial_number"] is None
              and "cannot be reached" in refused["cause"] and "\n" not in refused["cause"]
              and refused["erase_s"] == 0 and refused["program_s"] == 0,
              f"mid-line: the board while the database is down is refused: {refused}", out + err)
        # The refused board was never let go of: it is still in the socket and
        # the next Enter programs it, with the next number.
        check(third is not None and third["result"] == "PASS" and third["chip_uid"] == refused["chip_uid"]
              and third["serial_number"] == f"W-{int(first['serial_number'][2:]) + 1:05d}",
              f"mid-line: the station goes on once the database is back: {third}", out + err)
        check(mid.returncode != 0, f"mid-line: a refused board makes the exit status a failure ({mid.returncode})")
        rows = server.sql("SELECT chip_uid, value FROM kiln_serials WHERE station = 'M' ORDER BY number")
        check(third is not None and rows == [[first["chip_uid"], first["serial_number"]],
                                             [third["chip_uid"], third["serial_number"]]],
              f"mid-line: no number spent while the database was down: {rows}")
        flash = open(os.path.join(d, "boards", "2", "flash.bin"), "rb").read()
        check(third is not None and flash[0x8000:0x800C].rstrip(b"\0").decode() == third["serial_number"],
              "mid-line: the refused board carries the one number it got later")
        # Known boards programmed again keep their numbers; the third board gets the next one.
        again = run(station_cmd(d, "M", conn), env=env_for(os.path.join(d, "sim.ini")), timeout=300)
        results = [json.loads(l)["record"] for l in again.stdout.splitlines() if '"event":"board"' in l]
        check(again.returncode == 0 and third is not None and [r["serial_number"] for r in results] ==
              [first["serial_number"], third["serial_number"], f"W-{int(third['serial_number'][2:]) + 1:05d}"],
              f"mid-line: programmed again: {[(r['chip_uid'], r['serial_number']) for r in results]}",
              again.stdout + again.stderr)

        # 6. A station killed in the middle of a board and never started
        #    again: the next station to start records its number as
        #    consumed (two starting at once count it once), or an engineer
        #    retires it; never while it runs. The board, back, keeps it.
        def held_station(name, uid2):
            d = os.path.join(tmp, name)
            os.makedirs(d, exist_ok=True)
            with open(os.path.join(d, "sim.ini"), "w") as f:
                f.write(f"[bench]\nhold = program:4\nhold-file = held\n[probe]\nmodel = stlink-v3\n[board]\n"
                        f"sequence = 1\nstate = {d}/boards\nuid2 = 0x{uid2:08X}\n")
            proc = subprocess.Popen(station_cmd(d, name, conn), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                    text=True, env=env_for(os.path.join(d, "sim.ini")))
            until(lambda: os.path.exists(os.path.join(d, "held")) or proc.poll() is not None, f"{name} held")
            rows = server.sql(f"SELECT value, chip_uid FROM kiln_serials WHERE station = '{name}' "
                              "AND record_id IS NULL AND consumed IS NULL")
            check(len(rows) == 1, f"{name}: the held board has a number and no result: {rows}")
            return d, proc, rows[0] if rows else ["", ""]

        def until(cond, what):
            t = time.monotonic()
            while not cond():
                if time.monotonic() - t > 300:
                    check(False, f"waiting for {what}")
                    return
                time.sleep(0.1)

        def text_cmd(d, name):
            return [a for a in station_cmd(d, name, conn) if a != "--json"]

        def consumed_rows():
            return server.sql("SELECT station, value, consumed_cause FROM kiln_serials WHERE consumed IS NOT NULL "
                              "ORDER BY id")

        cause = "The station stopped before the board's result was recorded"
        swept_line = re.compile(r"^(\d+) serial numbers? given by (?:a station|stations) that (?:is|are) not running", re.M)
        kd, k, knum = held_station("K", 0x7C000000)
        r = run([cli, "line", "retire", "K", "--line", conn])
        check(r.returncode == 2 and "Station “K” is running on the line database" in r.stderr,
              f"retire refused while the station runs: exit {r.returncode}", r.stdout + r.stderr)
        d0 = station_dir("z0", 1, 0x7D)
        z0 = run(text_cmd(d0, "Z0"), env=env_for(os.path.join(d0, "sim.ini")), timeout=300)
        check(z0.returncode == 0 and not swept_line.search(z0.stdout) and consumed_rows() == [],
              f"a station starting while K runs leaves K's number alone: {consumed_rows()}", z0.stdout + z0.stderr)
        k.send_signal(signal.SIGKILL)
        k.wait()
        # Two stations start at once. The test holds K's number's row, so the
        # one that sweeps K waits there while the other has started (K's
        # name, held by the first's transaction, is not free for it).
        locker = subprocess.Popen([os.path.join(os.path.dirname(kiln_pg.PGBIN), "bin", "psql"), "-X", "-q",
                                   server.conninfo], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
        locker.stdin.write("BEGIN;\nSELECT id FROM kiln_serials WHERE station = 'K' FOR UPDATE;\n")
        locker.stdin.flush()
        until(lambda: server.sql("SELECT count(*) FROM pg_stat_activity WHERE state = 'idle in transaction' "
                                 "AND query LIKE '%FOR UPDATE%'") == [["1"]], "the row lock")
        zd = [station_dir(f"z{i}", 1, 0x7D + i) for i in (1, 2)]
        zs = [subprocess.Popen(text_cmd(d, f"Z{i + 1}"), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env=env_for(os.path.join(d, "sim.ini"))) for i, d in enumerate(zd)]
        until(lambda: server.sql("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'") == [["1"]]
              and any(z.poll() is not None for z in zs), "one sweeper waiting, the other done")
        locker.stdin.write("COMMIT;\n")
        locker.stdin.close()
        locker.wait()
        zout = [z.communicate(timeout=300) for z in zs]
        swept = [sum(int(n) for n in swept_line.findall(o)) for o, e in zout]
        check(all(z.returncode == 0 for z in zs) and sorted(swept) == [0, 1]
              and consumed_rows() == [["K", knum[0], cause]],
              f"two stations sweeping at once count K's number once: {swept}, {consumed_rows()}",
              "".join(o + e for o, e in zout))
        r = run([cli, "line", "retire", "K", "--line", conn])
        check(r.returncode == 0 and "Station “K”: 0 serial numbers" in r.stdout and len(consumed_rows()) == 1,
              f"retire after the sweep counts nothing again: exit {r.returncode}", r.stdout + r.stderr)
        # An engineer retires a killed station before any other starts.
        ld, lp, lnum = held_station("L", 0x79000000)
        lp.send_signal(signal.SIGKILL)
        lp.wait()
        r = run([cli, "line", "retire", "L", "--line", conn])
        check(r.returncode == 0 and "Station “L”: 1 serial number given to a board with no result recorded is now "
              "recorded as consumed" in r.stdout and consumed_rows() == [["K", knum[0], cause], ["L", lnum[0], cause]],
              f"retire: exit {r.returncode}, {consumed_rows()}", r.stdout + r.stderr)
        # K's board comes back (same UID, K started again): it keeps its number.
        with open(os.path.join(kd, "sim.ini"), "w") as f:
            f.write(f"[probe]\nmodel = stlink-v3\n[board]\nsequence = 1\nstate = {kd}/again\nuid2 = 0x7C000000\n")
        back = run(station_cmd(kd, "K", conn), env=env_for(os.path.join(kd, "sim.ini")), timeout=300)
        rec = [json.loads(l)["record"] for l in back.stdout.splitlines() if '"event":"board"' in l]
        check(back.returncode == 0 and len(rec) == 1 and rec[0]["serial_number"] == knum[0]
              and rec[0]["chip_uid"] == knum[1] and consumed_rows() == [["L", lnum[0], cause]],
              f"K's board back keeps its number {knum}: {rec}, {consumed_rows()}", back.stdout + back.stderr)
        numbers = server.sql("SELECT value FROM kiln_serials")
        check(len(numbers) == len({n[0] for n in numbers}), f"no number twice: {numbers}")
        server.sql("TRUNCATE kiln_records, kiln_serials")

    if part in ("all", "crash"):
        crash(conn, lost=False)
        server.sql("TRUNCATE kiln_records, kiln_serials")
        crash(conn, lost=True)
finally:
    server.stop()

t.finish()
