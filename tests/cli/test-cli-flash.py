#!/usr/bin/env python3
"""kiln-cli flash on the virtual bench: programs and verifies (flash.bin is
checked independently), skips unchanged sectors, refuses protected sectors
and bad files before erasing anything, and names a verify failure."""
import json
import os
import struct
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import kilntest  # noqa: E402

cli, dropin, fixtures = sys.argv[1], os.path.abspath(sys.argv[2]), os.path.abspath(sys.argv[3])
t = kilntest.Suite("cli-flash")
tmp = t.tmp
blinky = os.path.join(fixtures, "blinky.elf")
check = t.check
flash = kilntest.flash


def bench(name, text):
    d = os.path.join(tmp, name)
    os.makedirs(d, exist_ok=True)
    path = os.path.join(d, "sim.ini")
    with open(path, "w") as f:
        f.write(text.replace("@STATE@", os.path.join(d, "state")))
    return d, path


def run(args, sim, report=None, via_dropin=False):
    env = kilntest.env_for(sim, report, dropin if via_dropin else None)
    if not via_dropin:
        args = [*args, "--simulator"]
    p = subprocess.run([cli, "flash", *args], capture_output=True, text=True, env=env, timeout=300)
    return p.returncode, p.stdout, p.stderr


def elf_image(path, size):
    data = open(path, "rb").read()
    phoff, = struct.unpack_from("<I", data, 28)
    phentsize, phnum = struct.unpack_from("<HH", data, 42)
    mem = bytearray(b"\xff" * size)
    for i in range(phnum):
        t, off, va, pa, fsz = struct.unpack_from("<IIIII", data, phoff + i * phentsize)
        if t == 1 and fsz:
            mem[pa - 0x08000000:pa - 0x08000000 + fsz] = data[off:off + fsz]
    return bytes(mem)


# Program, in process and through the drop-in libusb.
for via in (False, True):
    d, sim = bench(f"prog{int(via)}", "[probe]\n[board]\nstate=@STATE@\n")
    rep = os.path.join(d, "r.json")
    rc, out, err = run([blinky], sim, rep, via)
    check(rc == 0, f"flash (dropin={via}) exit {rc}", err)
    check("verified" in out, "no verified summary", out)
    # How the sector was reached: found blank, its 0xFF bytes (the rest of the sector) left erased.
    check("0 sectors erased first, 1 was blank and needed no erase; 31.4 KiB in them held only 0xFF and stayed "
          "erased; the link carried " in out, "the second line of the summary", out)
    check(flash(d) == elf_image(blinky, 1024 * 1024), "flash.bin does not match the ELF's load image")
    r = json.load(open(rep))
    # A fresh board: sector 0 is found blank and needs no erase.
    check(r["sectors_erased"] == [], f"erased {r['sectors_erased']} on a fresh board, want none")
    check(r["violations"] == [], f"violations {r['violations']}")

    # The same file again: nothing erased, nothing written.
    rep2 = os.path.join(d, "r2.json")
    rc, out, err = run([blinky], sim, rep2, via)
    r2 = json.load(open(rep2))
    check(rc == 0 and r2["sectors_erased"] == [] and r2["flash_units_programmed"] == 0,
          f"second run erased {r2['sectors_erased']} and programmed {r2['flash_units_programmed']} units", out + err)
    check("nothing was erased or written" in out, "the second run does not say it skipped", out)

# A one-sector change rewrites only that sector.
d, sim = bench("diff", "[probe]\n[board]\nstate=@STATE@\n")
img = bytearray(os.urandom(200 * 1024))
a = os.path.join(tmp, "a.bin")
open(a, "wb").write(img)
rc, out, err = run([a, "--base", "0x08000000"], sim)
check(rc == 0, "200 KiB image", err)
img[0x21000] ^= 0xFF   # sector 4 (0x08020000, 128 KiB)
open(a, "wb").write(img)
rep = os.path.join(d, "r.json")
rc, out, err = run([a, "--base", "0x08000000"], sim, rep)
r = json.load(open(rep))
check(rc == 0 and [e["sector"] for e in r["sectors_erased"]] == [4], f"changed sector: erased {r['sectors_erased']}", err)
check(flash(d)[:len(img)] == bytes(img), "flash.bin after the one-sector change")

