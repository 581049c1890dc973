"""A real PostgreSQL server for the line tests: Debian's initdb and pg_ctl in a
temporary folder, listening only on a Unix socket in that folder, run as an
unprivileged user (PostgreSQL refuses to run as root: as root, the server runs
as nobody through setpriv). Server.unavailable() says why one cannot start."""
import os
import pwd
import shutil
import subprocess
import tempfile

PGBIN = os.environ.get("KILN_PGBIN", "/usr/lib/postgresql/15/bin")


class Server:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="kiln-pg-")
        os.chmod(self.dir, 0o755)
        self.data = os.path.join(self.dir, "data")
        self.log = os.path.join(self.dir, "server.log")
        self.prefix = []
        if os.geteuid() == 0:
            nobody = pwd.getpwnam("nobody")
            os.chown(self.dir, nobody.pw_uid, nobody.pw_gid)
            self.prefix = ["setpriv", f"--reuid={nobody.pw_uid}", f"--regid={nobody.pw_gid}", "--clear-groups",
                           "--reset-env", "--"]
        self.conninfo = f"host={self.dir} port=5432 user=kiln dbname=postgres"

    @staticmethod
    def unavailable():
        if not os.path.exists(os.path.join(PGBIN, "initdb")):
            return f"no PostgreSQL server programs in {PGBIN} (Debian package postgresql)"
        if os.geteuid() == 0 and shutil.which("setpriv") is None:
            return "running as root without setpriv to run PostgreSQL as an unprivileged user"
        return None

    def _pg(self, *args, check=True):
        return subprocess.run(self.prefix + list(args), capture_output=True, text=True, check=check, cwd=self.dir,
                              stdin=subprocess.DEVNULL)

    def start(self):
        self._pg(os.path.join(PGBIN, "initdb"), "-D", self.data, "-U", "kiln", "--auth=trust", "-E", "UTF8",
                 "--no-sync", "--no-instructions")
        with open(os.path.join(self.data, "postgresql.conf"), "a") as f:
            # Unix socket only; fsync off keeps the test fast (a killed server
            # loses nothing the OS has: only a machine crash would).
            f.write(f"listen_addresses = ''\nunix_socket_directories = '{self.dir}'\nport = 5432\nfsync = off\n"
                    "max_connections = 40\n")
        self.ctl("start")
        return self

    def ctl(self, action, *extra):
        args = [os.path.join(PGBIN, "pg_ctl"), "-D", self.data, "-l", self.log, "-w", "-t", "60"]
        return self._pg(*args, action, *extra)

    def restart_crash(self):
        """The server killed and started again (as after a crash)."""
        self.ctl("stop", "-m", "immediate")
        self.ctl("start")

    def sql(self, query):
        out = subprocess.run([os.path.join(os.path.dirname(PGBIN), "bin", "psql"), "-X", "-A", "-t", "-F", "\t",
                              "-v", "ON_ERROR_STOP=1", self.conninfo, "-c", query],
                             capture_output=True, text=True, check=True)
        return [l.split("\t") for l in out.stdout.splitlines() if l]

    def stop(self):
        self._pg(os.path.join(PGBIN, "pg_ctl"), "-D", self.data, "-w", "stop", "-m", "fast", check=False)
        shutil.rmtree(self.dir, ignore_errors=True)
