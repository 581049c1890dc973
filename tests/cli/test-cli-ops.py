#!/usr/bin/env python3
"""kiln-cli verify, erase, read and option-bytes on the virtual bench, in
process (--simulator) and through the drop-in libusb: output, exit codes,
the state's flash.bin and options.ini (checked independently of Kiln), the
bench report, --json event by event, bad arguments, and Ctrl-C."""
import json
import re
import os
import signal
import stat
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import kilntest  # noqa: E402

cli, dropin, fixtures = sys.argv[1], os.path.abspath(sys.argv[2]), os.path.abspath(sys.argv[3])
t = kilntest.Suite("cli-ops")
tmp = t.tmp
blinky = os.path.join(fixtures, "blinky.elf")
MIB = 1024 * 1024
check = t.check
flash = kilntest.flash
options = kilntest.options


def bench(name, board="", faults="", bench_lines=""):
    return t.bench(name, board=board, faults=faults, bench=bench_lines)


def env_for(sim, report=None, via_dropin=False):
    # meson puts the drop-in on LD_LIBRARY_PATH for this test: cleared
    # unless the drop-in is asked for.
    return kilntest.env_for(sim, report, dropin if via_dropin else None)


def run(cmd, args, sim, report=None, via_dropin=False):
    argv = [cli, cmd, *args]
    if sim and not via_dropin:
        argv.append("--simulator")
    p = subprocess.run(argv, capture_output=True, text=True, env=env_for(sim, report, via_dropin), timeout=300)
    return p.returncode, p.stdout, p.stderr


def optcr(d):
    for line in options(d).splitlines():
        if line.startswith("optcr="):
            return int(line.split("=")[1], 16)
    return None


def report(path):
    with open(path) as f:
        return json.load(f)


def json_lines(out, what):
    lines = []
    for l in out.splitlines():
        try:
            lines.append(json.loads(l))
        except ValueError:
            check(False, f"{what}: stdout line is not JSON: {l!r}", out)
    return lines


def elf_image(path, size):
    import struct
    data = open(path, "rb").read()
    phoff, = struct.unpack_from("<I", data, 28)
    phentsize, phnum = struct.unpack_from("<HH", data, 42)
    mem = bytearray(b"\xff" * size)
    for i in range(phnum):
        t, off, va, pa, fsz = struct.unpack_from("<IIIII", data, phoff + i * phentsize)
        if t == 1 and fsz:
            mem[pa - 0x08000000:pa - 0x08000000 + fsz] = data[off:off + fsz]
    return bytes(mem)


ERASED_1M = b"\xff" * MIB

# --- verify, read, erase: in process and through the drop-in -------------
for via in (False, True):
    tag = "dropin" if via else "in-process"
    d, sim = bench(f"basic-{tag}")
    rc, out, err = run("flash", [blinky], sim, via_dropin=via)
    check(rc == 0, f"{tag}: flash exit {rc}", err)
    want = elf_image(blinky, MIB)
    check(flash(d) == want, f"{tag}: flash.bin after flash")

    rc, out, err = run("verify", [blinky], sim, via_dropin=via)
    check(rc == 0 and "the flash matches blinky.elf" in out and "CRC on the target" in out, f"{tag}: verify exit {rc}",
          out + err)
    # --method is the old spelling of --verify, kept as a hidden alias
    rc, out, err = run("verify", [blinky, "--method=readback"], sim, via_dropin=via)
    check(rc == 0 and "the flash matches blinky.elf" in out and "read back" in out, f"{tag}: verify readback exit {rc}",
          out + err)

    outfile = os.path.join(d, "read.bin")
    rc, out, err = run("read", ["0x08000000", "0x2000", outfile], sim, via_dropin=via)
    check(rc == 0 and "read 8 KiB from 0x08000000" in out, f"{tag}: read exit {rc}", out + err)
    check(os.path.exists(outfile) and open(outfile, "rb").read() == flash(d)[:0x2000], f"{tag}: read.bin != flash.bin")

    # SRAM and the ITCM alias read too.
    rc, out, err = run("read", ["0x00200000", "64", outfile], sim, via_dropin=via)
    check(rc == 0 and open(outfile, "rb").read() == flash(d)[:64], f"{tag}: read through the ITCM alias", err)

    rep = os.path.join(d, "erase.json")
    rc, out, err = run("erase", ["--sectors", "0"], sim, rep, via_dropin=via)
    r = report(rep)
    check(rc == 0 and "erased sector 0 (32 KiB)" in out, f"{tag}: erase exit {rc}", out + err)
    check([e["sector"] for e in r["sectors_erased"]] == [0] and r["mass_erases"] == 0,
          f"{tag}: erase report {r['sectors_erased']}")
    check(r["sectors_erased"][0]["psize"] == 32, f"{tag}: erase not at x32 on 3.3 V")
    check(r["violations"] == [] and r["flash_locked_at_exit"] is True, f"{tag}: erase report {r}")
    check(flash(d) == ERASED_1M, f"{tag}: sector 0 not erased in flash.bin")

    rc, out, err = run("verify", [blinky], sim, via_dropin=via)
    check(rc == 6 and "Verification failed in sector 0 at 0x08000000" in err, f"{tag}: verify after erase: exit {rc}", err)

