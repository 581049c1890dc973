#!/usr/bin/env python3
"""Tamper-evident records: each entry carries the hash of the one before it at
its station; kiln-cli log verify names the first broken link after an entry
is edited or deleted, and a record from before the hashes is chained when it
is upgraded."""
import os
import shutil
import sqlite3
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import kilntest  # noqa: E402

cli = sys.argv[1]
t = kilntest.Suite("record-chain")
tmp = t.tmp
check = t.check

env = kilntest.env_for()
env["XDG_CONFIG_HOME"] = os.path.join(tmp, "config")
env["KILN_SIM"] = os.path.join(tmp, "sim.ini")
key = os.path.join(tmp, "eng")
subprocess.run([cli, "profile", "keygen", key], check=True, capture_output=True)
open(os.path.join(tmp, "widget.bin"), "wb").write(os.urandom(4000))
prof = os.path.join(tmp, "widget.kiln-profile")
open(prof, "w").write("[profile]\nname = W\nfirmware = widget.bin\nbase = 0x08000000\nchip = STM32F746NG\n")
subprocess.run([cli, "profile", "sign", prof, "--secret-key", key + ".key"], check=True, capture_output=True)
db = os.path.join(tmp, "line.db")

# Two stations sharing one record file, three boards each, interleaved.
for station in ("A", "B", "A"):
    state = os.path.join(tmp, "boards-" + station)
    open(env["KILN_SIM"], "w").write(f"[probe]\n[board]\nsequence = 2\nstate = {state}\n")
    p = subprocess.run([cli, "production", prof, "--simulator", "--trust", key + ".pub", "--log", db,
                        "--station", station, "--operator", "Ann Lee", "-q", "--count", "2"],
                       capture_output=True, text=True, env=env, timeout=300)
    check(p.returncode == 0, f"station {station}: exit {p.returncode}", p.stdout + p.stderr)


def verify(path):
    return subprocess.run([cli, "log", "verify", path], capture_output=True, text=True, env=env)


def tampered(name, sql):
    path = os.path.join(tmp, name + ".db")
    shutil.copy(db, path)
    con = sqlite3.connect(path)
    con.execute(sql)
    con.commit()
    con.close()
    return verify(path)


v = verify(db)
check(v.returncode == 0 and "6 records, every link holds" in v.stdout and "\nA: " in v.stdout and "\nB: " in v.stdout,
      f"intact: exit {v.returncode}", v.stdout + v.stderr)
rows = sqlite3.connect(db).execute("SELECT id, station, prev_hash, hash FROM records ORDER BY id").fetchall()
check([r[1] for r in rows] == ["A", "A", "B", "B", "A", "A"], f"stations {rows}")
check(rows[0][2] == "" and rows[2][2] == "" and rows[4][2] == rows[1][3], "links follow the station, not the file")

# Each entry names its slot, operator and the profile's signer and SHA-256.
cols = sqlite3.connect(db).execute("SELECT slot, operator, profile_key, profile_sha256 FROM records").fetchall()
keyid = open(key + ".pub").read().splitlines()[0].split()[-1]
check(all(c[0] == "1" and c[1] == "Ann Lee" and c[2] == keyid and len(c[3] or "") == 64 for c in cols),
      f"record columns {cols[:1]} (key {keyid})")
# The hash covers them.
v = tampered("operator", "UPDATE records SET operator = 'Bob' WHERE id = 2")
check(v.returncode == 1 and "Record 2 (station A" in v.stdout and "changed after it was written" in v.stdout,
      f"operator edited: exit {v.returncode}", v.stdout + v.stderr)
v = tampered("operator-removed", "UPDATE records SET operator = NULL WHERE id = 2")
check(v.returncode == 1 and "Record 2 (station A" in v.stdout, f"operator removed: exit {v.returncode}", v.stdout)

# An edited field: that entry is named.
v = tampered("edited", "UPDATE records SET result = 'PASS', cause = NULL, total_s = 0.1 WHERE id = 4")
check(v.returncode == 1 and "Record 4 (station B" in v.stdout and "changed after it was written" in v.stdout,
      f"edited: exit {v.returncode}", v.stdout + v.stderr)
