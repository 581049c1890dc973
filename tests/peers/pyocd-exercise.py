"""What the peers test asks of pyOCD 0.13 against one bench: run with the
Python that has pyOCD (Debian's python3-pyocd), with LD_LIBRARY_PATH and
KILN_SIM already pointing at the drop-in libusb and the bench.

Usage: pyocd-exercise.py ELF
  ELF: the image the bench's flash was preloaded with (flash-image =), so
  that what pyOCD reads can be compared with bytes it did not write.

Prints one line per step; exits 1 with the failed step on stderr.
"""
import random
import struct
import sys
import time

from pyocd.core import exceptions
from pyocd.core.helpers import ConnectHelper
from pyocd.core.target import Target

SRAM1 = 0x20010000
DBGMCU_IDCODE = 0xE0042000


def check(cond, what):
    if not cond:
        sys.stderr.write(f"pyOCD: {what}\n")
        sys.exit(1)
    print(f"ok: {what}")


def load_image(path):
    data = open(path, "rb").read()
    phoff, = struct.unpack_from("<I", data, 28)
    phentsize, phnum = struct.unpack_from("<HH", data, 42)
    out = []
    for i in range(phnum):
        p_type, p_offset, _, p_paddr, p_filesz = struct.unpack_from("<IIIII", data, phoff + i * phentsize)
        if p_type == 1 and p_filesz:
            out.append((p_paddr, data[p_offset:p_offset + p_filesz]))
    return out


def wait_halted(t):
    for _ in range(200):
        if t.get_state() == Target.TARGET_HALTED:
            return True
        time.sleep(0.005)
    return False


def main():
    random.seed(7)
    pieces = load_image(sys.argv[1])
    session = ConnectHelper.session_with_chosen_probe(blocking=False, return_first=True,
                                                      target_override="cortex_m")
    check(session is not None, "found the simulated probe")
    with session:
        t = session.board.target

        t.halt()
        check(t.get_state() == Target.TARGET_HALTED, "halts the core")
        check(t.read32(DBGMCU_IDCODE) & 0xFFF == 0x449, "reads DBGMCU_IDCODE 0x449")

        # Reads of bytes pyOCD did not write: the preloaded flash image.
        addr, blob = pieces[0]
        got = bytes(t.read_memory_block8(addr + 1, len(blob) - 1))
        check(got == blob[1:], "reads the flash image (8-bit, unaligned)")
        words = t.read_memory_block32(addr, len(blob) // 4)
        check(struct.pack(f"<{len(words)}I", *words) == blob[:len(words) * 4], "reads the flash image (32-bit)")
        check(t.read16(addr + 2) == struct.unpack_from("<H", blob, 2)[0], "reads a halfword of flash")

        # SRAM: odd lengths and alignments across 1 KiB boundaries.
        data = bytes(random.getrandbits(8) for _ in range(3000))
        t.write_memory_block8(SRAM1 + 0x3FD, list(data))
        check(bytes(t.read_memory_block8(SRAM1 + 0x3FD, len(data))) == data, "writes and reads SRAM (8-bit)")
        words = [random.getrandbits(32) for _ in range(1500)]
        t.write_memory_block32(SRAM1 + 0x1FFC, words)
        check(t.read_memory_block32(SRAM1 + 0x1FFC, len(words)) == words, "writes and reads SRAM (32-bit)")
        t.write16(SRAM1 + 0x3FFE, 0xBEEF)
        t.write8(SRAM1 + 0x4001, 0x5A)
        check(t.read32(SRAM1 + 0x3FFC) >> 16 == 0xBEEF and t.read8(SRAM1 + 0x4001) == 0x5A,
              "writes and reads SRAM (16-bit, 8-bit)")

        # Core registers, then code pyOCD wrote runs on the core with them:
        # adds r0, r0, r1; adds r2, r0, #1; bkpt #0
        regs = ["r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8", "r9", "r10", "r11", "r12", "lr"]
        values = [random.getrandbits(32) for _ in regs]
        t.write_core_registers_raw(regs, values)
        check(t.read_core_registers_raw(regs) == values, "writes and reads r0-r12, lr")
        code = SRAM1 + 0x100
        t.write_memory_block8(code, [0x40, 0x18, 0x42, 0x1C, 0x00, 0xBE])
        t.write_core_register("pc", code)
        t.write_core_register("xpsr", 0x01000000)
        t.write_core_register("sp", 0x20020000)
        check(t.read_core_register("pc") == code and t.read_core_register("sp") == 0x20020000, "writes pc and sp")
        t.step()
        total = (values[0] + values[1]) & 0xFFFFFFFF
        check(t.read_core_register("pc") == code + 2 and t.read_core_register("r0") == total,
              "steps one instruction")
        t.resume()
        check(wait_halted(t), "runs to the breakpoint")
        check(t.read_core_register("pc") == code + 4 and t.read_core_register("r2") == (total + 1) & 0xFFFFFFFF,
              "the core computed with the registers and code pyOCD wrote")

        try:
            t.read32(0x10000000)
            check(False, "a read of unmapped memory faults")
        except exceptions.TransferFaultError as e:
            check(e.fault_address == 0x10000000, "a read of unmapped memory faults at its address")
        check(t.read32(DBGMCU_IDCODE) & 0xFFF == 0x449, "reads again after the fault")

        # Reset and halt on the reset vector of the preloaded image.
        reset_pc, = struct.unpack_from("<I", blob, 4)
        t.reset_stop_on_reset()
        check(t.get_state() == Target.TARGET_HALTED, "halts after reset")
        check(t.read_core_register("pc") == reset_pc & ~1, f"stops on the reset vector 0x{reset_pc & ~1:08X}")
    print("done")


main()