# --- each chip and probe: read, verify, erase one sector ------------------
MATRIX = [  # model, firmware, chip, extra, flash size, sector 1 (offset, size)
    ("stlink-v2", "V2J24S4", "STM32F746NG", "", MIB, 0x8000, 0x8000),
    ("stlink-v2", "V2J34S7", "STM32F767ZI", "ndbank=0", 2 * MIB, 0x4000, 0x4000),
    ("stlink-v2", "V2J37S7", "STM32F767ZI", "", 2 * MIB, 0x8000, 0x8000),
    ("stlink-v2-1", "V2J37M26", "STM32F722RE", "", 512 * 1024, 0x4000, 0x4000),
    ("stlink-v3", "V3J7M2", "STM32F746NG", "", MIB, 0x8000, 0x8000),
]
for model, fw, chipname, extra, size, s1, s1size in MATRIX:
    tag = f"{chipname}{' dual' if extra else ''} via {fw}"
    d = os.path.join(tmp, f"m-{fw}-{chipname}-{bool(extra)}")
    os.makedirs(d, exist_ok=True)
    sim = os.path.join(d, "sim.ini")
    with open(sim, "w") as f:
        f.write(f"[probe]\nmodel={model}\nfirmware={fw}\n[board]\nchip={chipname}\nstate={os.path.join(d, 'state')}\n{extra}\n")
    img = os.urandom(64 * 1024)
    imgf = os.path.join(d, "img.bin")
    open(imgf, "wb").write(img)
    rc, out, err = run("flash", [imgf, "--base", "0x08000000"], sim)
    check(rc == 0, f"{tag}: flash exit {rc}", err)
    rc, out, err = run("verify", [imgf, "--base", "0x08000000"], sim)
    check(rc == 0, f"{tag}: verify exit {rc}", err)
    rc, out, err = run("read", ["0x08000000", "64K", os.path.join(d, "r.bin")], sim)
    check(rc == 0 and open(os.path.join(d, "r.bin"), "rb").read() == img, f"{tag}: read exit {rc}", err)
    rep = os.path.join(d, "r.json")
    rc, out, err = run("erase", ["--sectors", "1"], sim, rep)
    want = bytearray(img + b"\xff" * (size - len(img)))
    want[s1:s1 + s1size] = b"\xff" * s1size
    check(rc == 0 and flash(d) == bytes(want), f"{tag}: erase sector 1: exit {rc}", err)
    r = report(rep)
    check([e["sector"] for e in r["sectors_erased"]] == [1] and r["violations"] == [] and r["flash_locked_at_exit"],
          f"{tag}: erase report {r}")
    # The first byte that differs: the random image may hold 0xFF (erased) bytes.
    first = next(i for i in range(s1, s1 + s1size) if img[i] != 0xFF)
    rc, out, err = run("verify", [imgf, "--base", "0x08000000"], sim)
    check(rc == 6 and f"sector 1 at 0x{0x08000000 + first:08X}" in err, f"{tag}: verify after erase: exit {rc}", err)

