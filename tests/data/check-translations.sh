#!/usr/bin/env bash
# German is kept complete: every translatable string in the files po/POTFILES.in
# lists (C sources, .ui templates, desktop and metainfo files) has a
# German translation in po/de.po that is neither missing nor fuzzy, and the
# catalogue compiles cleanly. Also catches a new source file left out of
# POTFILES.in when its strings are missing from de.po.
set -u
top=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$top"
xgettext --from-code=UTF-8 --add-comments --keyword=_ --keyword=N_ --keyword=C_:1c,2 \
  --keyword=NC_:1c,2 --keyword=g_dngettext:2,3 --keyword=ngettext:1,2 \
  --files-from=po/POTFILES.in -o "$tmp/kiln.pot" || { echo "not ok: xgettext failed"; exit 1; }
msgfmt -c -o /dev/null po/de.po || { echo "not ok: po/de.po does not compile"; exit 1; }
if ! msgcmp po/de.po "$tmp/kiln.pot" 2>"$tmp/missing"; then
  echo "not ok: strings without a German translation:"
  grep -c 'this message' "$tmp/missing" | sed 's/^/  count: /'
  head -40 "$tmp/missing"
  exit 1
fi
# Every source file with _() or translatable="yes" is listed in POTFILES.in.
for f in $(git ls-files 'app/*.c' 'core/production/*.c' 'resources/*.ui' 'resources/*/*.ui' 2>/dev/null); do
  if grep -qE '(^|[^A-Za-z0-9_])N?_ \(|translatable="yes"' "$f" && ! grep -qx "$f" po/POTFILES.in; then
    echo "not ok: $f has translatable strings but is not in po/POTFILES.in"
    exit 1
  fi
done
echo "ok: German complete"
