#!/usr/bin/env python3
"""Conformance of the virtual bench against programs nobody here wrote:
st-info, st-flash, OpenOCD and pyOCD from Debian, run unmodified through the
drop-in libusb-1.0.so.0, each on a fresh board state.

Usage: test-peers.py DROPIN_DIR FIXTURES_DIR [CASE...]
Prints TAP. A peer missing from the machine skips its cases.
"""
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import kilntest  # noqa: E402

dropin, fixtures = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
only = set(sys.argv[3:])
tmp = tempfile.mkdtemp(prefix="kiln-peers-")
results = []
OPENOCD_PORTS = "gdb_port disabled; tcl_port disabled; telnet_port disabled"


def bench(name, text):
    d = os.path.join(tmp, name)
    os.makedirs(d, exist_ok=True)
    path = os.path.join(d, "sim.ini")
    with open(path, "w") as f:
        f.write(text.replace("@STATE@", os.path.join(d, "state")))
    return d, path


def run(cmd, sim, report=None, timeout=240):
    env = dict(os.environ)
    env["LD_LIBRARY_PATH"] = dropin
    env["KILN_SIM"] = sim
    if report:
        env["KILN_SIM_REPORT"] = report
    p = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)
    return p.returncode, p.stdout + p.stderr


flash = kilntest.flash
report = kilntest.report


def case(name, needs):
    def wrap(fn):
        if only and name not in only:
            return fn
        missing = [n for n in needs if shutil.which(n) is None]
        if missing:
            # On CI every peer must be installed: a missing one fails.
            status = "fail" if kilntest.on_ci() else "skip"
            results.append((name, status, f"{' '.join(missing)} not installed"))
            return fn
        try:
            fn()
            results.append((name, "ok", ""))
        except AssertionError as e:
            results.append((name, "fail", str(e)))
        except subprocess.TimeoutExpired as e:
            results.append((name, "fail", f"timed out: {e.cmd[0]}"))
        return fn
    return wrap


def check(cond, what, log=""):
    if not cond:
        raise AssertionError(what + ("\n" + log[-3000:] if log else ""))


def load_elf(path):
    """The load image of an ELF32 file: {address: bytes} from PT_LOAD p_paddr."""
    import struct
    data = open(path, "rb").read()
    phoff, = struct.unpack_from("<I", data, 28)
    phentsize, phnum = struct.unpack_from("<HH", data, 42)
    out = []
    for i in range(phnum):
        p_type, p_offset, p_vaddr, p_paddr, p_filesz = struct.unpack_from("<IIIII", data, phoff + i * phentsize)
        if p_type == 1 and p_filesz:
            out.append((p_paddr, data[p_offset:p_offset + p_filesz]))
    return out


def expect_image(mem, pieces, base=0x08000000):
    exp = bytearray(b"\xff" * len(mem))
    for addr, blob in pieces:
        exp[addr - base:addr - base + len(blob)] = blob
    return bytes(exp) == mem


random.seed(1)
img100k = os.path.join(tmp, "img100k.bin")
with open(img100k, "wb") as f:
    f.write(bytes(random.getrandbits(8) for _ in range(100000)))
blinky = os.path.join(fixtures, "blinky.elf")


@case("st-info-probe", ["st-info"])
def _():
    d, sim = bench("stinfo", "[probe]\n[board]\nstate=@STATE@\n")
    rc, out = run(["st-info", "--probe"], sim)
    check(rc == 0, f"st-info exit {rc}", out)
    check("V2J34S7" in out, "firmware V2J34S7 not reported", out)
    check("0x0449" in out, "chip id 0x449 not reported", out)
    check("1048576" in out, "1024 KiB flash not reported", out)