# --- the erase command's arguments: nothing erased ------------------------
d, sim = bench("erase-args", f"flash-image={blinky}")
before = flash(d) if os.path.exists(os.path.join(d, "state", "flash.bin")) else None
rc, out, err = run("flash", [blinky], sim)
before = flash(d)
for args, what in (([], "no --sectors nor --mass"),
                   (["--sectors", "0", "--mass"], "both"),
                   (["--sectors", "zero"], "not a list"),
                   (["--sectors", "0", "extra"], "extra argument"),
                   (["--sectors", "99"], "a sector the chip has not"),
                   (["--sectors", "3-1"], "a backwards range"),
                   (["--bogus"], "unknown option")):
    rc, out, err = run("erase", args, sim)
    check(rc == 2 and err.strip(), f"erase {what}: exit {rc}, want 2 with a message", err)
    check(flash(d) == before, f"erase {what}: flash.bin changed")

# --- read's and verify's arguments ----------------------------------------
for args, what in ((["0x08000000", "16"], "no output file"),
                   (["nowhere", "16", os.path.join(d, "x.bin")], "bad address"),
                   (["0x08000000", "0", os.path.join(d, "x.bin")], "zero length"),
                   (["0x08000000", "-5", os.path.join(d, "x.bin")], "negative length"),
                   (["0xFFFFFF00", "4K", os.path.join(d, "x.bin")], "past 4 GiB"),
                   (["0x08000000", "16", os.path.join(d, "no", "such", "dir", "x.bin")], "missing folder")):
    rc, out, err = run("read", args, sim)
    check(rc == 2 and err.strip(), f"read {what}: exit {rc}, want 2", err)
rc, out, err = run("read", ["0x60000000", "16", os.path.join(d, "x.bin")], sim)
check(rc == 2 and "Nothing answers between 0x60000000 and 0x6000000F" in err and "0x08000000–0x080FFFFF" in err,
      f"read of unmapped memory: exit {rc}", err)
check(not os.path.exists(os.path.join(d, "x.bin")), "a refused read wrote its file")

# The output is a device or a pipe: written in place, never renamed over. A
# full device (the numbers of /dev/full) is an error, and it stays a device.
full = os.path.join(d, "full")
try:
    os.mknod(full, 0o666 | stat.S_IFCHR, os.makedev(1, 7))
except OSError as e:
    t.skip("read into a device", f"mknod: {e} (only root can make one)")
else:
    rc, out, err = run("read", ["0x08000000", "16", full], sim)
    st = os.lstat(full)
    check(rc == 1 and "not saved" in err and "No space left on device" in err,
          f"read into a full device: exit {rc}", err)
    check(stat.S_ISCHR(st.st_mode) and os.major(st.st_rdev) == 1 and os.minor(st.st_rdev) == 7,
          "read into a device replaced the device node")
fifo = os.path.join(d, "pipe")
os.mkfifo(fifo)
reader = subprocess.Popen(["cat", fifo], stdout=subprocess.PIPE)
rc, out, err = run("read", ["0x08000000", "16", fifo], sim)
piped = reader.communicate(timeout=60)[0]
check(rc == 0 and stat.S_ISFIFO(os.lstat(fifo).st_mode) and len(piped) == 16,
      f"read into a FIFO: exit {rc}, {len(piped)} bytes through it", err)

bad = os.path.join(tmp, "bad.hex")
open(bad, "w").write(":020000040800F2\n:0400100001020304E3\n:00000001FF\n")
rc, out, err = run("verify", [bad], sim)
check(rc == 2 and "checksum" in err, f"verify bad file: exit {rc}", err)
rc, out, err = run("verify", [os.path.join(tmp, "missing.elf")], sim)
check(rc == 2, f"verify missing file: exit {rc}", err)
rc, out, err = run("verify", [blinky, "--verify", "md5"], sim)
check(rc == 2, f"verify --verify md5: exit {rc}", err)
big = os.path.join(tmp, "big.bin")
open(big, "wb").write(os.urandom(1100 * 1024))
rc, out, err = run("verify", [big, "--base", "0x08000000"], sim)
check(rc == 2 and "past the end" in err, f"verify too big: exit {rc}", err)
check(flash(d) == before, "verify/read argument errors changed flash.bin")

