#!/usr/bin/env python3
"""Profile keys: a misspelt key or an unknown group is refused with its line
and the nearest known name (nothing in the profile is used); `kiln-cli profile
new` writes a commented template that loads as it is and documents every key;
every key is in the man page and the README; `kiln-cli profile hash-password`
prints the [operator] line, and operator mode needs that hash, never a
password in clear."""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import kilntest  # noqa: E402

cli = sys.argv[1]
source = os.environ["KILN_SOURCE_DIR"]
t = kilntest.Suite("profile-keys")
tmp = t.tmp
check = t.check
env = kilntest.env_for()
env["LANGUAGE"] = "en"


def kiln(*args):
    return subprocess.run([cli, *args], capture_output=True, text=True, env=env, timeout=120)


def write(name, text):
    path = os.path.join(tmp, name)
    with open(path, "w") as f:
        f.write(text)
    return path


# The issue's own example: verfy = false and [option-bytes-after] rdp = 1 were ignored.
p = write("verfy.kiln-profile", "[profile]\nname = W\n# a comment\nverfy = false\nchip = STM32F746NG\n")
r = kiln("profile", "show", p)
check(r.returncode == 2 and f"{p}:4: unknown key verfy in [profile] (did you mean verify?)" in r.stderr
      and "Profile:" not in r.stdout, "verfy is refused with its line and verify", r.stdout + r.stderr)

p = write("after.kiln-profile", "[profile]\nname = W\n\n[option-bytes-after]\nrdp = 1\n")
r = kiln("profile", "show", p)
check(r.returncode == 2 and f"{p}:4: unknown group [option-bytes-after] (did you mean [option-bytes]?)" in r.stderr,
      "[option-bytes-after] is refused with its line and [option-bytes]", r.stderr)

p = write("serial.kiln-profile", "[profile]\nname = W\n[serial]\nsource = counter\nadress = 0x08040000\n")
r = kiln("profile", "show", p)
check(r.returncode == 2 and ":5: unknown key adress in [serial] (did you mean address?)" in r.stderr,
      "a key of another group is looked up in its own group", r.stderr)

p = write("far.kiln-profile", "[profile]\nname = W\nfrobnicate = 1\n")
r = kiln("profile", "show", p)
check(r.returncode == 2 and ":3: unknown key frobnicate in [profile]" in r.stderr and "did you mean" not in r.stderr,
      "a name like no known one gets no guess", r.stderr)

# A value ending in a lone backslash (an unfinished escape) is refused with
# its line, and without a GLib warning (GLib 2.74 reports that error twice;
# found by fuzz-profile).
p = write("backslash.kiln-profile", "[profile]\nname = W\n[option-bytes]\nrdp = 0\\\n")
r = kiln("profile", "show", p)
check(r.returncode == 2 and f"{p}:4: the value of rdp in [option-bytes] ends with a lone backslash" in r.stderr
      and "WARNING" not in r.stderr and "GError set over" not in r.stderr,
      "a lone backslash at the end of a value is refused with its line", r.stderr)

# Signing refuses it too (it loads the profile first).
kiln("profile", "keygen", os.path.join(tmp, "k"))
r = kiln("profile", "sign", os.path.join(tmp, "verfy.kiln-profile"), "--secret-key", os.path.join(tmp, "k.key"))
check(r.returncode == 2 and "did you mean verify?" in r.stderr, "profile sign refuses an unknown key", r.stderr)

# The template: written once, loads as it is, every key documented.
new = os.path.join(tmp, "new.kiln-profile")
r = kiln("profile", "new", new, "--firmware", "widget.elf")
check(r.returncode == 0 and os.path.exists(new), "profile new writes a template", r.stdout + r.stderr)
text = open(new).read()
keys = re.findall(r"^#?([a-z0-9-]+) = ", text, re.M)
check(len(keys) >= 18 and "firmware = widget.elf" in text and "#rdp = 0" in text,
      f"the template holds every key ({len(keys)})", text)
for line in text.splitlines():
    m = re.match(r"^#?([a-z0-9-]+) = ", line)
    if m:
        before = text.splitlines()[text.splitlines().index(line) - 1]
        check(before.startswith("# "), f"the template explains {m.group(1)}", before)
r = kiln("profile", "show", new)
check(r.returncode == 0 and "widget.elf" in r.stdout, "the template loads as it is", r.stdout + r.stderr)
r = kiln("profile", "new", new)
check(r.returncode == 2 and "already exists" in r.stderr and open(new).read() == text,
      "profile new never overwrites a profile", r.stderr)

# Uncommenting every key gives a profile with no unknown key.
full = write("full.kiln-profile", re.sub(r"^#([a-z])", r"\1", text, flags=re.M).replace("sha256 = \n", ""))
r = kiln("profile", "show", full)
check("unknown" not in r.stderr, "every key of the template is known", r.stderr)

# Operator mode: the engineer's password as a salted hash, never in clear.
r = subprocess.run([cli, "profile", "hash-password"], input="kiln-engineer\n", capture_output=True, text=True,
                   env=env, timeout=120)
m = re.match(r"^engineer-password = (\$argon2id\$v=19\$m=\d+,t=\d+,p=\d+\$\S+)$", r.stdout.strip())
check(r.returncode == 0 and m is not None and "kiln-engineer" not in r.stdout,
      "profile hash-password prints a salted Argon2id hash", r.stdout + r.stderr)
again = subprocess.run([cli, "profile", "hash-password"], input="kiln-engineer\n", capture_output=True, text=True,
                       env=env, timeout=120)
check(again.returncode == 0 and again.stdout != r.stdout, "the same password hashes differently (salted)",
      again.stdout)
r = subprocess.run([cli, "profile", "hash-password"], input="", capture_output=True, text=True, env=env, timeout=120)
check(r.returncode == 2 and "empty" in r.stderr and r.stdout == "", "an empty password is refused", r.stderr)
base = "[profile]\nname = W\nfirmware = w.bin\nchip = STM32F746NG\n"
if m is not None:
    p = write("operator.kiln-profile", base + "[operator]\nmode = true\n" + "engineer-password = " + m.group(1) + "\n")
    r = kiln("profile", "show", p)
    check(r.returncode == 0 and "Operator:" in r.stdout, "a profile in operator mode with the hash loads",
          r.stdout + r.stderr)
p = write("nopass.kiln-profile", base + "[operator]\nmode = true\n")
r = kiln("profile", "show", p)
check(r.returncode == 2 and "needs engineer-password" in r.stderr, "operator mode without the password is refused",
      r.stderr)
p = write("clear.kiln-profile", base + "[operator]\nmode = true\nengineer-password = kiln-engineer\n")
r = kiln("profile", "show", p)
check(r.returncode == 2 and "is not a password hash" in r.stderr, "a password in clear is refused", r.stderr)
p = write("badmode.kiln-profile", base + "[operator]\nmode = maybe\n")
r = kiln("profile", "show", p)
check(r.returncode == 2 and "use true or false" in r.stderr, "mode = maybe is refused", r.stderr)

man = open(os.path.join(source, "data", "kiln-cli.1")).read()
readme = open(os.path.join(source, "README.md")).read()
for key in keys:
    check(re.search(r"^\.B " + re.escape(key.replace("-", r"\-")) + r"$", man, re.M) is not None,
          f"the man page documents {key}")
    check(f"`{key}`" in readme, f"the README documents {key}")

t.finish()
