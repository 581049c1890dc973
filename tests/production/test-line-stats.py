#!/usr/bin/env python3
"""The line's figures from known records on a real PostgreSQL server (started
here, stopped at the end), after an upgrade from the line's first schema: an
entry written before the record carried slots, operators and diagnoses keeps
its hash; test-production-stats checks the figures from the line's record; then
`kiln-cli log stats` gives the same exact numbers from the line and from a
station's SQLite file, as JSON and as text, and refuses a bad range."""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import kiln_pg  # noqa: E402
import kilntest  # noqa: E402

cli, stats_test = sys.argv[1], sys.argv[2]
reason = kiln_pg.Server.unavailable()
if reason:
    print(f"SKIP: {reason}")
    sys.exit(77)

t = kilntest.Suite("line-stats")
tmp, check = t.tmp, t.check

env = {k: v for k, v in os.environ.items() if k not in ("KILN_SIM", "KILN_SIM_REPORT")}
env["LC_ALL"] = "C.UTF-8"
env["TZ"] = "UTC"
db = os.path.join(tmp, "station.db")
server = kiln_pg.Server().start()
try:
    line = server.conninfo
    # Step 1: an entry as an older Kiln wrote it, then the schema taken back
    # to version 1 as that Kiln left it.
    p = subprocess.run([stats_test, "-p", "/Kiln/Production/stats/line"], capture_output=True, text=True,
                       env=dict(env, KILN_TEST_LINE=line, KILN_TEST_LINE_STEP="old"))
    check(p.returncode == 0, "old entry appended", p.stdout + p.stderr)
    server.sql("ALTER TABLE kiln_records DROP COLUMN slot, DROP COLUMN operator, DROP COLUMN profile_key, "
               "DROP COLUMN profile_sha256, DROP COLUMN cause_code, DROP COLUMN cause_group; "
               "DROP INDEX kiln_records_time; ALTER TABLE kiln_serials DROP COLUMN consumed, DROP COLUMN consumed_cause; "
               "DROP INDEX kiln_serials_open; DELETE FROM kiln_schema WHERE version > 1")
    check(server.sql("SELECT MAX(version) FROM kiln_schema") == [["1"]], "schema 1 before the upgrade")

    # Step 2: the upgrade, the other entries, the figures (SQLite and line).
    p = subprocess.run([stats_test, "--tap"], capture_output=True, text=True,
                       env=dict(env, KILN_TEST_LINE=line, KILN_TEST_STATS_DB=db))
    check(p.returncode == 0 and "not ok" not in p.stdout and "# SKIP" not in p.stdout, "figures from the line",
          p.stdout + p.stderr)
    check(server.sql("SELECT MAX(version) FROM kiln_schema") == [["3"]], "schema 3 after the upgrade")
    rows = server.sql("SELECT slot, operator, cause_code, cause_group FROM kiln_records ORDER BY id")
    check(rows[0] == ["", "", "", ""] and rows[2] == ["2", "Ann Lee", "flash-verify", "flash"],
          f"new columns: {rows[:3]}")

    v = subprocess.run([cli, "log", "verify", "--line", line], capture_output=True, text=True, env=env)
    check(v.returncode == 0 and "11 records, every link holds" in v.stdout, "line verifies after the upgrade",
          v.stdout + v.stderr)
    # The hash covers the new fields.
    server.sql("UPDATE kiln_records SET operator = 'Bob' WHERE id = 3")
    v = subprocess.run([cli, "log", "verify", "--line", line], capture_output=True, text=True, env=env)
    check(v.returncode == 1 and "changed after it was written" in v.stdout, "an edited operator is found", v.stdout)
    server.sql("UPDATE kiln_records SET operator = 'Ann Lee' WHERE id = 3")

    rng = ["--since", "2026-03-10T08:00:00Z", "--until", "2026-03-10 11:00"]
    # Three numbers consumed without a board's result (their station stopped
    # first, or the line did not take the result), two in the range, one of
    # each cause: counted apart from the boards' attempts, with why.
    server.sql("INSERT INTO kiln_serials (series, number, value, chip_uid, station, allocated, consumed, "
               "consumed_cause) VALUES "
               "('W-%05u', 900, 'W-00900', 'GONE1', 'S1', '2026-03-10T09:29:00Z', '2026-03-10T09:30:00.000000Z', "
               "'The station stopped before the board''s result was recorded'), "
               "('W-%05u', 901, 'W-00901', 'GONE2', 'S1', '2026-03-10T11:29:00Z', '2026-03-10T11:30:00.000000Z', "
               "'The station stopped before the board''s result was recorded'), "
               "('W-%05u', 902, 'W-00902', 'GONE3', 'S2', '2026-03-10T10:14:00Z', '2026-03-10T10:15:00.000000Z', "
               "'The line database did not take the board''s result (the station had lost it)')")
    results = {}
    for name, where in (("line", ["--line", line]), ("sqlite", [db])):
        p = subprocess.run([cli, "log", "stats", *where, *rng, "--json"], capture_output=True, text=True, env=env)
        check(p.returncode == 0, f"{name}: stats --json exit {p.returncode}", p.stdout + p.stderr)
        results[name] = json.loads(p.stdout) if p.returncode == 0 else {}
    for name, s in results.items():
        check(s.get("attempts") == 9 and s.get("passed") == 4 and s.get("failed") == 5 and s.get("boards") == 6
              and s.get("first_pass") == 2 and s.get("unidentified") == 1, f"{name}: counts {s}")
        check(abs(s.get("first_pass_yield", 0) - 0.3333) < 1e-9 and s.get("boards_per_hour") == 2.0,
              f"{name}: yield and rate {s}")
        check(s.get("since") == "2026-03-10T08:00:00Z" and s.get("until") == "2026-03-10T11:00:00Z",
              f"{name}: range {s}")
        check([(h["start"][11:13], h["passed"], h["failed"]) for h in s.get("hours", [])]
              == [("08", 3, 1), ("09", 1, 3), ("10", 0, 1)], f"{name}: hours {s.get('hours')}")
        check([(c["cause"], c["failures"]) for c in s.get("causes", [])]
              == [("flash", 2), ("board", 1), ("chip", 1), ("other", 1)], f"{name}: causes {s.get('causes')}")
        check([(c["name"], c["failures"], c["attempts"]) for c in s.get("stations", [])]
              == [("S2", 3, 4), ("S1", 2, 5)], f"{name}: stations")
        check([(c["name"], c["failures"], c["attempts"]) for c in s.get("slots", [])]
              == [("1", 3, 6), ("2", 1, 2), ("", 1, 1)], f"{name}: slots")
        check([(c["name"], c["failures"]) for c in s.get("probes", [])] == [("PC", 3), ("PA", 1), ("PB", 1)],
              f"{name}: probes")
        check(s.get("cycle_s") == {"count": 9, "median": 11.0, "p90": 20.0}, f"{name}: cycle {s.get('cycle_s')}")
        # Only the line's record tells of numbers consumed without a result.
        check(s.get("consumed_numbers") == (2 if name == "line" else None), f"{name}: consumed numbers {s}")
        check(s.get("consumed_causes") == ([{"cause": "The line database did not take the board's result (the "
                                             "station had lost it)", "numbers": 1},
                                            {"cause": "The station stopped before the board's result was recorded",
                                             "numbers": 1}] if name == "line" else None),
              f"{name}: consumed numbers' causes {s.get('consumed_causes')}")

    p = subprocess.run([cli, "log", "stats", "--line", line, *rng], capture_output=True, text=True, env=env)
    check(p.returncode == 0 and "Boards: 6, first-pass yield 33.3 %" in p.stdout
          and "Cycle time: median 11.0 s, 90th percentile 20.0 s" in p.stdout
          and "Flash programming" in p.stdout and "Board contact or power" in p.stdout
          and "Serial numbers consumed without a board's result (the station stopped first): 2\n"
              "      1  The line database did not take the board's result (the station had lost it)\n"
              "      1  The station stopped before the board's result was recorded\n" in p.stdout,
          "text", p.stdout + p.stderr)

    # A cause Kiln wrote in English reads in the reader's language.
    p = subprocess.run([cli, "log", "stats", "--line", line, *rng], capture_output=True, text=True,
                       env=dict(env, LANGUAGE="de"))
    check(p.returncode == 0
          and "      1  Die Station hielt an, bevor das Ergebnis der Platine aufgezeichnet wurde\n" in p.stdout
          and "      1  Die Datenbank der Linie hat das Ergebnis der Platine nicht angenommen" in p.stdout,
          "consumed causes in German", p.stdout + p.stderr)

    # Export of the upgraded line includes the new fields.
    p = subprocess.run([cli, "log", "export", "--line", line, "--jsonl"], capture_output=True, text=True, env=env)
    first = json.loads(p.stdout.splitlines()[0]) if p.returncode == 0 else {}
    check("operator" in first and "cause_group" in first and first.get("slot") is None, f"export: {first}")

    # Bad ranges are refused with a clear message.
    for args, want in ((["--since", "yesterday"], "is not a date or time"),
                       (["--since", "2026-03-10", "--until", "2026-03-09"], "ends before it begins"),
                       (["--shift", "--day"], "either --shift, --day")):
        p = subprocess.run([cli, "log", "stats", db, *args], capture_output=True, text=True, env=env)
        check(p.returncode == 2 and want in p.stderr, f"refused {args}", p.stdout + p.stderr)
finally:
    server.stop()

t.finish()