# verify: the CRC on the target reads next to nothing back; read-back reads it all.
d, sim = bench("verify-methods")
data = os.urandom(64 * 1024)
dataf = os.path.join(d, "data.bin")
open(dataf, "wb").write(data)
rc, out, err = run("flash", [dataf, "--base", "0x08000000"], sim)
for method, most in (("crc", 16 * 1024), ("readback", None)):
    rep = os.path.join(d, f"{method}.json")
    rc, out, err = run("verify", [dataf, "--base", "0x08000000", f"--verify={method}", "--json"], sim, rep)
    lines = json_lines(out, "verify --json")
    r = report(rep)
    check(rc == 0 and lines and lines[-1]["event"] == "result" and lines[-1]["verify_method"] == method
          and lines[-1]["method"] == method
          and lines[-1]["fallback"] is False and lines[-1]["bytes"] == 64 * 1024 and lines[-1]["sectors"] == 2,
          f"verify --verify={method}: exit {rc}", out + err)
    check((r["usb_bytes_in"] < most) if most else (r["usb_bytes_in"] >= 64 * 1024),
          f"verify --verify={method} read {r['usb_bytes_in']} bytes")
    check(r["violations"] == [] and r["flash_locked_at_exit"], f"verify --verify={method} report {r}")

# Bytes of a file that do not fill whole words: only the file's bytes count,
# and a difference names its own address (both methods).
def ihex(address, payload):
    lines = [":02000004%04X" % (address >> 16)]
    rec = [len(payload), (address >> 8) & 0xFF, address & 0xFF, 0] + list(payload)
    lines[0] += "%02X" % ((-sum([2, 0, 0, 4, address >> 24, (address >> 16) & 0xFF])) & 0xFF)
    lines.append(":" + "".join("%02X" % b for b in rec) + "%02X" % ((-sum(rec)) & 0xFF))
    lines.append(":00000001FF")
    return "\n".join(lines) + "\n"

odd = os.path.join(d, "odd.hex")
open(odd, "w").write(ihex(0x08000001, data[1:6]))
for method in ("crc", "readback"):
    rc, out, err = run("verify", [odd, f"--verify={method}"], sim)
    check(rc == 0, f"verify 5 bytes at 0x08000001 ({method}): exit {rc}", out + err)
bad5 = bytearray(data[1:6])
bad5[2] ^= 0x40
open(odd, "w").write(ihex(0x08000001, bytes(bad5)))
for method in ("crc", "readback"):
    rc, out, err = run("verify", [odd, f"--verify={method}"], sim)
    check(rc == 6 and "sector 0 at 0x08000003" in err, f"verify a changed byte at 0x08000003 ({method}): exit {rc}", err)

# --- --json, event by event (erase) ---------------------------------------
rc, out, err = run("erase", ["--sectors", "0-1", "--json"], sim)
lines = json_lines(out, "erase --json")
events = [l["event"] for l in lines]
check(rc == 0 and events and events[-1] == "result" and events.count("result") == 1, f"erase --json events {events}", out)
phases = [l["phase"] for l in lines if l["event"] == "phase"]
check(phases[:3] == ["connect", "preflight", "erase"], f"erase --json phases {phases}", out)
states = [(l["sector"], l["state"]) for l in lines if l["event"] == "sector"]
for s in (0, 1):
    mine = [st for (n, st) in states if n == s]
    check(mine[-2:] == ["erasing", "erased"], f"sector {s} states {mine}", out)
res = lines[-1]
check(res.get("ok") is True and res["sectors"] == [0, 1] and res["sectors_erased"] == 2 and res["bytes"] == 64 * 1024
      and res["mass"] is False and res["psize"] == "x32", f"erase --json result {res}")
prog = [l for l in lines if l["event"] == "progress" and l["phase"] == "erase"]
check(all(0 <= p["done"] <= p["total"] == 64 * 1024 for p in prog), f"erase progress events {prog}")
check(err == "", "--json printed on stderr", err)

# A JSON failure is one result object too.
rc, out, err = run("verify", [blinky, "--json"], sim)
lines = json_lines(out, "verify --json failure")
check(rc == 6 and lines[-1]["event"] == "result" and lines[-1]["ok"] is False and lines[-1]["exit_code"] == 6
      and "0x08000000" in lines[-1]["error"], f"verify --json failure {lines[-1:]}", out + err)