@case("st-flash-write", ["st-flash"])
def _():
    d, sim = bench("stflash", "[probe]\n[board]\nstate=@STATE@\n")
    rc, out = run(["st-flash", "write", img100k, "0x08000000"], sim, os.path.join(d, "r.json"))
    check(rc == 0, f"st-flash exit {rc}", out)
    check("verified" in out, "st-flash did not verify", out)
    mem = flash(d)
    check(len(mem) == 1024 * 1024, "flash.bin is not 1 MiB")
    check(mem[:100000] == open(img100k, "rb").read(), "flash.bin does not hold the file's bytes")
    check(mem[100000:] == b"\xff" * (len(mem) - 100000), "the rest of flash is not erased")
    check(report(os.path.join(d, "r.json"))["violations"] == [], "violations reported")


# Firmware from V2J37 and V3J7 wants INIT_AP before an AP is used, but opens
# AP 0 by itself for an ST target: st-flash 1.7 never sends INIT_AP and works
# with those probes.
@case("st-flash-write-j37-v3", ["st-flash"])
def _():
    for i, probe in enumerate(["model=stlink-v2-1\nfirmware=V2J37M26\n", "model=stlink-v3\nfirmware=V3J7M2\n"]):
        d, sim = bench(f"stflash37-{i}", f"[probe]\n{probe}[board]\nstate=@STATE@\n")
        rc, out = run(["st-flash", "write", img100k, "0x08000000"], sim, os.path.join(d, "r.json"))
        check(rc == 0 and "verified" in out, f"st-flash against [probe] {probe!r}: exit {rc}", out)
        check(flash(d)[:100000] == open(img100k, "rb").read(), "flash.bin does not hold the file's bytes")


def openocd_program(name, board, image, extra=""):
    d, sim = bench(name, f"[probe]\n{extra}[board]\nstate=@STATE@\n{board}")
    rep = os.path.join(d, "r.json")
    rc, out = run(["openocd", "-f", "interface/stlink.cfg", "-f", "target/stm32f7x.cfg",
                   "-c", OPENOCD_PORTS, "-c", f"program {image} verify reset exit"], sim, rep)
    check(rc == 0, f"openocd exit {rc}", out)
    check("Verified OK" in out, "OpenOCD did not verify", out)
    check("slow" not in out.lower() and "falling back" not in out.lower(),
          "OpenOCD fell back to slow writes instead of its flash loader", out)
    return d, rep, out


@case("openocd-f746-elf", ["openocd"])
def _():
    d, rep, out = openocd_program("ocd746", "", blinky)
    check(expect_image(flash(d), load_elf(blinky)), "flash.bin does not match the ELF's load image")
    r = report(rep)
    check(r["core_instructions"] > 0, "OpenOCD's loader did not run on the core")
    check(r["violations"] == [], f"violations {r['violations']}")


@case("openocd-f767-dual-bank", ["openocd"])
def _():
    blob = bytes(random.getrandbits(8) for _ in range(96 * 1024))
    path = os.path.join(tmp, "cross.bin")
    open(path, "wb").write(blob)
    d, rep, out = openocd_program("ocd767", "chip=STM32F767ZI\nndbank=0\n", f"{path} 0x080F0000")
    mem = flash(d)
    check(mem[0xF0000:0xF0000 + len(blob)] == blob, "image crossing into bank 2 not in flash.bin")
    erased = sorted(e["sector"] for e in report(rep)["sectors_erased"])
    check(erased == [11, 12, 13], f"erased sectors {erased}, want 11, 12, 13 (dual-bank layout)")


@case("openocd-f722", ["openocd"])
def _():
    d, rep, out = openocd_program("ocd722", "chip=STM32F722RE\n", blinky)
    check(len(flash(d)) == 512 * 1024, "F722 flash.bin is not 512 KiB")
    check(expect_image(flash(d), load_elf(blinky)), "flash.bin does not match the ELF's load image")


