#!/usr/bin/env python3
"""The bench against published ST-LINK figures: each row of the calibration
table in core/sim/README.md ("Calibration") that the bench can reproduce is
run here with OpenOCD, unmodified, through the drop-in libusb, and must land
within ±15 % of the published time.

The published times are OpenOCD's own figure for one operation ("downloaded
… in", "wrote … in", "erased … in", "dumped … in"), so the bench's figure is
the device time of a session doing the operation less the device time of
the same session without it, both with the host's gaps left out of the
timeline ([bench] host-gaps = ignore): deterministic, whatever the machine's
speed or load.

Usage: test-calibration.py DROPIN_DIR [ROW...]
Prints TAP and, for each row, the published and the modeled figure.
"""
import os
import random
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import kilntest  # noqa: E402

dropin = os.path.abspath(sys.argv[1])
only = set(sys.argv[2:])
tmp = tempfile.mkdtemp(prefix="kiln-calibration-")
PORTS = "gdb_port disabled; tcl_port disabled; telnet_port disabled"
TOLERANCE = 0.15

V2_J39 = "model=stlink-v2\nfirmware=V2J39S7\n"
V2_J28 = "model=stlink-v2\nfirmware=V2J28S7\n"
V21_J40 = "model=stlink-v2-1\nfirmware=V2J40M27\n"
V3 = "model=stlink-v3\nfirmware=V3J7M2\n"


def image(name, size, seed):
    path = os.path.join(tmp, name)
    rnd = random.Random(seed)
    with open(path, "wb") as f:
        f.write(bytes(rnd.getrandbits(8) for _ in range(size)))
    return path


def session(name, probe, board, cfg, commands):
    """Device time (s) of one OpenOCD session on a fresh board, and its output."""
    d = os.path.join(tmp, name)
    os.makedirs(d, exist_ok=True)
    sim = os.path.join(d, "sim.ini")
    with open(sim, "w") as f:
        f.write(f"[bench]\nhost-gaps = ignore\n[probe]\n{probe}[board]\nstate = {d}/state\n{board}")
    rep = os.path.join(d, "r.json")
    env = kilntest.env_for(sim, rep, dropin)
    p = subprocess.run(["openocd", "-f", "interface/stlink.cfg", "-f", f"target/{cfg}", "-c", PORTS,
                        "-c", commands], env=env, capture_output=True, text=True, timeout=600)
    out = p.stdout + p.stderr
    if p.returncode != 0:
        raise AssertionError(f"{name}: openocd exit {p.returncode}\n{out[-2000:]}")
    r = kilntest.report(rep)
    if r["violations"]:
        raise AssertionError(f"{name}: violations {r['violations']}")
    return r["device_time_s"], out, d