# --- mass erase: F767 dual bank, both banks --------------------------------
d, sim = bench("mass", f"chip=STM32F767ZI\nndbank=0\nflash-image={blinky}")
rep = os.path.join(d, "r.json")
rc, out, err = run("erase", ["--mass", "--json"], sim, rep)
lines = json_lines(out, "erase --mass --json")
r = report(rep)
check(rc == 0 and lines[-1]["mass"] is True and lines[-1]["sectors_erased"] == 24, f"mass erase: exit {rc} {lines[-1:]}", err)
check(r["mass_erases"] == 1 and r["sectors_erased"] == [] and r["violations"] == [], f"mass erase report {r}")
check(flash(d) == b"\xff" * (2 * MIB), "mass erase left bytes in flash.bin")

# --- the supply: erase parallelism follows it; too low refuses --------------
d, sim = bench("volts", f"voltage=2.4\nflash-image={blinky}")
rep = os.path.join(d, "r.json")
rc, out, err = run("erase", ["--sectors", "2", "--json"], sim, rep)
lines = json_lines(out, "erase at 2.4 V")
check(rc == 0 and lines[-1]["psize"] == "x16" and report(rep)["sectors_erased"][0]["psize"] == 16
      and report(rep)["violations"] == [], f"erase at 2.4 V: exit {rc} {lines[-1:]}", err)
d, sim = bench("lowvolts", f"voltage=1.7\nflash-image={blinky}")
run("read", ["0x08000000", "16", os.path.join(d, "x.bin")], sim)
before = flash(d)
rc, out, err = run("erase", ["--mass"], sim)
check(rc == 4 and "too low to erase" in err and "Nothing was erased" in err, f"erase at 1.7 V: exit {rc}", err)
check(flash(d) == before, "a refused low-voltage erase changed flash.bin")

# --- option bytes ------------------------------------------------------------
d, sim = bench("ob")
rc, out, err = run("flash", [blinky], sim)
check(rc == 0, f"ob: flash exit {rc}", err)
image = flash(d)

rc, out, err = run("option-bytes", [], sim)
check(rc == 0 and "Read protection (RDP 0xAA):   level 0" in out and "Write-protected sectors:      none" in out
      and "Boot address, BOOT0 low:      0x00200000" in out, f"option-bytes show: exit {rc}", out + err)
rc, out, err = run("option-bytes", ["show", "--json"], sim)
lines = json_lines(out, "option-bytes --json")
ob = lines[-1]["option_bytes"] if lines else {}
check(rc == 0 and ob.get("rdp_level") == 0 and ob.get("protected_sectors") == [] and ob.get("iwdg_sw") is True
      and ob.get("boot_add0") == 0x00200000 and ob.get("bor") == "off", f"option-bytes --json {ob}", out)

opts0 = options(d)
rc, out, err = run("option-bytes", ["set", "protect=0"], sim)
check(rc == 2 and "Sector 0: becomes write-protected" in out and "--confirm" in err, f"set without --confirm: exit {rc}", out + err)
check(options(d) == opts0, "set without --confirm changed options.ini")
for args, what in ((["set"], "nothing to set"), (["set", "rdp"], "no value"), (["frob"], "unknown action"),
                   (["set", "colour=blue", "--confirm"], "unknown key"), (["set", "rdp=7", "--confirm"], "bad value"),
                   (["set", "protect=42", "--confirm"], "no such sector")):
    rc, out, err = run("option-bytes", args, sim)
    check(rc == 2 and err.strip(), f"option-bytes {what}: exit {rc}, want 2", err)
check(options(d) == opts0, "refused option-bytes changed options.ini")

rep = os.path.join(d, "wrp.json")
rc, out, err = run("option-bytes", ["set", "protect=0", "--confirm"], sim, rep)
check(rc == 0 and "Write-protected sectors:      0" in out, f"set protect=0: exit {rc}", out + err)
check("Sector 0: becomes write-protected" in err, "the change was not announced before it was made", err)
check(optcr(d) is not None and not (optcr(d) >> 16) & 1, f"options.ini nWRP0 still set: {options(d)}")
r = report(rep)
check(r["option_bytes_locked_at_exit"] is True and r["flash_locked_at_exit"] is True and r["violations"] == [],
      f"option bytes report {r}")