# A raw binary's address after it, as st-flash takes it: the same as --base.
img[0x21000] ^= 0xFF
open(a, "wb").write(img)
rep = os.path.join(d, "r3.json")
rc, out, err = run([a, "0x08000000"], sim, rep)
r = json.load(open(rep))
check(rc == 0 and [e["sector"] for e in r["sectors_erased"]] == [4], f"FILE ADDRESS: exit {rc}, erased "
      f"{r['sectors_erased']}", out + err)
check(flash(d)[:len(img)] == bytes(img), "flash.bin after FILE ADDRESS")
# Without an address: exit 2, and the message says how to give one.
rc, out, err = run([a], sim)
check(rc == 2 and "raw binary" in err and "--base" in err and f"kiln-cli flash {a} 0x08000000" in err,
      f"raw binary without an address: exit {rc}", err)
# Two files are still refused.
rc, out, err = run([a, blinky], sim)
check(rc == 2 and "exactly one firmware file" in err, f"two files: exit {rc}", err)

# A write-protected sector in the plan: refused, exit 5, flash untouched.
d, sim = bench("wrp", "[probe]\n[board]\nstate=@STATE@\nnwrp=0xFE\n")
rc, out, err = run([blinky], sim)
check(rc == 5 and "Sector 0 is write-protected" in err and "Nothing was erased" in err, f"WRP: exit {rc}", err)
check(flash(d) == b"\xff" * (1024 * 1024), "a protected run changed flash.bin")

# Read protection level 1: refused, exit 5.
d, sim = bench("rdp", "[probe]\n[board]\nstate=@STATE@\nrdp=0x55\n")
rc, out, err = run([blinky], sim)
check(rc == 5 and "read-protected" in err, f"RDP1: exit {rc}", err)

# Bad file and an image that does not fit: exit 2 before the probe is used.
d, sim = bench("bad", "[probe]\n[board]\nstate=@STATE@\n")
bad = os.path.join(tmp, "bad.hex")
open(bad, "w").write(":020000040800F2\n:0400100001020304E3\n:00000001FF\n")
rc, out, err = run([bad], sim)
check(rc == 2 and "checksum" in err, f"bad file: exit {rc}", err)
d, sim = bench("big", "[probe]\n[board]\nchip=STM32F722RE\nstate=@STATE@\n")
big = os.path.join(tmp, "big.bin")
open(big, "wb").write(os.urandom(600 * 1024))
rc, out, err = run([big, "--base", "0x08000000"], sim)
check(rc == 2 and "past the end" in err, f"too big: exit {rc}", err)
check(flash(d) == b"\xff" * (512 * 1024), "a refused plan changed flash.bin")

# A weak word: verification names the address and the sector, exit 6.
d, sim = bench("weak", "[probe]\n[board]\nstate=@STATE@\n[faults]\nweak-words=0x08000100\n")
rc, out, err = run([blinky], sim)
check(rc == 6 and "Verification failed in sector 0 at 0x0800010" in err, f"weak word: exit {rc}", err)

