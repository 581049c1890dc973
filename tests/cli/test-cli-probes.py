#!/usr/bin/env python3
"""kiln-cli list and info on the virtual bench: in process (--simulator with
KILN_SIM) and through the drop-in libusb (the real libusb code path), every
probe personality and chip, and the link faults with their exit codes."""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import kilntest  # noqa: E402

cli, dropin, fixtures = sys.argv[1], os.path.abspath(sys.argv[2]), os.path.abspath(sys.argv[3])
t = kilntest.Suite("cli-probes")
tmp = t.tmp
check = t.check


def bench(text):
    path = os.path.join(tmp, f"b{abs(hash(text))}.ini")
    with open(path, "w") as f:
        f.write(text)
    return path


def run(args, sim=None, via_dropin=False):
    env = kilntest.env_for(sim, dropin=dropin if via_dropin else None)
    p = subprocess.run([cli, *args], capture_output=True, text=True, env=env, timeout=120)
    return p.returncode, p.stdout, p.stderr


PROBES = [
    ("P1", "stlink-v2", "V2J24S4", "STM32F746NG", "", 0x449, 1024, False, 8),
    ("P2", "stlink-v2", "V2J34S7", "STM32F767ZI", "ndbank=0\n", 0x451, 2048, True, 24),
    ("P3", "stlink-v2", "V2J37S7", "STM32F767ZI", "", 0x451, 2048, False, 12),
    ("P4", "stlink-v2-1", "V2J37M26", "STM32F722RE", "", 0x452, 512, False, 8),
    ("P5", "stlink-v3", "V3J7M2", "STM32F746NG", "rdp=0x55\nnwrp=0xDF\n", 0x449, 1024, False, 8),
]
text = ""
for i, (serial, model, fw, chip, extra, *_rest) in enumerate(PROBES, 1):
    text += f"[probe {i}]\nmodel={model}\nfirmware={fw}\nserial={serial}\n[board {i}]\nchip={chip}\n{extra}"
multi = bench(text)

for via in (False, True):
    how = "drop-in" if via else "in-process"
    args_sim = [] if via else ["--simulator"]
    rc, out, err = run(["list", *args_sim], multi, via)
    check(rc == 0, f"{how}: list exit {rc}", err)
    for serial, model, fw, *_ in PROBES:
        check(serial in out and fw in out, f"{how}: list misses {serial} {fw}", out)

    rc, out, err = run(["info", *args_sim], multi, via)
    check(rc == 3, f"{how}: info with five probes and no --probe exits {rc}, want 3", err)
    check("choose one with --probe" in err and "P5" in err, f"{how}: the error does not list the probes", err)

    for serial, model, fw, chip, extra, dev_id, kib, dual, sectors in PROBES:
        rc, out, err = run(["info", *args_sim, "--probe", serial, "--json"], multi, via)
        check(rc == 0, f"{how}: info {serial} exit {rc}", err)
        if rc != 0:
            continue
        j = json.loads(out)
        check(j["probe"]["firmware"] == fw, f"{how}: {serial} firmware {j['probe']['firmware']}")
        c = j["chip"]
        check(c["dev_id"] == dev_id and c["flash_kib"] == kib and c["dual_bank"] == dual and c["sectors"] == sectors,
              f"{how}: {serial} chip facts {c}")
        check(len(c["uid"]) == 24, f"{how}: {serial} UID {c['uid']}")
        if serial == "P5":
            check(c["rdp_level"] == 1, f"{how}: RDP level {c['rdp_level']}, want 1")
            check(c["protected_sectors"] == [5], f"{how}: protected {c['protected_sectors']}, want [5]")

# No probe at all (no simulator, no drop-in): exit 3 and the udev hint.
rc, out, err = run(["list"])
check(rc == 3 and "udev" in err, f"list without probes: exit {rc}", err)

# Faults: each gives its own message and exit code, and the next attempt
# succeeds once it clears.
blinky = os.path.join(fixtures, "blinky.elf")
swdoff = bench(f"[probe]\n[board]\nflash-image={blinky}\n[faults]\nswd-disabled-by-firmware=true\n")
rc, out, err = run(["info", "--simulator"], swdoff)
check(rc == 4 and "connect under reset" in err, f"SWD disabled: exit {rc}", err)
rc, out, err = run(["info", "--simulator", "--connect-under-reset"], swdoff)
check(rc == 0 and "STM32F74x" in out, f"SWD disabled, under reset: exit {rc}", err)

rc, out, err = run(["info", "--simulator"], bench("[probe]\n[board]\n[faults]\npower-loss-after-ms=0\n"))
check(rc == 4 and "no power" in err, f"power loss: exit {rc}", err)

rc, out, err = run(["info", "--simulator"], bench("[probe]\n[board]\n[faults]\nusb-hang-after-ms=0\n"))
check(rc == 4 and "stopped answering" in err, f"hang: exit {rc}", err)

rc, out, err = run(["info", "--simulator"], bench("[probe]\n[board]\n[faults]\nusb-disconnect-after-ms=0\n"))
check(rc in (3, 4) and ("unplugged" in err or "No ST-LINK" in err), f"unplug: exit {rc}", err)

t.finish()