# Write-protected: flash and erase refused (exit 5), nothing changed.
other = os.path.join(tmp, "other.bin")
open(other, "wb").write(os.urandom(4096))
rc, out, err = run("flash", [other, "--base", "0x08000000"], sim)
check(rc == 5 and "write-protected" in err, f"flash into WRP sector: exit {rc}", err)
rc, out, err = run("erase", ["--sectors", "0"], sim)
check(rc == 5 and "unprotect=0" in err and "Nothing was erased" in err, f"erase WRP sector: exit {rc}", err)
rc, out, err = run("erase", ["--mass"], sim)
check(rc == 5, f"mass erase with a WRP sector: exit {rc}", err)
check(flash(d) == image, "a refused job changed flash.bin")

# Removed: flash works.
rc, out, err = run("option-bytes", ["set", "unprotect=all", "--confirm"], sim)
check(rc == 0 and "write protection removed" in err and "Write-protected sectors:      none" in out,
      f"unprotect: exit {rc}", out + err)
rc, out, err = run("flash", [other, "--base", "0x08000000"], sim)
check(rc == 0 and flash(d)[:4096] == open(other, "rb").read(), f"flash after unprotect: exit {rc}", err)
image = flash(d)

# RDP 0 → 1: reading and verifying the flash refused with the plain message.
rc, out, err = run("option-bytes", ["set", "rdp=1", "--confirm"], sim)
check(rc == 0 and "level 1" in out, f"rdp=1: exit {rc}", out + err)
rc, out, err = run("read", ["0x08000000", "16", os.path.join(d, "p.bin")], sim)
check(rc == 5 and "read-protected (RDP level 1)" in err and "rdp=0" in err, f"read at RDP 1: exit {rc}", err)
rc, out, err = run("verify", [other, "--base", "0x08000000"], sim)
check(rc == 5 and "read-protected" in err, f"verify at RDP 1: exit {rc}", err)
rc, out, err = run("erase", ["--sectors", "1"], sim)
check(rc == 5 and "read-protected" in err, f"erase at RDP 1: exit {rc}", err)
rc, out, err = run("read", ["0x20010000", "256", os.path.join(d, "p.bin")], sim)
check(rc == 0, f"SRAM read at RDP 1: exit {rc}", err)
check(flash(d) == image, "RDP 1 changed flash.bin")

# Level 2 needs --irreversible as well; without it nothing changes.
opts1 = options(d)
rc, out, err = run("option-bytes", ["set", "rdp=2", "--confirm"], sim)
check(rc == 2 and "irreversible" in err and "Read protection:" not in err, f"rdp=2 without --irreversible: exit {rc}", err)
rc, out, err = run("option-bytes", ["set", "rdp=2"], sim)
check(rc == 2 and "IRREVERSIBLE" in out, f"rdp=2 dry run: exit {rc}", out + err)
check(options(d) == opts1, "rdp=2 without --irreversible changed options.ini")

# RDP 1 → 0: said first, then the flash is erased.
rc, out, err = run("option-bytes", ["set", "rdp=0"], sim)
check(rc == 2 and "erases the whole flash" in out, f"rdp=0 dry run: exit {rc}", out + err)
check(flash(d) == image, "rdp=0 without --confirm erased")
rep = os.path.join(d, "rdp0.json")
rc, out, err = run("option-bytes", ["set", "rdp=0", "--confirm", "--json"], sim, rep)
lines = json_lines(out, "rdp=0 --json")
msgs = [l["text"] for l in lines if l["event"] == "message"]
check(rc == 0 and lines[-1]["ok"] is True and lines[-1]["option_bytes"]["rdp_level"] == 0, f"rdp=0: exit {rc}", out + err)
check(any("erases the whole flash" in m for m in msgs), f"rdp=0 not announced: {msgs}")
check(flash(d) == ERASED_1M, "RDP 1 → 0 did not erase flash.bin")
check(report(rep)["mass_erases"] >= 1, "RDP 1 → 0: no mass erase in the report")
rc, out, err = run("read", ["0x08000000", "16", os.path.join(d, "p.bin")], sim)
check(rc == 0 and open(os.path.join(d, "p.bin"), "rb").read() == b"\xff" * 16, f"read after rdp=0: exit {rc}", err)