# JSON: every line is an object; the last one is the result.
d, sim = bench("json", "[probe]\n[board]\nstate=@STATE@\n")
rc, out, err = run([blinky, "--json"], sim)
lines = [json.loads(l) for l in out.splitlines()]
check(rc == 0 and lines and lines[-1]["event"] == "result" and lines[-1]["ok"] is True, "json result", out)
check(any(l["event"] == "phase" and l["phase"] == "program" for l in lines), "json has no program phase", out)
check(any(l["event"] == "sector" and l["state"] == "verified" for l in lines), "json has no verified sector", out)
# The board was blank: the estimate after the comparison counts no erase
# (sector 0's alone would be 0.25 s), only the fixed costs and 648 bytes.
check(lines and 0 < lines[-1].get("estimated_seconds", 0) < 0.2, "json estimate after the comparison", out)
# The phases after the comparison carry that estimate already, so that a
# view can say what the plan is now while the job runs.
program = [l for l in lines if l["event"] == "phase" and l["phase"] == "program"]
check(program and program[0].get("estimated_seconds") == lines[-1].get("estimated_seconds"),
      "json: the program phase carries the estimate after the comparison", out)
check(all("estimated_seconds" not in l for l in lines if l["event"] == "phase" and l["phase"] in ("connect", "preflight", "compare")),
      "json: an estimate before the comparison", out)

# The SRAM loader programs; --verify picks CRC (default) or read-back; the
# result says which, and that no fallback was needed.
check(lines[-1].get("loader") is True and lines[-1].get("verify_method") == "crc"
      and lines[-1].get("fallback_reason") is None, "json: loader and CRC verification", out)
d, sim = bench("readback", "[probe]\n[board]\nstate=@STATE@\n")
rc, out, err = run([blinky, "--json", "--verify=readback"], sim)
lines = [json.loads(l) for l in out.splitlines()]
check(rc == 0 and lines[-1].get("verify_method") == "readback", "--verify=readback", out + err)
rc, out, err = run([blinky, "--verify=md5"], sim)
check(rc == 2 and "--verify" in err, f"--verify=md5: exit {rc}", err)

# Bytes of a rewritten sector outside the file: erased by default, kept with
# --preserve-unwritten.
for preserve in (False, True):
    d, sim = bench(f"preserve{int(preserve)}", "[probe]\n[board]\nstate=@STATE@\n")
    first = os.path.join(tmp, "first.bin")
    open(first, "wb").write(bytes((i * 7) & 0xFF for i in range(32 * 1024)))
    rc, out, err = run([first, "--base", "0x08000000"], sim)
    check(rc == 0, f"preserve setup: exit {rc}", err)
    half = os.path.join(tmp, "half.bin")
    open(half, "wb").write(bytes(0x11 for _ in range(1000)))
    rc, out, err = run([half, "--base", "0x08000000"] + (["--preserve-unwritten"] if preserve else []), sim)
    mem = flash(d)
    keep = open(first, "rb").read()[1000:32 * 1024]
    check(rc == 0 and mem[:1000] == b"\x11" * 1000, f"preserve={preserve}: exit {rc}", err)
    check(mem[1000:32 * 1024] == (keep if preserve else b"\xff" * (31 * 1024 + 24)),
          f"preserve={preserve}: the rest of sector 0 is {'not kept' if preserve else 'not erased'}")

# Firmware that turns SWD off as it starts: refused without connect under
# reset (with that hint), programmed with it; the final reset lets the
# firmware run and turn SWD off again, which is success, not an error.
d, sim = bench("swdoff", f"[probe]\n[board]\nstate=@STATE@\nflash-image={blinky}\n[faults]\nswd-disabled-by-firmware=true\n")
other = os.path.join(tmp, "other.bin")
open(other, "wb").write(bytes((i * 5 + 1) & 0xFF for i in range(4096)))
rc, out, err = run([other, "--base", "0x08010000"], sim)
check(rc == 4 and "under reset" in err, f"SWD off without connect under reset: exit {rc}", err)
rc, out, err = run([other, "--base", "0x08010000", "--connect-under-reset"], sim)
check(rc == 0, f"SWD off with connect under reset: exit {rc}", out + err)
check(flash(d)[0x10000:0x10000 + 4096] == open(other, "rb").read(), "SWD off: flash.bin does not hold the file")

t.finish()