# The F4 and F2 boards (core/sim/kiln-sim-chips-f4.c). OpenOCD's
# stm32f4x.cfg / stm32f2x.cfg program and verify each with its flash loader,
# the F429ZI across into bank 2; st-flash writes and verifies each.
F4_BOARDS = [("STM32F407VG", "stm32f4x.cfg", 1024), ("STM32F411RE", "stm32f4x.cfg", 512),
             ("STM32F412ZG", "stm32f4x.cfg", 1024), ("STM32F429ZI", "stm32f4x.cfg", 2048),
             ("STM32F446RE", "stm32f4x.cfg", 512), ("STM32F207ZG", "stm32f2x.cfg", 1024)]


def openocd_f4(name, chip, cfg, image, probe=""):
    d, sim = bench(name, f"[probe]\n{probe}[board]\nstate=@STATE@\nchip={chip}\n")
    rep = os.path.join(d, "r.json")
    rc, out = run(["openocd", "-f", "interface/stlink.cfg", "-f", f"target/{cfg}",
                   "-c", OPENOCD_PORTS, "-c", f"program {image} verify reset exit"], sim, rep)
    check(rc == 0 and "Verified OK" in out, f"OpenOCD on the {chip}: exit {rc}", out)
    r = report(rep)
    check(r["core_instructions"] > 0, f"{chip}: OpenOCD's loader did not run on the core")
    check(r["violations"] == [], f"{chip}: violations {r['violations']}")
    return d, r


@case("openocd-f4-f2-boards", ["openocd"])
def _():
    blob = open(img100k, "rb").read()
    for chip, cfg, kib in F4_BOARDS:
        d, r = openocd_f4(f"ocd-{chip}", chip, cfg, f"{img100k} 0x08000000")
        mem = flash(d)
        check(len(mem) == kib * 1024, f"{chip}: flash.bin is not {kib} KiB")
        check(mem == blob + b"\xff" * (len(mem) - len(blob)), f"{chip}: flash.bin does not hold exactly the file")


@case("openocd-f429-bank-2", ["openocd"])
def _():
    blob = bytes(random.getrandbits(8) for _ in range(96 * 1024))
    path = os.path.join(tmp, "f429cross.bin")
    open(path, "wb").write(blob)
    d, r = openocd_f4("ocd-f429-cross", "STM32F429ZI", "stm32f4x.cfg", f"{path} 0x080F0000")
    mem = flash(d)
    check(mem[0xF0000:0xF0000 + len(blob)] == blob, "image crossing into bank 2 not in flash.bin")
    check(mem[:0xF0000] == b"\xff" * 0xF0000 and mem[0x108000:] == b"\xff" * (len(mem) - 0x108000),
          "flash.bin holds more than the image")
    erased = sorted(e["sector"] for e in r["sectors_erased"])
    check(erased == [11, 12, 13], f"erased sectors {erased}, want 11, 12, 13 (bank 2 starts at 12)")


@case("st-flash-f4-f2-boards", ["st-flash"])
def _():
    blob = open(img100k, "rb").read()
    for chip, cfg, kib in F4_BOARDS:
        d, sim = bench(f"stflash-{chip}", f"[probe]\n[board]\nstate=@STATE@\nchip={chip}\n")
        rep = os.path.join(d, "r.json")
        rc, out = run(["st-flash", "write", img100k, "0x08000000"], sim, rep)
        check(rc == 0 and "verified" in out, f"st-flash on the {chip}: exit {rc}", out)
        mem = flash(d)
        check(mem == blob + b"\xff" * (len(mem) - len(blob)), f"{chip}: flash.bin does not hold exactly the file")
        rb = os.path.join(d, "back.bin")
        rc, out = run(["st-flash", "read", rb, "0x08000000", str(len(blob))], sim)
        check(rc == 0 and open(rb, "rb").read() == blob, f"{chip}: st-flash read back other bytes", out)
        check(report(rep)["violations"] == [], f"{chip}: violations {report(rep)['violations']}")