# Through the drop-in: option bytes too.
rc, out, err = run("option-bytes", ["set", "protect=7", "bor=2", "--confirm"], sim, via_dropin=True)
check(rc == 0 and "Write-protected sectors:      7" in out and "level 2 (reset below 2.40 V)" in out,
      f"drop-in option-bytes set: exit {rc}", out + err)
check(optcr(d) is not None and not (optcr(d) >> 23) & 1 and (optcr(d) >> 2) & 3 == 1, f"options.ini {options(d)}")

# Level 2 with --irreversible: set, and no probe connects again.
d2, sim2 = bench("rdp2")
rc, out, err = run("option-bytes", ["set", "rdp=2", "--confirm", "--irreversible"], sim2)
check(rc == 0 and "closed for good" in out and "IRREVERSIBLE" in err, f"rdp=2 --irreversible: exit {rc}", out + err)
check(optcr(d2) is not None and (optcr(d2) >> 8) & 0xFF == 0xCC, f"options.ini after rdp=2: {options(d2)}")
rc, out, err = run("info", [], sim2)
check(rc == 4, f"info at RDP 2: exit {rc}, want 4", err)

# F767 dual bank: one nWRP bit guards a pair of sectors.
d, sim = bench("ob-dual", "chip=STM32F767ZI\nndbank=0")
rc, out, err = run("option-bytes", ["set", "protect=3", "--confirm", "--json"], sim)
lines = json_lines(out, "dual protect")
check(rc == 0 and lines[-1]["option_bytes"]["protected_sectors"] == [2, 3], f"dual-bank pair: {lines[-1:]}", err)
rc, out, err = run("option-bytes", ["set", "dual-bank=off"], sim)
check(rc == 2 and "laid out anew" in out, f"dual-bank=off dry run: exit {rc}", out + err)

# --- flash --verify=crc|readback and --preserve-unwritten ---------------------
d, sim = bench("flashopts")
first = os.urandom(64 * 1024)
firstf = os.path.join(d, "first.bin")
open(firstf, "wb").write(first)
rep = os.path.join(d, "rb.json")
rc, out, err = run("flash", [firstf, "--base", "0x08000000", "--full", "--verify=readback"], sim, rep)
check(rc == 0 and "verified" in out and report(rep)["usb_bytes_in"] >= 64 * 1024,
      f"flash --verify=readback: exit {rc}, {report(rep)['usb_bytes_in']} bytes in", err)
rep = os.path.join(d, "crc.json")
rc, out, err = run("flash", [firstf, "--base", "0x08000000", "--full", "--verify=crc"], sim, rep)
check(rc == 0 and "verified" in out and report(rep)["usb_bytes_in"] < 16 * 1024,
      f"flash --verify=crc: exit {rc}, {report(rep)['usb_bytes_in']} bytes in", err)
for args, what in ((["--verify=md5"], "unknown method"), (["--verify=crc", "--no-verify"], "contradiction")):
    rc, out, err = run("flash", [firstf, "--base", "0x08000000", *args], sim)
    check(rc == 2 and err.strip(), f"flash {what}: exit {rc}", err)
patch = os.urandom(4096)
patchf = os.path.join(d, "patch.bin")
open(patchf, "wb").write(patch)
rc, out, err = run("flash", [patchf, "--base", "0x08008000", "--preserve-unwritten"], sim)
want = first[:0x8000] + patch + first[0x9000:] + b"\xff" * (MIB - len(first))
check(rc == 0 and flash(d) == want, f"flash --preserve-unwritten kept the rest of sector 1: exit {rc}", err)
rc, out, err = run("flash", [firstf, "--base", "0x08000000"], sim)
rc, out, err = run("flash", [patchf, "--base", "0x08008000"], sim)
want = first[:0x8000] + patch + b"\xff" * (MIB - 0x9000)
check(rc == 0 and flash(d) == want, f"flash without --preserve-unwritten erased the rest of sector 1: exit {rc}", err)