# Each row: (name, what was published, published s, probe, board keys,
# OpenOCD target file, adapter speed in kHz, the operation, a check of the
# operation's effect, and what both sessions do after it to make the check
# possible). The setup before the operation is "init; halt" at the
# row's clock: no reset, because the F2/F4 configurations lower the adapter
# speed at reset-start (2 MHz, which a V3 rounds down to 1 MHz) and the
# published sessions ran at the clock they name.
def rows():
    r128 = image("read128k.bin", 128 * 1024, 1)
    r256 = image("read256k.bin", 256 * 1024, 2)
    r1m = image("read1m.bin", 1024 * 1024, 3)
    ram = image("sram.bin", 129880, 4)
    prog = image("prog.bin", 1045900, 5)
    p512 = image("prog512k.bin", 512 * 1024, 6)
    back = os.path.join(tmp, "back.bin")
    return [
        ("read-1m-v2-1800k",
         "V2 V2J39S7, 1800 kHz: OpenOCD 0.12 reads 1 MiB of flash (AT32F403A, a Cortex-M4)", 9.720,
         V2_J39, f"chip = STM32F407VG\nflash-image = {r1m}\n", "stm32f4x.cfg", 1800,
         f"dump_image {back} 0x08000000 0x100000", ("read", r1m, back)),
        ("read-128k-v2-1-950k",
         "V2-1 V2J40M27, 950 kHz: OpenOCD 0.12 reads 128 KiB of flash (STM32F103RB, a Cortex-M3)", 1.981,
         V21_J40, f"chip = STM32F207ZG\nflash-image = {r128}\n", "stm32f2x.cfg", 1000,
         f"dump_image {back} 0x08000000 0x20000", ("read", r128, back)),
        ("read-256k-v2-950k",
         "V2 V2J28S7, 950 kHz: OpenOCD 0.11 reads 256 KiB of flash (STM32F103VC, a Cortex-M3)", 4.186,
         V2_J28, f"chip = STM32F207ZG\nflash-image = {r256}\n", "stm32f2x.cfg", 1000,
         f"dump_image {back} 0x08000000 0x40000", ("read", r256, back)),
        ("sram-127k-v3-24m",
         "STLINK-V3, 24 MHz: OpenOCD 0.12 writes 129880 bytes to SRAM (STM32F407VG)", 0.1375,
         V3, "chip = STM32F407VG\n", "stm32f4x.cfg", 24000,
         f"load_image {ram} 0x20000000 bin", ("ram", ram, back), f"dump_image {back} 0x20000000 129880"),
        ("erase-1m-f407-v3",
         "STLINK-V3, 24 MHz: OpenOCD 0.12 erases 1 MiB of an STM32F407VG (flash erase_address)", 15.35,
         V3, f"chip = STM32F407VG\nflash-image = {r1m}\n", "stm32f4x.cfg", 24000,
         "flash erase_address 0x08000000 0x100000", ("erased", 1024 * 1024)),
        ("write-1045900-f407-v3",
         "STLINK-V3, 24 MHz: OpenOCD 0.12 writes 1045900 bytes into an erased STM32F407VG (flash write_image)", 9.13,
         V3, "chip = STM32F407VG\n", "stm32f4x.cfg", 24000,
         f"flash write_image {prog} 0x08000000", ("flash", prog)),
        # The whole session here: what the figure covers is not said.
        ("program-512k-f746-v2-1",
         "V2-1 (F746 Discovery): OpenOCD programs 512 KiB into an STM32F746 (program … reset exit)", 8.68,
         "model=stlink-v2-1\nfirmware=V2J37M26\n", "", "stm32f7x.cfg", None,
         f"program {p512} 0x08000000 reset", ("flash", p512)),
    ]


def effect_ok(effect, d):
    kind = effect[0]
    if kind in ("read", "ram"):
        return open(effect[1], "rb").read() == open(effect[2], "rb").read()
    mem = kilntest.flash(d)
    if kind == "erased":
        return mem[:effect[1]] == b"\xff" * effect[1]
    blob = open(effect[1], "rb").read()
    return mem[:len(blob)] == blob and mem[len(blob):] == b"\xff" * (len(mem) - len(blob))


results = []
table = []
if shutil.which("openocd") is None:
    status = "fail" if kilntest.on_ci() else "skip"
    results.append(("calibration", status, "openocd not installed"))
else:
    for name, what, published, probe, board, cfg, khz, op, effect, *after in rows():
        if only and name not in only:
            continue
        try:
            after = "".join(f"{a}; " for a in after)
            if khz is None:
                base = 0.0
                total, out, d = session(name, probe, board, cfg, f"{op}; exit")
            else:
                setup = f"adapter speed {khz}; init; halt"
                base, _, _ = session(name + "-base", probe, board, cfg, f"{setup}; {after}exit")
                total, out, d = session(name, probe, board, cfg, f"{setup}; {op}; {after}exit")
            if not effect_ok(effect, d):
                raise AssertionError(f"{name}: the operation did not do what it should\n{out[-2000:]}")
            modeled = total - base
            diff = modeled / published - 1
            table.append((name, what, published, modeled, diff))
            if abs(diff) > TOLERANCE:
                raise AssertionError(f"{name}: {modeled:.4f} s modeled against {published} s published "
                                     f"({diff:+.1%}, outside ±15 %)")
            results.append((name, "ok", ""))
        except AssertionError as e:
            results.append((name, "fail", str(e)))
        except subprocess.TimeoutExpired as e:
            results.append((name, "fail", f"timed out: {e.cmd[0]}"))

print(f"1..{len(results)}")
for name, what, published, modeled, diff in table:
    print(f"# {name}: published {published} s, modeled {modeled:.4f} s ({diff:+.1%}) — {what}")
failed = 0
for i, (name, status, msg) in enumerate(results, 1):
    if status == "ok":
        print(f"ok {i} {name}")
    elif status == "skip":
        print(f"ok {i} {name} # SKIP {msg}")
    else:
        failed += 1
        print(f"not ok {i} {name}")
        for line in msg.splitlines():
            print(f"# {line}")
shutil.rmtree(tmp, ignore_errors=True)
sys.exit(1 if failed else 0)