@case("cross-check", ["openocd", "st-flash"])
def _():
    d, rep, out = openocd_program("cross", "", f"{img100k} 0x08000000")
    out_path = os.path.join(d, "readback.bin")
    sim = os.path.join(d, "sim.ini")
    rc, log = run(["st-flash", "read", out_path, "0x08000000", "100000"], sim)
    check(rc == 0, f"st-flash read exit {rc}", log)
    check(open(out_path, "rb").read() == open(img100k, "rb").read(),
          "st-flash read back different bytes from what OpenOCD wrote")


@case("determinism", ["openocd"])
def _():
    # With host gaps left out of the timeline, a job's device time depends
    # only on what the host asked for.
    outs = []
    for i in range(2):
        d, sim = bench(f"det{i}", "[bench]\nhost-gaps=ignore\n[probe]\n[board]\nstate=@STATE@\n")
        rep = os.path.join(d, "r.json")
        rc, out = run(["openocd", "-f", "interface/stlink.cfg", "-f", "target/stm32f7x.cfg", "-c", OPENOCD_PORTS,
                       "-c", f"program {img100k} 0x08000000 verify exit"], sim, rep)
        check(rc == 0, "openocd failed", out)
        outs.append((flash(d), report(rep)["device_time_s"]))
    check(outs[0][0] == outs[1][0], "flash.bin differs between two identical jobs")
    check(outs[0][1] == outs[1][1], f"device time differs: {outs[0][1]} vs {outs[1][1]}")


@case("fault-stale-flash-errors", ["openocd"])
def _():
    d, rep, out = openocd_program("stale", "", blinky, "")
    # Same job with error flags set at power-up: OpenOCD clears them and succeeds.
    d, sim = bench("stale2", "[probe]\n[board]\nstate=@STATE@\n[faults]\nstale-flash-errors=PGPERR,ERSERR\n")
    rep = os.path.join(d, "r.json")
    rc, out = run(["openocd", "-f", "interface/stlink.cfg", "-f", "target/stm32f7x.cfg", "-c", OPENOCD_PORTS,
                   "-c", f"program {blinky} verify reset exit"], sim, rep)
    check("stale-flash-errors" in report(rep)["faults_injected"], "fault not recorded")
    check(rc == 0 and "Verified OK" in out, "OpenOCD did not recover from stale flags", out)


@case("fault-weak-words", ["st-flash"])
def _():
    d, sim = bench("weak", "[probe]\n[board]\nstate=@STATE@\n[faults]\nweak-words=0x08000100\n")
    rep = os.path.join(d, "r.json")
    rc, out = run(["st-flash", "write", img100k, "0x08000000"], sim, rep)
    check(rc != 0, "st-flash's verify did not catch the weak word", out)
    check("Verification of flash failed" in out, "not st-flash's own verify failure", out)
    check("weak-words" in report(rep)["faults_injected"], "fault not recorded")
    # Only the weak word came out wrong: the rest of the file is in flash.
    img = open(img100k, "rb").read()
    diff = [i for i, (a, b) in enumerate(zip(flash(d), img)) if a != b]
    check(diff and all(0x100 <= i < 0x104 for i in diff), f"flash.bin differs at {diff[:8]}, want only 0x100..0x103")


@case("fault-usb-disconnect", ["openocd"])
def _():
    d, sim = bench("unplug", "[probe]\n[board]\nstate=@STATE@\n[faults]\nusb-disconnect-after-ms=300\n")
    rep = os.path.join(d, "r.json")
    rc, out = run(["openocd", "-f", "interface/stlink.cfg", "-f", "target/stm32f7x.cfg", "-c", OPENOCD_PORTS,
                   "-c", f"program {img100k} 0x08000000 verify exit"], sim, rep, timeout=120)
    check(rc != 0, "OpenOCD succeeded although the probe was unplugged", out)
    check("** Programming Failed **" in out, "OpenOCD did not report the failed programming", out)
    check("usb-disconnect-after-ms" in report(rep)["faults_injected"], "fault not recorded")
    check(flash(d)[:100000] != open(img100k, "rb").read(), "the image is in flash although the probe went away")


