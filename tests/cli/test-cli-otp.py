#!/usr/bin/env python3
"""kiln-cli otp on the virtual bench: show, write (dry run, --hex, a file, a
retry of the same bytes, bytes already written with another value, outside
the area), lock (refused without --irreversible, then for good), a write into
a locked block, a low supply (x8), the F72x layout, the drop-in libusb path.
Every check of what was written reads the state's otp.bin (16 blocks, then
16 lock bytes), independently of Kiln; the bench report says the controller
was locked at exit and nothing broke the rules."""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import kilntest  # noqa: E402

cli, dropin = sys.argv[1], os.path.abspath(sys.argv[2])
t = kilntest.Suite("cli-otp")
check = t.check
report = kilntest.report


def bench(name, board=""):
    return t.bench(name, board=board)


def run(args, sim, report=None, via_dropin=False):
    argv = [cli, "otp", *args]
    if not via_dropin:
        argv.append("--simulator")
    env = kilntest.env_for(sim, report, dropin if via_dropin else None)
    p = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=120)
    return p.returncode, p.stdout, p.stderr


def otp(d):
    p = os.path.join(d, "state", "otp.bin")
    return open(p, "rb").read() if os.path.exists(p) else b""


BASE = 0x1FF0F000
ERASED = b"\xff" * (1024 + 16)

for via in (False, True):
    tag = "dropin" if via else "in-process"
    d, sim = bench(f"f746-{tag}")

    # show on a new board: 16 erased, open blocks.
    rc, out, err = run([], sim, via_dropin=via)
    check(rc == 0 and out.count("erased") == 16 and "16 blocks of 64 bytes at 0x1FF0F000" in out,
          f"{tag}: show exit {rc}", out + err)
    rc, out, err = run(["show", "--json"], sim, via_dropin=via)
    res = json.loads(out.splitlines()[-1])
    check(rc == 0 and res["ok"] and len(res["otp"]["blocks"]) == 16 and res["otp"]["lock_base"] == 0x1FF0F400
          and all(b["erased"] and not b["locked"] for b in res["otp"]["blocks"]), f"{tag}: show --json", out)
    check(otp(d) == ERASED, f"{tag}: otp.bin of a new board is not 1040 erased bytes ({len(otp(d))})")

    # Without --confirm: shown, nothing written, exit 2.
    rc, out, err = run(["write", "0x1FF0F010", "--hex", "01 02 03 04 05"], sim, via_dropin=via)
    check(rc == 2 and "would write 5 bytes" in out and "nothing was written" in err, f"{tag}: dry run exit {rc}",
          out + err)
    check(otp(d) == ERASED, f"{tag}: a dry run changed otp.bin")

    rep = os.path.join(d, "write.json")
    rc, out, err = run(["write", "0x1FF0F010", "--hex", "01 02 03 04 05", "--confirm"], sim, rep, via_dropin=via)
    r = report(rep)
    check(rc == 0 and "wrote 5 bytes to the OTP at 0x1FF0F010" in out, f"{tag}: write exit {rc}", out + err)
    o = otp(d)
    check(o[0x10:0x15] == bytes([1, 2, 3, 4, 5]) and o[:0x10] == b"\xff" * 16 and o[0x15:] == ERASED[0x15:],
          f"{tag}: otp.bin after the write: {o[:0x20].hex()}")
    # x32 at 3.3 V: one unit for bytes 0x10-0x13, one for 0x14 (padded with 0xFF).
    check(r["flash_locked_at_exit"] is True and r["violations"] == [] and r["flash_units_programmed"] == 2,
          f"{tag}: write report {r}")

    # A retry of the same bytes passes and programs nothing.
    rep = os.path.join(d, "retry.json")
    rc, out, err = run(["write", "0x1FF0F010", "--hex", "0102030405", "--confirm"], sim, rep, via_dropin=via)
    check(rc == 0 and "5 already held their value" in out and report(rep)["flash_units_programmed"] == 0,
          f"{tag}: retry exit {rc}", out + err)

    # Bytes already written with another value: refused, naming block and address; nothing written.
    rep = os.path.join(d, "clash.json")
    rc, out, err = run(["write", "0x1FF0F013", "--hex", "05 06", "--confirm"], sim, rep, via_dropin=via)
    check(rc == 5 and "OTP block 0 already holds 0x04 at 0x1FF0F013" in err and "Nothing was written" in err,
          f"{tag}: clash exit {rc}", err)
    check(otp(d) == o and report(rep)["flash_units_programmed"] == 0, f"{tag}: a refused write changed otp.bin")

    # Next to programmed bytes in the same x32 unit: programmed byte by byte.
    rep = os.path.join(d, "bytes.json")
    rc, out, err = run(["write", "0x1FF0F015", "--hex", "AA BB", "--confirm"], sim, rep, via_dropin=via)
    o = otp(d)
    check(rc == 0 and o[0x10:0x18] == bytes([1, 2, 3, 4, 5, 0xAA, 0xBB, 0xFF]), f"{tag}: write next to bytes {rc}",
          err + o[0x10:0x18].hex())
    check(report(rep)["flash_units_programmed"] == 2 and report(rep)["violations"] == [], f"{tag}: bytes report")

    # From a file, into block 3.
    blob = bytes(range(64))
    path = os.path.join(d, "blob.bin")
    open(path, "wb").write(blob)
    rc, out, err = run(["write", "0x1FF0F0C0", path, "--confirm"], sim, via_dropin=via)
    check(rc == 0 and otp(d)[0xC0:0x100] == blob, f"{tag}: write a file exit {rc}", out + err)

    # Outside the data blocks (the lock bytes included): exit 2.
    for addr, data in (("0x1FF0F3FF", "0102"), ("0x1FF0F400", "00"), ("0x08000000", "00")):
        rc, out, err = run(["write", addr, "--hex", data, "--confirm"], sim, via_dropin=via)
        check(rc == 2 and "do not fit in the one-time-programmable area" in err, f"{tag}: write at {addr} exit {rc}",
              err)

    # Lock: refused without --confirm --irreversible, then for good.
    before = otp(d)
    for extra in ([], ["--confirm"], ["--irreversible"]):
        rc, out, err = run(["lock", "3", *extra], sim, via_dropin=via)
        check(rc == 2 and "--irreversible" in err, f"{tag}: lock {extra} exit {rc}", err)
    check(otp(d) == before, f"{tag}: a refused lock changed otp.bin")
    rep = os.path.join(d, "lock.json")
    rc, out, err = run(["lock", "3,5", "--confirm", "--irreversible", "--json"], sim, rep, via_dropin=via)
    res = json.loads(out.splitlines()[-1])
    o = otp(d)
    check(rc == 0 and res["locked"] == [3, 5] and res["otp"]["blocks"][3]["locked"]
          and not res["otp"]["blocks"][4]["locked"], f"{tag}: lock exit {rc}", out + err)
    check(o[1024 + 3] == 0 and o[1024 + 5] == 0 and o[1024:1024 + 3] == b"\xff" * 3 and o[:1024] == before[:1024],
          f"{tag}: lock bytes in otp.bin {o[1024:].hex()}")
    check(report(rep)["flash_locked_at_exit"] is True, f"{tag}: lock report")

    # A locked block refuses a write before anything is written.
    rc, out, err = run(["write", "0x1FF0F140", "--hex", "11", "--confirm"], sim, via_dropin=via)
    check(rc == 5 and "OTP block 5 (0x1FF0F140–0x1FF0F17F) is locked" in err, f"{tag}: write into locked exit {rc}",
          err)
    check(otp(d) == o, f"{tag}: a write into a locked block changed otp.bin")

    # write --lock needs --irreversible; with it, the block is written and locked.
    rc, out, err = run(["write", "0x1FF0F200", "--hex", "42", "--confirm", "--lock"], sim, via_dropin=via)
    check(rc == 2 and otp(d) == o, f"{tag}: write --lock without --irreversible exit {rc}", err)
    rc, out, err = run(["write", "0x1FF0F200", "--hex", "42", "--confirm", "--lock", "--irreversible"], sim,
                       via_dropin=via)
    o = otp(d)
    check(rc == 0 and o[0x200] == 0x42 and o[1024 + 8] == 0 and "blocks locked for good: 8" in out,
          f"{tag}: write --lock exit {rc}", out + err)

