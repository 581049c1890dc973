#!/usr/bin/env bash
# A program run from the build tree speaks the user's language before it is
# installed: with LANGUAGE=de, kiln-cli (and kiln, when built) print German
# from the tree's compiled catalogue. The same binary copied out of the tree
# finds no catalogue there and falls back to the installed folder (English
# on a machine where Kiln is not installed), so the test tells the two apart.
set -u
cli=$1
gui=${2:-}
fail=0
export LC_ALL=C.UTF-8 LANGUAGE=de

out=$("$cli" --help 2>&1)
grep -q '^Aufruf: kiln-cli' <<<"$out" || { echo "not ok: kiln-cli in the build tree is not German: $(head -1 <<<"$out")"; fail=1; }

if [ -n "$gui" ]; then
  out=$("$gui" --help 2>&1)
  grep -q 'simulierten Platine' <<<"$out" || { echo "not ok: kiln in the build tree is not German"; fail=1; }
fi

# Outside a build tree: a copy in a folder of the test's own.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/a/b"
cp "$cli" "$tmp/a/b/kiln-cli"
if [ ! -e /usr/share/locale/de/LC_MESSAGES/kiln.mo ] && [ ! -e /usr/local/share/locale/de/LC_MESSAGES/kiln.mo ]; then
  out=$("$tmp/a/b/kiln-cli" --help 2>&1)
  grep -q '^Usage: kiln-cli' <<<"$out" || { echo "not ok: a copy outside the tree found a catalogue: $(head -1 <<<"$out")"; fail=1; }
  # A folder that looks like a build tree but has no catalogue is not used.
  mkdir -p "$tmp/meson-private"
  out=$("$tmp/a/b/kiln-cli" --help 2>&1)
  grep -q '^Usage: kiln-cli' <<<"$out" || { echo "not ok: a tree without translations was bound"; fail=1; }
fi
[ $fail -eq 0 ] && echo "ok: build-tree translations"
exit $fail