@case("fault-usb-hang", ["openocd"])
def _():
    d, sim = bench("hang", "[probe]\n[board]\nstate=@STATE@\n[faults]\nusb-hang-after-ms=300\n")
    rep = os.path.join(d, "r.json")
    rc, out = run(["openocd", "-f", "interface/stlink.cfg", "-f", "target/stm32f7x.cfg", "-c", OPENOCD_PORTS,
                   "-c", f"program {img100k} 0x08000000 verify exit"], sim, rep, timeout=120)
    check(rc != 0, "OpenOCD succeeded although the probe stopped answering", out)
    check("** Programming Failed **" in out, "OpenOCD did not report the failed programming", out)
    check("usb-hang-after-ms" in report(rep)["faults_injected"], "fault not recorded")
    check(flash(d)[:100000] != open(img100k, "rb").read(), "the image is in flash although the probe hung")


@case("fault-power-loss", ["st-info"])
def _():
    d, sim = bench("power", "[probe]\n[board]\nstate=@STATE@\n[faults]\npower-loss-after-ms=0\n")
    rep = os.path.join(d, "r.json")
    rc, out = run(["st-info", "--probe"], sim, rep, timeout=60)
    # The probe is there; the target behind it answers nothing, so st-info
    # reads a chip id of zero and knows no device.
    check(rc == 0 and "Found 1 stlink programmers" in out, f"st-info did not find the probe: exit {rc}", out)
    check(re.search(r"chipid:\s+0x0000\b", out) and re.search(r"descr:\s+unknown device", out),
          "st-info did not report an unreadable chip (chipid 0x0000, unknown device)", out)
    check("power-loss-after-ms" in report(rep)["faults_injected"], "fault not recorded")


@case("fault-swd-disabled", ["openocd"])
def _():
    d, sim = bench("swdoff", f"[probe]\n[board]\nstate=@STATE@\nflash-image={blinky}\n"
                             "[faults]\nswd-disabled-by-firmware=true\n")
    rep = os.path.join(d, "r.json")
    rc, out = run(["openocd", "-f", "interface/stlink.cfg", "-f", "target/stm32f7x.cfg", "-c", OPENOCD_PORTS,
                   "-c", "init; exit"], sim, rep, timeout=120)
    # Powered (the probe reads the target voltage) but SWD does not answer.
    check("init mode failed (unable to connect to the target)" in out,
          "OpenOCD did not fail to connect although the firmware disabled SWD", out)
    check(re.search(r"Target voltage: 3\.[0-9]", out), "the board was not powered", out)
    check("swd-disabled-by-firmware" in report(rep)["faults_injected"], "fault not recorded")
    rc, out = run(["openocd", "-f", "interface/stlink.cfg", "-c", "reset_config srst_only connect_assert_srst",
                   "-f", "target/stm32f7x.cfg", "-c", OPENOCD_PORTS,
                   "-c", "init; reset halt; exit"], sim, timeout=120)
    check(rc == 0 and "halted" in out, "connect under reset did not attach", out)


def openocd_dap_program(name, probe, image=None, board=""):
    d, sim = bench(name, f"[probe]\n{probe}[board]\nstate=@STATE@\n{board}")
    rep = os.path.join(d, "r.json")
    rc, out = run(["openocd", "-f", "interface/stlink-dap.cfg", "-f", "target/stm32f7x.cfg",
                   "-c", OPENOCD_PORTS, "-c", f"program {image or blinky} verify reset exit"], sim, rep)
    check(rc == 0, f"openocd exit {rc}", out)
    check("dapdirect_swd" in out, "OpenOCD did not use the DAP-level driver", out)
    check("Verified OK" in out, "OpenOCD did not verify", out)
    if image is None:
        check(expect_image(flash(d), load_elf(blinky)), "flash.bin does not match the ELF's load image")
    r = report(rep)
    check(r["core_instructions"] > 0, "OpenOCD's loader did not run on the core")
    check(r["violations"] == [], f"violations {r['violations']}")
    return d, r


