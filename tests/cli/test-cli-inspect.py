#!/usr/bin/env python3
"""kiln-cli inspect: text and JSON plans for the F746, an F767 in dual-bank
mode crossing into bank 2, and an F722; bad input exits 2 with a message."""
import json
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import kilntest  # noqa: E402

cli = sys.argv[1]
fixtures = sys.argv[2]
t = kilntest.Suite("cli-inspect")
check = t.check


def run(*args):
    p = subprocess.run([cli, "inspect", *args], capture_output=True, text=True,
                       env={**os.environ, "LC_ALL": "C.UTF-8"})
    return p.returncode, p.stdout, p.stderr


tmp = t.tmp


def write(name, data):
    path = os.path.join(tmp, name)
    with open(path, "wb") as f:
        f.write(data)
    return path


# The fixture firmware on the default chip (F746NG), text.
elf = os.path.join(fixtures, "blinky.elf")
rc, out, err = run(elf)
check(rc == 0, f"blinky.elf: exit {rc}, stderr {err!r}")
check("STM32F746NG: 1024 KiB of flash in one bank, programmed x32" in out, "F746 header")
check(".isr_vector" in out and ".data" in out, "segments listed")
check("1 sector will be erased and written" in out and "7 untouched" in out, "summary line")

# JSON for the same.
rc, out, err = run(elf, "--json")
check(rc == 0, "blinky.elf --json exit")
plan = json.loads(out)
check(len(plan["sectors"]) == 8, "F746 has 8 sectors")
s0 = plan["sectors"][0]
check(s0["sector"] == 0 and s0["address"] == 0x08000000 and s0["size"] == 32768
      and s0["action"] == "program", f"sector 0 {s0}")
check(all(s["action"] == "untouched" for s in plan["sectors"][1:]), "others untouched")
check(plan["ranges"][0]["address"] == 0x08000000, "range address")
check(plan["sectors_program"] == 1 and plan["sectors_untouched"] == 7, "totals")

# The ITCM-linked build maps to the same sector.
rc, out, err = run(os.path.join(fixtures, "blinky-itcm.elf"), "--json")
check(rc == 0, "itcm exit")
check(json.loads(out)["sectors"][0]["action"] == "program", "itcm maps to sector 0")

# F767 in dual-bank mode, 96 KiB from 0x080F0000: sectors 11, 12, 13.
blob = write("cross.bin", bytes((i * 13) & 0xFF for i in range(96 * 1024)))
rc, out, err = run(blob, "--base", "0x080F0000", "--chip", "STM32F767ZI", "--dual-bank", "--json")
check(rc == 0, f"f767 dual: exit {rc} {err}")
plan = json.loads(out)
prog = [s for s in plan["sectors"] if s["action"] == "program"]
check([s["sector"] for s in prog] == [11, 12, 13], f"f767 dual sectors {[s['sector'] for s in prog]}")
check([s["snb"] for s in prog] == [0x0B, 0x10, 0x11], "f767 dual SNB encoding")
check(prog[1]["address"] == 0x08100000 and prog[1]["bank"] == 2, "bank 2 starts at 0x08100000")
check(plan["dual_bank"] is True and len(plan["sectors"]) == 24, "24 sectors in dual bank")

# "FILE ADDRESS" gives a raw binary its base, as --base does.
rc2, out2, err2 = run(blob, "0x080F0000", "--chip", "STM32F767ZI", "--dual-bank", "--json")
check(rc2 == 0 and json.loads(out2) == plan, f"FILE ADDRESS: exit {rc2} {err2}")

# F722: 100 KiB → sectors 0–4.
blob = write("f722.bin", bytes(100 * 1024))
rc, out, err = run(blob, "--base", "0x08000000", "--chip", "stm32f722re", "--json")
plan = json.loads(out)
check([s["sector"] for s in plan["sectors"] if s["action"] == "program"] == [0, 1, 2, 3, 4], "f722 sectors")
check(plan["sectors"][4]["size"] == 65536, "f722 sector 4 is 64 KiB")

# Bad input: exit 2, a message on stderr naming the problem, nothing on stdout.
bad_hex = write("bad.hex", b":020000040800F2\n:0400100001020304E3\n:00000001FF\n")
cases = [
    ((bad_hex,), "bad.hex line 2: the checksum"),
    ((write("trunc.hex", b":020000040800F2\n:0400100001020304E2\n"),), "end-of-file record"),
    ((blob,), "give its base address after it or with --base (for example “kiln-cli inspect " + blob + " 0x08000000”)"),
    ((blob, "0x08000000", "0x08010000"), "exactly one firmware file"),
    ((blob, "banana"), "exactly one firmware file"),
    ((blob, "--base", "0x080FF000"), "past the end of the STM32F746NG"),
    ((blob, "--base", "banana"), "not an address"),
    ((elf, "--chip", "STM32H743ZI"), "not a chip Kiln knows"),
    ((elf, "--chip", "STM32F746NG", "--dual-bank"), "single flash bank"),
    ((os.path.join(tmp, "missing.elf"),), "There is no file " + os.path.join(tmp, "missing.elf")),
    ((tmp,), "is a folder, not a firmware file"),
    ((write("junk.elf", b"\x7fELF" + bytes(40)),), "junk.elf"),
    ((), "exactly one firmware file"),
]
for args, needle in cases:
    rc, out, err = run(*args)
    check(rc == 2, f"{args}: exit {rc}, want 2")
    check(needle in err, f"{args}: {needle!r} not in {err!r}")
    check(out == "", f"{args}: stdout not empty")

# A sparse image: 1 MiB, data only in sectors 0, 4 and 7 and there every
# other KiB 0xFF. The estimate counts only the units that are not all 0xFF
# (and what the link carries of them), so it says less than the old one,
# which programmed and carried every byte; before the target is read it
# still counts every erase, and says so.
sparse = bytearray(b"\xff" * (1024 * 1024))
for base, kib in ((0, 32), (0x20000, 128), (0xC0000, 256)):
    for k in range(0, kib, 2):
        sparse[base + k * 1024:base + k * 1024 + 1024] = bytes((i * 7 + k + base // 1024) & 0x7F for i in range(1024))
blob = write("sparse.bin", bytes(sparse))
rc, out, err = run(blob, "--base", "0x08000000", "--json")
check(rc == 0, f"sparse: exit {rc} {err}")
plan = json.loads(out)
erase_x32 = [0.25] * 4 + [0.55, 1.0, 1.0, 1.0]
old = (sum(erase_x32) + (1024 * 1024 // 4) * 16e-6) * 1.05 + 0.05
check(plan["program_units_bytes"] == (16 + 64 + 128) * 1024, f"sparse: units to program {plan['program_units_bytes']}")
check(plan["link_bytes"] < plan["program_units_bytes"] + 4 * 256, f"sparse: link bytes {plan['link_bytes']}")
check(plan["estimate_blank_known"] is False and plan["estimate_probe"] == 2 and plan["estimate_swd_khz"] == 4000,
      "sparse: what the estimate assumes")
check(sum(erase_x32) < plan["estimated_seconds"] < old - 3,
      f"sparse: estimate {plan['estimated_seconds']} s against {old:.2f} s before")
rc, out, err = run(blob, "--base", "0x08000000")
check(re.search(r"· about [0-9]+\.[0-9] s if no sector is blank \(ST-LINK/V2 at 4\.0 MHz\)", out),
      f"sparse: the summary says what it assumes: {out!r}")

t.finish()
