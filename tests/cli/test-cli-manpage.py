#!/usr/bin/env python3
"""data/kiln-cli.1 documents every subcommand kiln-cli has, every option
each of them takes, and every exit code of kiln-cli-commands.h."""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import kilntest  # noqa: E402

cli, man, header = sys.argv[1], sys.argv[2], sys.argv[3]
env = dict(os.environ, LC_ALL="C.UTF-8")
page = open(man).read().replace("\\-", "-")
t = kilntest.Suite("cli-manpage")

usage = subprocess.run([cli, "--help"], capture_output=True, text=True, env=env).stdout
commands = re.findall(r"^  (\S+)\s{2,}", usage.split("Commands:")[1], re.M)
t.check(len(commands) >= 4, f"could not find the commands in kiln-cli --help:\n{usage}")
for cmd in commands:
    t.check(re.search(rf"^\.SS {re.escape(cmd)}\b", page, re.M), f"the man page has no section for “{cmd}”")
    helptext = subprocess.run([cli, cmd, "--help"], capture_output=True, text=True, env=env).stdout
    for opt in set(re.findall(r"^\s+(?:-\w, )?(--[a-z][a-z-]*)", helptext, re.M)) - {"--help", "--help-all"}:
        t.check(opt in page, f"the man page does not mention {cmd} {opt}")

codes = re.findall(r"KILN_CLI_EXIT_\w+ = (\d+)", open(header).read())
section = page.split(".SH EXIT STATUS")[1].split(".SH")[0]
for c in codes:
    t.check(f".B {c}\n" in section, f"exit code {c} is not documented")

t.finish()
