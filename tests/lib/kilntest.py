"""kilntest — what the Python suites (tests/cli, tests/production,
tests/peers) share: a temporary folder per run, checks that count, benches
written from key lines, the environment for kiln-cli or a peer on the bench,
the board's state files and the bench report, and holding a job at a chosen
point (the bench's [bench] hold / hold-file keys, core/sim/README.md).

A suite starts with

    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
    import kilntest
    t = kilntest.Suite("cli-ops")

and ends with t.finish(), which prints the counts and exits 1 on a failure.
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time


def on_ci():
    """CI=true: every tool must be installed (a missing one fails)."""
    return os.environ.get("CI", "").lower() in ("true", "1", "yes")


class Suite:
    def __init__(self, name):
        self.name = name
        self.tmp = tempfile.mkdtemp(prefix=f"kiln-{name}-")
        self.checks = 0
        self.failures = 0
        self.skips = 0

    def check(self, cond, what, out=""):
        self.checks += 1
        if not cond:
            self.failures += 1
            print(f"not ok: {what}\n{out[-2500:] if out else ''}", file=sys.stderr)
        return bool(cond)

    def skip(self, what, why):
        """A part that cannot run here: named with its reason in the suite's
        output as a TAP skip line, which build-aux/dev counts and lists."""
        self.skips += 1
        print(f"ok {self.skips} - {what} # SKIP {why}")

    def dir(self, name):
        d = os.path.join(self.tmp, name)
        os.makedirs(d, exist_ok=True)
        return d

    def bench(self, name, *lines, board="", faults="", bench=""):
        """A bench of one probe and one board keeping its state in NAME/state.
        @lines are more key lines, @board and @faults go in their groups,
        @bench in [bench]. Returns (folder, path of sim.ini)."""
        d = self.dir(name)
        path = os.path.join(d, "sim.ini")
        with open(path, "w") as f:
            if bench:
                f.write(f"[bench]\n{bench}\n")
            f.write(f"[probe]\n[board]\nstate={os.path.join(d, 'state')}\n{board}\n")
            for line in lines:
                f.write(line + "\n")
            if faults:
                f.write(f"[faults]\n{faults}\n")
        return d, path

    def finish(self):
        print(f"{'FAILED' if self.failures else 'ok'}: {self.checks} checks, {self.failures} failure(s)")
        shutil.rmtree(self.tmp, ignore_errors=True)
        sys.exit(1 if self.failures else 0)


def env_for(sim=None, report=None, dropin=None):
    """The environment for kiln-cli (or a peer with @dropin) on bench @sim.
    meson may put the drop-in on LD_LIBRARY_PATH: it is cleared unless asked."""
    env = {k: v for k, v in os.environ.items() if k not in ("KILN_SIM", "LD_LIBRARY_PATH", "KILN_SIM_REPORT")}
    env["LC_ALL"] = "C.UTF-8"
    if sim:
        env["KILN_SIM"] = sim
    if report:
        env["KILN_SIM_REPORT"] = report
    if dropin:
        env["LD_LIBRARY_PATH"] = dropin
    return env


def station_env(sim, home):
    """kiln-cli production's environment on bench @sim, with its settings
    (trusted keys, the station's own) kept under @home."""
    env = env_for(sim)
    env["XDG_CONFIG_HOME"] = os.path.join(home, "config")
    return env


def engineer_key(cli, d):
    """The engineer's key pair, made by kiln-cli (without a password) in @d;
    returns its path without the .key / .pub ending."""
    key = os.path.join(d, "engineer")
    subprocess.run([cli, "profile", "keygen", key], check=True, capture_output=True)
    return key


def minisign_sign(key, profile):
    """Signs @profile with minisign itself, so that the station is shown to
    check minisign's own signatures."""
    subprocess.run(["minisign", "-S", "-s", key + ".key", "-m", profile, "-t", "test"], check=True,
                   capture_output=True, stdin=subprocess.DEVNULL)


def state_file(d, name):
    with open(os.path.join(d, "state", name), "rb") as f:
        return f.read()


def flash(d):
    """The board's flash as the bench saved it (state/flash.bin)."""
    return state_file(d, "flash.bin")


def otp(d):
    return state_file(d, "otp.bin")


def options(d):
    p = os.path.join(d, "state", "options.ini")
    return open(p).read() if os.path.exists(p) else ""


def report(path):
    """The bench report (KILN_SIM_REPORT) as a dict."""
    with open(path) as f:
        return json.load(f)


def wait_for_file(path, proc=None, limit_s=300):
    """Waits until @path exists (a hold point was reached). False if @proc
    ended first; the limit only bounds a hang."""
    end = time.monotonic() + limit_s
    while not os.path.exists(path):
        if proc is not None and proc.poll() is not None:
            return False
        if time.monotonic() > end:
            return False
        time.sleep(0.005)
    return True


def hold_bench_lines(point, hold_file, real_time="after-hold"):
    """[bench] lines that hold the job at @point (erase:N, program:N, read:N,
    time:MS) until @hold_file is removed, then run in real time so that
    whatever the test does at the hold lands while the job still runs."""
    return f"hold={point}\nhold-file={hold_file}\nreal-time={real_time}"


def interrupt_at_hold(argv, env, hold_file, signum=signal.SIGINT, stderr=None, timeout=300):
    """Runs @argv until the bench holds, sends @signum, releases the hold and
    waits for the end. Output goes to files (a pipe nobody reads while the
    job is held could fill and stop it before the hold). @stderr: a file
    descriptor to use instead (a terminal). Returns (exit code, stdout,
    stderr or "", whether the hold was reached before the process ended)."""
    d = os.path.dirname(hold_file)
    out_path, err_path = hold_file + ".stdout", hold_file + ".stderr"
    with open(out_path, "w") as out, open(err_path, "w") as err:
        p = subprocess.Popen(argv, stdout=out, stderr=stderr if stderr is not None else err, env=env, cwd=d)
        held = wait_for_file(hold_file, p)
        if held:
            p.send_signal(signum)
            os.unlink(hold_file)
        rc = p.wait(timeout=timeout)
    with open(out_path) as f:
        stdout = f.read()
    with open(err_path) as f:
        stderr_text = f.read()
    return rc, stdout, stderr_text, held