# interface/stlink-dap.cfg drives the DAP itself: DAP register commands, and
# from J32 batched RW_MISC transfers; from J37 every AP must be opened first.
@case("openocd-dap-v2j34", ["openocd"])
def _():
    openocd_dap_program("dap34", "")


@case("openocd-dap-v2j37", ["openocd"])
def _():
    openocd_dap_program("dap37", "firmware=V2J37S7\n")


@case("openocd-dap-v3", ["openocd"])
def _():
    openocd_dap_program("dapv3", "model=stlink-v3\nfirmware=V3J7M2\n")


@case("openocd-dap-f767-dual-bank", ["openocd"])
def _():
    blob = bytes(random.getrandbits(8) for _ in range(96 * 1024))
    path = os.path.join(tmp, "dapcross.bin")
    open(path, "wb").write(blob)
    d, r = openocd_dap_program("dap767", "", f"{path} 0x080F0000", "chip=STM32F767ZI\nndbank=0\n")
    check(flash(d)[0xF0000:0xF0000 + len(blob)] == blob, "image crossing into bank 2 not in flash.bin")
    erased = sorted(e["sector"] for e in r["sectors_erased"])
    check(erased == [11, 12, 13], f"erased sectors {erased}, want 11, 12, 13 (dual-bank layout)")


# Clone probes ship with V2 firmware older than J24 (J17, J21, J23): the
# bench answers only the commands each version has. OpenOCD's hla driver
# programs and verifies through them (no DAP register commands, and before
# J22 no clock setting); its DAP-level driver refuses them, as Kiln says.
OLD_V2 = ["V2J11S3", "V2J17S4", "V2J21S4", "V2J23S4"]


@case("openocd-hla-old-firmware", ["openocd"])
def _():
    for fw in OLD_V2:
        d, rep, out = openocd_program(f"hla-{fw}", "", blinky, f"model=stlink-v2\nfirmware={fw}\n")
        check(f"STLINK {fw} (API v2)" in out, f"OpenOCD did not see {fw}", out)
        check(expect_image(flash(d), load_elf(blinky)), f"{fw}: flash.bin does not match the ELF's load image")
        check(report(rep)["violations"] == [], f"{fw}: violations {report(rep)['violations']}")


# st-flash 1.7 reads the target voltage unasked (a command from J13), so
# only firmware from J13 on.
@case("st-flash-old-firmware", ["st-flash"])
def _():
    for fw in OLD_V2[1:]:
        d, sim = bench(f"stflash-{fw}", f"[probe]\nmodel=stlink-v2\nfirmware={fw}\n[board]\nstate=@STATE@\n")
        rc, out = run(["st-flash", "write", img100k, "0x08000000"], sim, os.path.join(d, "r.json"))
        check(rc == 0 and "verified" in out, f"st-flash through {fw}: exit {rc}", out)
        check(flash(d)[:100000] == open(img100k, "rb").read(), f"{fw}: flash.bin does not hold the file's bytes")


@case("openocd-dap-refuses-old-firmware", ["openocd"])
def _():
    d, sim = bench("dap-old", "[probe]\nmodel=stlink-v2\nfirmware=V2J23S4\n[board]\nstate=@STATE@\n")
    rc, out = run(["openocd", "-f", "interface/stlink-dap.cfg", "-f", "target/stm32f7x.cfg",
                   "-c", OPENOCD_PORTS, "-c", "init; exit"], sim, timeout=120)
    check(rc != 0 and "does not support DAP direct" in out, "OpenOCD's DAP driver accepted V2J23", out)


def pyocd_python():
    """The interpreter Debian's pyOCD scripts run with (it need not be the
    python3 first on PATH)."""
    with open(shutil.which("pyocd-tool")) as f:
        line = f.readline()
    return line[2:].strip() if line.startswith("#!") else "python3"


PYOCD_EXERCISE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "pyocd-exercise.py")


