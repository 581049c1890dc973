#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Checks that the udev rules give seat access (uaccess) to every ST-LINK
product Kiln supports, and that no rule is malformed."""

import re
import sys

VENDOR = "0483"
PRODUCTS = {
    "3748": "ST-LINK/V2",
    "374a": "ST-LINK/V2-1",
    "374b": "ST-LINK/V2-1",
    "3752": "ST-LINK/V2-1 (no mass storage)",
    "374d": "STLINK-V3 loader",
    "374e": "STLINK-V3",
    "374f": "STLINK-V3",
    "3753": "STLINK-V3 (two VCPs)",
    "3754": "STLINK-V3 (no mass storage)",
    "3755": "STLINK-V3 bridge",
    "3757": "STLINK-V3PWR",
}

RULE = re.compile(
    r'^SUBSYSTEM=="usb", ATTRS\{idVendor\}=="([0-9a-f]{4})", '
    r'ATTRS\{idProduct\}=="([0-9a-f]{4})", TAG\+="uaccess"$'
)


def main(path):
    covered = set()
    errors = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            m = RULE.match(line)
            if not m:
                errors.append(f"{path}:{n}: not a recognised ST-LINK rule: {line}")
                continue
            if m.group(1) != VENDOR:
                errors.append(f"{path}:{n}: vendor {m.group(1)} is not ST ({VENDOR})")
            covered.add(m.group(2))
    for pid, name in sorted(PRODUCTS.items()):
        if pid not in covered:
            errors.append(f"{path}: no rule for {name} (0483:{pid})")
    for pid in sorted(covered - PRODUCTS.keys()):
        errors.append(f"{path}: rule for unknown product 0483:{pid}")
    for e in errors:
        print(e, file=sys.stderr)
    if errors:
        return 1
    print(f"{len(covered)} ST-LINK products covered")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
