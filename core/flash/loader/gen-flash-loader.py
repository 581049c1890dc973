#!/usr/bin/env python3
"""Assembles kiln-flash-loader.S with arm-none-eabi-gcc and writes the bytes
as C source (kiln-flash-loader-code.c).

Usage: gen-flash-loader.py SOURCE.S OUTPUT.c [--check]
With --check, compares the bytes with OUTPUT.c instead of writing it; exits
77 (skipped) when arm-none-eabi-gcc is not installed."""
import os
import shutil
import subprocess
import sys
import tempfile

src, out = sys.argv[1], sys.argv[2]
check = "--check" in sys.argv[3:]
gcc = shutil.which("arm-none-eabi-gcc")
objcopy = shutil.which("arm-none-eabi-objcopy")
if gcc is None or objcopy is None or shutil.which("arm-none-eabi-nm") is None:
    print("SKIP: arm-none-eabi-gcc/objcopy/nm not installed", file=sys.stderr)
    # The check is skipped on a machine without them, but not on CI.
    ci = os.environ.get("CI", "").lower() in ("true", "1", "yes")
    sys.exit(77 if check and not ci else 1)

with tempfile.TemporaryDirectory() as tmp:
    obj = os.path.join(tmp, "loader.o")
    binary = os.path.join(tmp, "loader.bin")
    subprocess.run([gcc, "-c", "-mcpu=cortex-m7", "-mthumb", "-o", obj, src], check=True)
    subprocess.run([objcopy, "-O", "binary", "-j", ".text.loader", obj, binary], check=True)
    code = open(binary, "rb").read()
    # Where the parts uploaded only for program runs, for runs at x8, x16
    # or x64, and for compressed records, start.
    nm = shutil.which("arm-none-eabi-nm")
    symbols = subprocess.run([nm, obj], check=True, capture_output=True, text=True).stdout.split()
    lz4 = int(symbols[symbols.index("kiln_flash_loader_lz4") - 2], 16)
    narrow = int(symbols[symbols.index("kiln_flash_loader_narrow") - 2], 16)
    program = int(symbols[symbols.index("kiln_flash_loader_program_part") - 2], 16)
    program_check = int(symbols[symbols.index("kiln_flash_loader_program_check") - 2], 16)

lines = [
    "/* kiln-flash-loader-code.c — the flash loader's machine code",
    " *",
    " * Generated from loader/kiln-flash-loader.S by loader/gen-flash-loader.py",
    " * (`ninja -C _build flash-loader`); do not edit.",
    " *",
    " * SPDX-License-Identifier: GPL-3.0-or-later",
    " */",
    "",
    '#include "kiln-flash-loader.h"',
    "",
    "const guint8 kiln_flash_loader_code[] = {",
]
for i in range(0, len(code), 12):
    lines.append("  " + " ".join(f"0x{b:02x}," for b in code[i:i + 12]))
lines += ["};", "", "const gsize kiln_flash_loader_code_size = sizeof kiln_flash_loader_code;",
          f"const gsize kiln_flash_loader_program_offset = 0x{program:x};",
          f"const gsize kiln_flash_loader_program_check_offset = 0x{program_check:x};",
          f"const gsize kiln_flash_loader_narrow_offset = 0x{narrow:x};",
          f"const gsize kiln_flash_loader_lz4_offset = 0x{lz4:x};", ""]
text = "\n".join(lines)

if check:
    have = open(out).read()
    if have != text:
        print(f"{out} does not match {src}: run `ninja -C _build flash-loader` and commit the result",
              file=sys.stderr)
        sys.exit(1)
    print(f"{len(code)} bytes match")
else:
    with open(out, "w") as f:
        f.write(text)
    print(f"wrote {out}: {len(code)} bytes")
