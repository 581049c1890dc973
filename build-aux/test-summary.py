#!/usr/bin/env python3
"""Reads meson testlog.json files and prints what was skipped and why, what
failed, and one closing line: N passed, N failed, N skipped.

Each meson test (one suite program, peer check or validator) counts once.
A whole test that skipped is named with the reason it printed; a TAP test
that passed with skipped subtests has each of those named too, and counted
in the skipped total (so the three numbers may add up to more than the
number of meson tests).
"""
import json
import re
import sys

TAP_SKIP = re.compile(r"^ok\s+\d+\s*-?\s*(.*?)\s*#\s*SKIP\b\s*(.*)$", re.IGNORECASE)


def skip_reason(entry):
    """The last line a skipped test printed, which by convention says why."""
    text = (entry.get("stdout") or "") + "\n" + (entry.get("stderr") or "")
    lines = [l.strip() for l in text.splitlines() if l.strip()]
    for line in reversed(lines):
        m = re.match(r"^1\.\.0\s*#\s*SKIP\s*(.*)$", line, re.IGNORECASE)
        if m:
            return m.group(1) or "no reason given"
        if line.lower().startswith(("skip", "# skip")):
            return line.split(":", 1)[-1].strip() if ":" in line else line
    return lines[-1] if lines else "no reason given"


def main(paths):
    passed = failed = 0
    skipped = []
    for path in paths:
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
                for out in (entry.get("stdout") or "").splitlines():
                    m = TAP_SKIP.match(out.strip())
                    if m:
                        skipped.append((f"{name}: {m.group(1) or 'subtest'}", m.group(2) or "no reason given"))
            elif result == "SKIP":
                skipped.append((name, skip_reason(entry)))
            else:
                failed += 1
                print(f"FAILED: {name} ({result})", file=sys.stderr)
    for name, reason in skipped:
        print(f"SKIPPED: {name} — {reason}")
    print(f"{passed} passed, {failed} failed, {len(skipped)} skipped")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
