#!/usr/bin/env bash
# kiln-cli with no command or an unknown one exits 2 with usage on stderr;
# --help exits 0 with usage on stdout.
set -u
cli=$1
fail=0
out=$("$cli" 2>&1 >/dev/null); rc=$?
[ $rc -eq 2 ] || { echo "no command: exit $rc, want 2"; fail=1; }
grep -q 'Usage: kiln-cli' <<<"$out" || { echo "no command: no usage on stderr"; fail=1; }
"$cli" frobnicate >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ] || { echo "unknown command: exit $rc, want 2"; fail=1; }
out=$("$cli" --help 2>/dev/null); rc=$?
[ $rc -eq 0 ] || { echo "--help: exit $rc, want 0"; fail=1; }
grep -q 'Usage: kiln-cli' <<<"$out" || { echo "--help: no usage on stdout"; fail=1; }
exit $fail
