#!/usr/bin/env python3
"""Runs a command (the rest of the arguments) with a real PostgreSQL server
started for it (kiln_pg: initdb and pg_ctl in a temporary folder, a Unix
socket only), its connection string in KILN_TEST_LINE; stops the server
afterwards and exits as the command did (77, skipped, without the server
programs)."""
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kiln_pg  # noqa: E402

reason = kiln_pg.Server.unavailable()
if reason:
    print(f"SKIP: {reason}")
    sys.exit(77)

server = kiln_pg.Server().start()
try:
    status = subprocess.run(sys.argv[1:], env=dict(os.environ, KILN_TEST_LINE=server.conninfo)).returncode
finally:
    server.stop()
sys.exit(status)