# pyOCD 0.13 has no F7 target: the generic cortex_m one. Each personality on
# a fresh board preloaded with blinky: connect, halt, flash reads against the
# ELF, SRAM writes and reads in 8/16/32 bits across 1 KiB boundaries, core
# registers, step, run to a breakpoint, a faulting read, reset and halt.
@case("pyocd-cortex-m", ["pyocd-tool"])
def _():
    probes = ["", "firmware=V2J24S4\n", "firmware=V2J37S7\n", "model=stlink-v2-1\nfirmware=V2J37M26\n"]
    for i, probe in enumerate(probes):
        d, sim = bench(f"pyocd{i}", f"[probe]\n{probe}[board]\nstate=@STATE@\nflash-image={blinky}\n")
        rep = os.path.join(d, "r.json")
        rc, out = run([pyocd_python(), PYOCD_EXERCISE, blinky], sim, rep, timeout=120)
        check(rc == 0 and out.rstrip().endswith("done"), f"pyOCD against [probe] {probe!r}", out)
        check(report(rep)["violations"] == [], f"violations {report(rep)['violations']}")


# pyOCD 0.13 predates its STLINK-V3 support and refuses a V3 with the message
# a real V3 gave it (pyOCD pull request #628): GET_VERSION reports J0 on V3.
@case("pyocd-refuses-v3", ["pyocd-tool"])
def _():
    d, sim = bench("pyocdv3", "[probe]\nmodel=stlink-v3\nfirmware=V3J7M2\n[board]\n")
    rc, out = run([pyocd_python(), PYOCD_EXERCISE, blinky], sim, timeout=120)
    check(rc != 0, "pyOCD 0.13 accepted a V3", out)
    check("Current version is V3 v3J0" in out, "not the refusal a real V3 gets from pyOCD 0.13", out)


# pyOCD 0.13 carries flash algorithms for the STM32F412xG and STM32F439xI
# built from ST's sources: run unmodified on the simulated core against the
# simulated flash controller (the F429ZI is the F439's die without crypto),
# through a V2-1 and a V2.
@case("pyocd-f412-f439-algorithms", ["pyocd-flashtool"])
def _():
    blob = open(img100k, "rb").read()
    for chip, target in [("STM32F412ZG", "stm32f412xg"), ("STM32F429ZI", "stm32f439xi")]:
        for i, probe in enumerate(["model=stlink-v2-1\nfirmware=V2J37M26\n", "model=stlink-v2\nfirmware=V2J34S7\n"]):
            d, sim = bench(f"pyocd-{target}-{i}", f"[probe]\n{probe}[board]\nstate=@STATE@\nchip={chip}\n")
            rep = os.path.join(d, "r.json")
            with open(shutil.which("pyocd-flashtool")) as f:
                tool = f.readline()[2:].strip()
            rc, out = run([tool, shutil.which("pyocd-flashtool"), "-t", target, "-a", "0x08000000", img100k],
                          sim, rep, timeout=300)
            check(rc == 0 and "Programmed" in out, f"pyOCD -t {target} through {probe!r}: exit {rc}", out)
            mem = flash(d)
            check(mem == blob + b"\xff" * (len(mem) - len(blob)), f"{chip}: flash.bin does not hold exactly the file")
            r = report(rep)
            check(r["core_instructions"] > 0, f"{chip}: pyOCD's algorithm did not run on the core")
            check(r["violations"] == [], f"{chip}: violations {r['violations']}")


# pyOCD wants V2J24 (its direct DAP access): older firmware is refused by
# name, which is what Kiln's firmware limits say.
@case("pyocd-refuses-old-firmware", ["pyocd-tool"])
def _():
    d, sim = bench("pyocd-old", "[probe]\nmodel=stlink-v2\nfirmware=V2J17S4\n[board]\n")
    rc, out = run([pyocd_python(), PYOCD_EXERCISE, blinky], sim, timeout=120)
    check(rc != 0 and "must be at least version v2J24" in out, "pyOCD 0.13 accepted V2J17", out)


n = len(results)
print(f"1..{n}")
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