# --- Ctrl-C in the middle of a job ------------------------------------------
# The bench holds the probe at a chosen point (core/sim/README.md: [bench]
# hold), the test sends the signal there and releases the probe, which then
# runs in real time: the signal always lands mid-operation, however fast or
# loaded this machine is.
def interrupt(name, cmd, args, point, image=None, signum=signal.SIGINT):
    hold = os.path.join(tmp, name + ".held")
    d, sim = bench(name, f"flash-image={image}" if image else "",
                   bench_lines=kilntest.hold_bench_lines(point, hold))
    rep = os.path.join(d, "r.json")
    rc, out, err, held = kilntest.interrupt_at_hold([cli, cmd, *args, "--json", "--simulator"],
                                                   env_for(sim, rep), hold, signum)
    check(held, f"Ctrl-C in {cmd}: the job ended before the bench held it at {point}: exit {rc}", err)
    return d, rep, rc, json_lines(out, f"Ctrl-C in {cmd}"), err


# Programming: exit 7, controller locked.
bigimg = os.path.join(tmp, "sigint.bin")
open(bigimg, "wb").write(os.urandom(MIB))
d, rep, rc, seen, err = interrupt("sigint", "flash", [bigimg, "--base", "0x08000000"], "program:4096")
check(rc == 7, f"Ctrl-C: exit {rc}, want 7", err)
# Which sector is left half-done depends on where the loader was when the
# job stopped (it may be between sectors): the message names one, or says
# none was.
check("Cancelled" in err and re.search(r"Sectors? [0-9,]+ (was|were) left half-done|No sector was left", err)
      and seen[-1:] and seen[-1]["event"] == "result" and seen[-1]["ok"] is False and seen[-1]["exit_code"] == 7,
      f"Ctrl-C result {seen[-1:]}", err)
r = report(rep)
check(r["flash_locked_at_exit"] is True, f"Ctrl-C left the controller unlocked: {r}")
check(flash(d) != open(bigimg, "rb").read(), "a cancelled job finished anyway")
# A clean second run on the same board, without the hold.
d, sim = bench("sigint")
rc, out, err = run("flash", [bigimg, "--base", "0x08000000"], sim)
check(rc == 0 and flash(d) == open(bigimg, "rb").read(), f"flash after Ctrl-C: exit {rc}", err)

# Read: exit 7, no output file.
d, rep, rc, events, err = interrupt("sigint-read", "read", ["0x08000000", "1M", os.path.join(tmp, "dump.bin")],
                                    "read:65536", bigimg)
check(rc == 7 and events[-1:] and events[-1]["exit_code"] == 7 and not os.path.exists(os.path.join(tmp, "dump.bin")),
      f"Ctrl-C in read: exit {rc}", err)

# Verify (reading back): exit 7, cancelled rather than a mismatch.
d, rep, rc, events, err = interrupt("sigint-verify", "verify", [bigimg, "--base", "0x08000000", "--method=readback"],
                                    "read:65536", bigimg)
check(rc == 7 and "Cancelled" in err and events[-1:] and events[-1]["exit_code"] == 7,
      f"Ctrl-C in verify: exit {rc}", err)

# Erase: exit 7, nothing after the stop touched, controller locked.
d, rep, rc, events, err = interrupt("sigint-erase", "erase", ["--sectors", "0-7"], "erase:2", bigimg)
r = report(rep)
check(rc == 7 and "Cancelled" in err and r["flash_locked_at_exit"] is True, f"Ctrl-C in erase: exit {rc} {r}", err)
check(2 <= len(r["sectors_erased"]) < 8, f"Ctrl-C in erase erased {r['sectors_erased']}")
fb = flash(d)
check(fb[:0x8000] == b"\xff" * 0x8000 and fb[0xC0000:] == open(bigimg, "rb").read()[0xC0000:],
      "Ctrl-C in erase: sector 0 not erased, or sector 7 (after the stop) touched")

# --- no probe: exit 3 ----------------------------------------------------------
env = env_for(None)
for cmd in (["erase", "--sectors", "0"], ["read", "0x08000000", "16", os.path.join(tmp, "n.bin")],
            ["option-bytes"], ["verify", blinky]):
    p = subprocess.run([cli, *cmd], capture_output=True, text=True, env=env, timeout=60)
    check(p.returncode == 3 and "No ST-LINK" in p.stderr, f"{cmd[0]} with no probe: exit {p.returncode}", p.stderr)

t.finish()