# A low supply: x8, one unit per byte, nothing above what the supply allows.
d, sim = bench("low-voltage", "voltage = 2.0")
rep = os.path.join(d, "r.json")
rc, out, err = run(["write", "0x1FF0F000", "--hex", "0102030405060708", "--confirm"], sim, rep)
r = report(rep)
check(rc == 0 and otp(d)[:8] == bytes(range(1, 9)), f"low voltage: write exit {rc}", err)
check(r["flash_units_programmed"] == 8 and r["violations"] == [], f"low voltage: report {r}")

# F72x: 16 blocks of 32 bytes at 0x1FF07800, lock bytes at 0x1FF07A00.
d, sim = bench("f722", "chip = STM32F722RE")
rc, out, err = run([], sim)
check(rc == 0 and "16 blocks of 32 bytes at 0x1FF07800, lock bytes at 0x1FF07A00" in out, f"F722: show {rc}",
      out + err)
rc, out, err = run(["write", "0x1FF07820", "--hex", "CAFE", "--confirm"], sim)
rc2, out2, err2 = run(["lock", "1", "--confirm", "--irreversible"], sim)
o = otp(d)
check(rc == 0 and rc2 == 0 and len(o) == 528 and o[0x20:0x22] == b"\xca\xfe" and o[512 + 1] == 0
      and o[512] == 0xFF, f"F722: write and lock {rc} {rc2} {o[0x20:0x22].hex()} {o[512:].hex()}", err + err2)
rc, out, err = run(["write", "0x1FF07A00", "--hex", "00", "--confirm"], sim)
check(rc == 2, f"F722: the lock bytes are not data: exit {rc}", err)

# Bad arguments: exit 2, nothing touched.
d, sim = bench("usage")
for args in (["write"], ["write", "0x1FF0F000"], ["write", "0x1FF0F000", "--hex", "ABC"],
             ["write", "0x1FF0F000", "--hex", "zz"], ["lock"], ["lock", "16", "--confirm", "--irreversible"],
             ["erase"], ["show", "--hex", "00"], ["write", "0x1FF0F000", "f", "--hex", "00"]):
    rc, out, err = run(args, sim)
    check(rc == 2, f"otp {args}: exit {rc}", err)
check(otp(d) == b"", "bad arguments touched the board")

t.finish()
