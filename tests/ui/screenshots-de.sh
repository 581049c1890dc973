#!/bin/sh
# screenshots-de.sh BUILDDIR — the German screenshots in tests/ui/screenshots/de/:
# the main window, a failed unplug, the memory view, the profile editor and
# the operator's FAIL confirmation, each at 1024×600 and 1920×1080, taken by
# the UI tests run in German with the build tree's translation (their checks
# of English words fail there and are let go: only the pictures count).
set -eu
src=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "$1" && pwd)
shots=$(mktemp -d)
trap 'rm -rf "$shots"' EXIT

run () {
  xvfb-run -a -s '-screen 0 1920x1200x24' dbus-run-session -- \
    env GDK_BACKEND=x11 GSK_RENDERER=cairo GDK_DEBUG=gl-disable GTK_A11Y=none NO_AT_BRIDGE=1 \
        GSETTINGS_BACKEND=memory GSETTINGS_SCHEMA_DIR="$build/data" LANG=C.UTF-8 LANGUAGE=de \
        KILN_TEST_LOCALEDIR="$build/po" KILN_SCREENSHOT_DIR="$shots" KILN_TEST_SCREENSHOTS_ONLY=1 \
        KILN_FIXTURE_ELF="$build/tests/fixtures/blinky.elf" KILN_SAMPLE_FIRMWARE="$build/tests/fixtures/blinky.elf" \
        KILN_SOURCE_DIR="$src" KILN_BUILD_DIR="$build" G_TEST_SRCDIR="$src/tests" G_TEST_BUILDDIR="$build/tests" \
        "$@" 2>&1 | grep -E "^(not )?ok|ERROR|CRITICAL" || true
}

run "$build/tests/ui/test-window-layout" -p /Kiln/UI/small-window -p /Kiln/UI/large-window
run "$build/tests/ui/test-window-jobs" -p /Kiln/UI/unplug-mid-job
run "$build/tests/ui/test-memory-view" -p /Kiln/UI/memory-view/view
run "$build/tests/production/test-profile-editor" -p /Kiln/Production/profile-editor/create-sign-try
run "$build/tests/production/test-production-operator" -p /Kiln/Production/operator/fail-ack

mkdir -p "$src/tests/ui/screenshots/de"
for pair in small-log.png:main-1024x600.png large.png:main-1920x1080.png \
            unplugged-mid-job.png:unplugged-mid-job-1024x600.png \
            unplugged-mid-job-1920x1080.png:unplugged-mid-job-1920x1080.png \
            memory-view.png:memory-view-1024x600.png memory-view-wide.png:memory-view-1920x1080.png \
            profile-editor-1024x600.png:profile-editor-1024x600.png \
            profile-editor-1920x1080.png:profile-editor-1920x1080.png \
            operator-fail-1024x600.png:operator-fail-1024x600.png \
            operator-fail-1920x1080.png:operator-fail-1920x1080.png; do
  [ -f "$shots/${pair%%:*}" ] && cp "$shots/${pair%%:*}" "$src/tests/ui/screenshots/de/${pair#*:}"
done
