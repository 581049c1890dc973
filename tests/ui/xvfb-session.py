#!/usr/bin/env python3
"""Runs a command (the arguments after the screen, "WIDTHxHEIGHT") on an X
server of its own: Xvfb, software only, with that screen at 24 bits. The
server chooses a free display itself and says which (-displayfd), so any
number of window tests can start at the same moment, each on its own
server; xvfb-run -a guesses a free number from the lock files and, when
two start together, both take the same one and one fails. Stops the
server afterwards and exits as the command did."""

import os
import signal
import subprocess
import sys
import tempfile


def main():
    if len(sys.argv) < 3:
        sys.exit("usage: xvfb-session.py WIDTHxHEIGHT COMMAND [ARG...]")
    screen, command = sys.argv[1], sys.argv[2:]
    read_end, write_end = os.pipe()
    # What the server says goes to a file: a pipe nobody reads while the
    # test runs could fill and stop it.
    log = tempfile.TemporaryFile()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_end), "-screen", "0", screen + "x24", "-nolisten", "tcp"],
        pass_fds=(write_end,), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
        stderr=log)
    os.close(write_end)
    # The server writes its display number once it accepts connections;
    # the pipe closes without one if it could not start.
    with os.fdopen(read_end, "rb") as f:
        display = f.readline().decode().strip()
    if not display:
        server.wait()
        log.seek(0)
        sys.exit("Xvfb did not start: " + log.read().decode(errors="replace").strip())
    try:
        status = subprocess.run(command, env=dict(os.environ, DISPLAY=":" + display)).returncode
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    # A command killed by a signal: as a shell reports it (134 for SIGABRT).
    sys.exit(128 - status if status < 0 else status)


if __name__ == "__main__":
    main()
