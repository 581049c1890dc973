#!/usr/bin/env python3
"""kiln-cli option-bytes set db1m=… on the bench's 1 MiB STM32F429ZG
(RM0090: OPTCR bit 30, DB1M, makes a 1 MiB F42x/F43x dual bank with 2 x 512
KiB, bank 2's sectors numbered 12 to 19): the warning before anything is
written, the layout Kiln sees afterwards, the plan of an image across the
banks, and the refusal on parts without DB1M. The layout is also checked
against the bench's own options.ini, independently of Kiln."""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import kilntest  # noqa: E402

cli = sys.argv[1]
t = kilntest.Suite("cli-db1m")


def run(args, sim):
    p = subprocess.run([cli] + args + ["--simulator"], capture_output=True, text=True, env=kilntest.env_for(sim), timeout=300)
    return p.returncode, p.stdout, p.stderr


def result(out):
    lines = [json.loads(line) for line in out.splitlines() if line.strip()]
    return lines[-1] if lines else {}


def info(sim):
    rc, out, err = run(["info", "--json"], sim)
    t.check(rc == 0, f"info: exit {rc}", out + err)
    return result(out).get("chip", {})


def inspect_plan(image, base):
    """Kiln's plan for @image at @base on a dual-bank F429ZG, without a board:
    {sector number: action}."""
    p = subprocess.run([cli, "inspect", "--chip", "STM32F429ZG", "--dual-bank", "--base", hex(base), "--json", image],
                       capture_output=True, text=True, env=kilntest.env_for(), timeout=60)
    t.check(p.returncode == 0, f"inspect: exit {p.returncode}", p.stdout + p.stderr)
    return {s["sector"]: s["action"] for s in json.loads(p.stdout).get("sectors", [])}


d, sim = t.bench("zg", board="chip=STM32F429ZG")
chip = info(sim)
t.check(chip.get("flash_kib") == 1024 and chip.get("dual_bank") is False and chip.get("sectors") == 12,
        f"a fresh F429ZG is one bank of 12 sectors: {chip}")
rc, out, err = run(["option-bytes"], sim)
t.check(rc == 0 and "Bank mode (DB1M):             single bank: sectors 0–11" in out, f"show: exit {rc}", out + err)

# Without --confirm: the change and what it does to the sectors, nothing written.
opts = kilntest.options(d)
rc, out, err = run(["option-bytes", "set", "db1m=1"], sim)
t.check(rc == 2, f"set db1m=1 without --confirm: exit {rc}, want 2", out + err)
t.check("Bank mode (DB1M): single bank → dual bank" in out, "the change is said", out)
t.check("sectors 12 to 19" in out and "sectors 8 to 11 no longer exist" in out
        and "must use the new numbers" in out and "Program the firmware again" in out,
        "the warning says the sectors are renumbered and what it means for the image", out)
t.check(kilntest.options(d) == opts, "a dry run changed options.ini")
rc, out, err = run(["option-bytes", "set", "db1m=1", "--json"], sim)
res = result(out)
t.check(rc == 2 and res.get("dry_run") is True and any("sectors 12 to 19" in c for c in res.get("consequences", [])),
        f"--json dry run: {res}", out + err)

# A bad value: refused, nothing written.
rc, out, err = run(["option-bytes", "set", "db1m=maybe", "--confirm"], sim)
t.check(rc != 0 and "db1m" in err, f"db1m=maybe: exit {rc}", out + err)
t.check(kilntest.options(d) == opts, "a refused value changed options.ini")

# With --confirm: written, loaded at the reset, Kiln sees two banks.
rc, out, err = run(["option-bytes", "set", "db1m=1", "--confirm", "--json"], sim)
res = result(out)
ob = res.get("option_bytes", {})
t.check(rc == 0 and res.get("written") is True and ob.get("db1m") is True and ob.get("optcr", 0) & (1 << 30),
        f"set db1m=1 --confirm: exit {rc} {res}", out + err)
t.check("sectors 12 to 19" in out, "the warning is said before the write too", out)
opts_after = kilntest.options(d)
t.check(opts_after != opts, "options.ini did not change", opts_after)
chip = info(sim)
t.check(chip.get("dual_bank") is True and chip.get("sectors") == 16, f"after DB1M: two banks of 8 sectors: {chip}")

# The plan follows the new layout: 40 KiB at 0x08080000 is bank 2's sectors
# 12, 13 and 14 (16 KiB each), where one bank had sector 8 (128 KiB).
image = os.path.join(d, "bank2.bin")
with open(image, "wb") as f:
    f.write(bytes((i * 7) & 0xFF for i in range(40 * 1024)))
plan = inspect_plan(image, 0x08080000)
t.check(sorted(plan) == [0, 1, 2, 3, 4, 5, 6, 7, 12, 13, 14, 15, 16, 17, 18, 19]
        and [n for n, a in plan.items() if a != "untouched"] == [12, 13, 14],
        f"the plan: sectors 0-7 and 12-19, the image in 12, 13 and 14: {plan}")
rc, out, err = run(["flash", "--dry-run", "--base", "0x08080000", image], sim)
t.check(rc == 0 and "3 sectors will be erased and written (40 KiB), 13 untouched" in out + err,
        f"flash --dry-run on the board: exit {rc}", out + err)
rc, out, err = run(["flash", "--base", "0x08080000", image, "--json"], sim)
res = result(out)
t.check(rc == 0 and res.get("sectors_written") == 3, f"flash into bank 2: {res}", out + err)
t.check(kilntest.flash(d)[512 * 1024:552 * 1024] == open(image, "rb").read(), "flash.bin holds the image at 0x08080000")
# Again with other bytes: the three 16 KiB sectors of bank 2 are erased (by
# their SNBs 0x10 to 0x12 on the bench), nothing else.
with open(image, "wb") as f:
    f.write(bytes((i * 11 + 3) & 0xFF for i in range(40 * 1024)))
rc, out, err = run(["flash", "--base", "0x08080000", image, "--json"], sim)
res = result(out)
t.check(rc == 0 and res.get("sectors_erased") == 3 and res.get("verified") is True, f"flash again: {res}", out + err)
board = kilntest.flash(d)
t.check(board[512 * 1024:552 * 1024] == open(image, "rb").read() and board[552 * 1024:] == b"\xff" * (472 * 1024)
        and board[:512 * 1024] == b"\xff" * (512 * 1024), "flash.bin: the new image, the rest erased")

# Back to one bank.
rc, out, err = run(["option-bytes", "set", "db1m=0", "--confirm"], sim)
t.check(rc == 0 and "single bank: sectors 0–11" in out, f"set db1m=0: exit {rc}", out + err)
t.check("Clearing DB1M" in err, "clearing it warns as well", err)
t.check(info(sim).get("sectors") == 12, "one bank again")

# Parts without DB1M: refused before anything is written.
for name, board in [("zi", "chip=STM32F429ZI"), ("f407", "chip=STM32F407VG"), ("f746", "")]:
    dd, s = t.bench(name, board=board)
    rc, out, err = run(["option-bytes"], s)
    before = kilntest.options(dd)
    t.check(rc == 0 and before, f"{name}: option-bytes show: exit {rc}", out + err)
    rc, out, err = run(["option-bytes", "set", "db1m=1", "--confirm"], s)
    t.check(rc != 0 and "DB1M applies only to STM32F42x/F43x parts with 1 MiB" in err,
            f"{name}: db1m=1 refused: exit {rc}", out + err)
    t.check(kilntest.options(dd) == before, f"{name}: a refused change touched options.ini")

t.finish()
