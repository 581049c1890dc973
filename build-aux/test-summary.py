#!/usr/bin/env python3
"""Reads meson testlog.json files and prints one line: N passed, N failed.

Each meson test (one suite program, peer check or validator) counts once.
"""
import json
import sys

passed = failed = skipped = 0
for path in sys.argv[1:]:
    try:
        with open(path, encoding="utf-8") as f:
            lines = f.readlines()
    except OSError:
        print(f"missing test log: {path}", file=sys.stderr)
        failed += 1
        continue
    for line in lines:
        entry = json.loads(line)
        result = entry.get("result")
        name = entry.get("name")
        if result in ("OK", "EXPECTEDFAIL"):
            passed += 1
        elif result == "SKIP":
            skipped += 1
        else:
            failed += 1
            print(f"FAILED: {name} ({result})", file=sys.stderr)

print(f"{passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""))
sys.exit(1 if failed else 0)