# A deleted entry: the next one of that station is named.
v = tampered("deleted", "DELETE FROM records WHERE id = 2")
check(v.returncode == 1 and "Record 5 (station A" in v.stdout and "does not follow record 1" in v.stdout,
      f"deleted: exit {v.returncode}", v.stdout + v.stderr)
# An edit whose hash was recomputed still breaks the next link.
v = tampered("rehashed", f"UPDATE records SET hash = '{'0' * 64}' WHERE id = 5")
check(v.returncode == 1 and "Record 5" in v.stdout, f"rehashed: exit {v.returncode}", v.stdout)
# The first entries removed: the station's first left is named.
v = tampered("head", "DELETE FROM records WHERE id = 3")
check(v.returncode == 1 and "Record 4 (station B" in v.stdout and "earlier records were deleted" in v.stdout,
      f"head deleted: exit {v.returncode}", v.stdout)

# A record from before the hashes (format 1) is chained when opened.
old = os.path.join(tmp, "old.db")
con = sqlite3.connect(old)
con.executescript("""
CREATE TABLE records (id INTEGER PRIMARY KEY AUTOINCREMENT, time TEXT NOT NULL, station TEXT, profile TEXT,
 probe_serial TEXT, chip_uid TEXT, chip TEXT, revision TEXT, file_name TEXT, file_sha256 TEXT, serial_number TEXT,
 option_bytes TEXT, result TEXT NOT NULL CHECK (result IN ('PASS', 'FAIL')), cause TEXT, connect_s REAL,
 preflight_s REAL, compare_s REAL, erase_s REAL, program_s REAL, verify_s REAL, reset_s REAL, option_bytes_s REAL,
 total_s REAL);
CREATE TABLE serials (id INTEGER PRIMARY KEY AUTOINCREMENT, series TEXT NOT NULL, number INTEGER, value TEXT NOT NULL,
 chip_uid TEXT NOT NULL, station TEXT, probe_serial TEXT, allocated TEXT NOT NULL,
 record_id INTEGER REFERENCES records (id), result TEXT, UNIQUE (series, value), UNIQUE (series, chip_uid));
INSERT INTO records (time, station, result, total_s) VALUES ('2026-01-01T00:00:00Z', 'old', 'PASS', 1.5);
INSERT INTO records (time, station, result, cause, total_s) VALUES ('2026-01-01T00:01:00Z', 'old', 'FAIL', 'x', 2);
PRAGMA user_version = 1;
""")
con.close()
v = verify(old)
check(v.returncode == 0 and "2 records, every link holds" in v.stdout, f"upgraded: exit {v.returncode}",
      v.stdout + v.stderr)
check(sqlite3.connect(old).execute("PRAGMA user_version").fetchone()[0] == 3, "format 3 after the upgrade")

# A record of format 2 (hashes, but no slot, operator, profile key or
# diagnosis) keeps its hashes when it gains those columns.
con = sqlite3.connect(old)
con.executescript("""
ALTER TABLE records DROP COLUMN slot; ALTER TABLE records DROP COLUMN operator;
ALTER TABLE records DROP COLUMN profile_key; ALTER TABLE records DROP COLUMN profile_sha256;
ALTER TABLE records DROP COLUMN cause_code; ALTER TABLE records DROP COLUMN cause_group;
PRAGMA user_version = 2;
""")
con.close()
v = verify(old)
check(v.returncode == 0 and "2 records, every link holds" in v.stdout, f"format 2 upgraded: exit {v.returncode}",
      v.stdout + v.stderr)
check(sqlite3.connect(old).execute("PRAGMA user_version").fetchone()[0] == 3, "format 3 after the second upgrade")
e = subprocess.run([cli, "log", "export", old, "--csv"], capture_output=True, text=True, env=env)
check(e.returncode == 0 and ",cause,slot,operator,profile_key,profile_sha256,cause_code,cause_group," in e.stdout,
      "export header", e.stdout)

t.finish()
