"""PostgreSQL goes away and comes back: requests fail cleanly meanwhile (503 with a page in
the visitor's language), /healthz says so, the process stays up, and it recovers by itself.
PostgreSQL's disk fills up: writes fail with a clear page (507) and nothing half-written, and
the same server writes again once space returns. (SQLite's full disk: OutageTests.diskFull.)"""
import glob
import os
import shutil
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

from conftest import BINARY, Server, free_port
from test_crash import Client, Installation, intake


class Cluster:
    """A PostgreSQL of the test's own, so stopping it disturbs no other test."""

    def __init__(self):
        self.bin = sorted(glob.glob("/usr/lib/postgresql/*/bin"))[-1]
        self.folder = tempfile.mkdtemp(prefix="fuqizo-pg-")
        self.port = free_port()
        self.as_root = os.geteuid() == 0
        if self.as_root:
            os.chmod(self.folder, 0o755)
            shutil.chown(self.folder, "postgres", "postgres")
        self.run("initdb", "-D", self.folder + "/data", "-A", "trust", "-U", "postgres", "--no-sync")
        self.start()
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/postgres?sslmode=disable"

    def small_database(self, megabytes):
        """A database whose every file lives on a tmpfs of `megabytes` (its own tablespace), while
        the cluster's write-ahead log stays on the ordinary disk: the relation that next needs a
        page is what meets the full disk. Returns the database's URL."""
        self.space = self.folder + "/space"
        os.mkdir(self.space)
        mount = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={megabytes}m,mode=0700", "tmpfs", self.space],
                               capture_output=True, text=True)
        assert mount.returncode == 0, "the full-disk test mounts a tmpfs, which needs root (as scripts/test runs): " + mount.stderr
        shutil.chown(self.space, "postgres", "postgres")
        self.psql(f"CREATE TABLESPACE small LOCATION '{self.space}'")
        self.psql("CREATE DATABASE small TABLESPACE small")
        return self.url.replace("/postgres?", "/small?")

    def psql(self, sql, url=None):
        done = subprocess.run(["psql", url or self.url, "-v", "ON_ERROR_STOP=1", "-At", "-c", sql],
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    def run(self, program, *args):
        command = [f"{self.bin}/{program}", *args]
        if self.as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stdout + done.stderr

    def start(self):
        self.run("pg_ctl", "-D", self.folder + "/data", "-w", "-l", self.folder + "/log",
                 "-o", f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off", "start")

    def stop(self):
        self.run("pg_ctl", "-D", self.folder + "/data", "-m", "fast", "-w", "stop")

    def remove(self):
        try:
            self.stop()
        except AssertionError:
            pass
        if hasattr(self, "space"):
            subprocess.run(["umount", "--lazy", self.space], capture_output=True)
        shutil.rmtree(self.folder, ignore_errors=True)


def get(url):
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_postgresql_goes_away_and_comes_back(mailbox):
    cluster = Cluster()
    server = None
    try:
        server = Server(mailbox, extra_env={"DATABASE_URL": cluster.url, "FUQIZO_BACKUP_DIR": "off"})
        assert get(server.url + "/healthz")[0] == 200
        assert get(server.url + "/sq")[0] == 200

        cluster.stop()
        status, body = get(server.url + "/sq")
        assert status == 503, body[:500]
        assert "Baza e të dhënave nuk përgjigjet" in body
        assert get(server.url + "/healthz")[0] == 503
        assert server.process.poll() is None, "the server stays up while the database is away"

        cluster.start()
        deadline = time.time() + 60
        while time.time() < deadline and get(server.url + "/healthz")[0] != 200:
            time.sleep(0.5)
        assert get(server.url + "/healthz")[0] == 200, "it reconnects by itself"
        assert get(server.url + "/sq")[0] == 200
        assert server.process.poll() is None
        assert "Storage outage: databaseUnavailable" in server.log()
    finally:
        if server:
            server.stop()
        cluster.remove()


def fill(path):
    """Writes until the filesystem refuses another byte."""
    with open(path, "wb", buffering=0) as filler:
        for size in (1 << 20, 1 << 12, 1):
            try:
                while True:
                    filler.write(b"Z" * size)
            except OSError:
                pass


def test_postgresql_disk_fills_up_and_space_returns(mailbox):
    cluster = Cluster()
    installation = None
    try:
        installation = Installation(mailbox, postgres_url=cluster.small_database(40))
        installation.start()
        region = installation.query("SELECT id FROM programme_regions WHERE code = 'DI'")[0][0]
        worker = Client(installation.url, installation.sessions["caseWorker"])
        worker.request("/survivors/new")
        status, location, _ = worker.request("/survivors", intake(1, region))
        assert status == 303, "registers while there is space"
        code = location.split("/")[2]
        notes = lambda: int(installation.query("SELECT COUNT(*) FROM survivor_notes")[0][0])
        before = notes()

        fill(cluster.space + "/filler")
        # A row may still fit in a page with room; the first write that needs a new page (a
        # table's, an index's, the session's) meets the full disk.
        accepted, refused = 0, None
        for _ in range(2000):
            worker.request(f"/survivors/{code}")
            status, _, body = worker.request(f"/survivors/{code}/notes", [("note", "Shënim pas takimit " + "x" * 400)])
            if status == 303:
                accepted += 1
                continue
            refused = (status, body)
            break
        assert refused, "the disk never filled"
        assert refused[0] == 507, refused[1][:500]
        assert "Serveri nuk ka më hapësirë në disk" in refused[1]
        assert installation.process.poll() is None, "the server stays up"
        assert notes() == before + accepted, "every acknowledged note is kept and the refused one left nothing"
        assert installation.query("SELECT COUNT(*) FROM survivors s WHERE NOT EXISTS (SELECT 1 FROM survivor_keys k "
                                  "WHERE k.survivor_id = s.id)")[0][0] == "0"

        os.remove(cluster.space + "/filler")
        worker.request(f"/survivors/{code}")
        status, _, _ = worker.request(f"/survivors/{code}/notes", [("note", "Shënim pas lirimit të hapësirës")])
        assert status == 303, "the same server writes again without a restart"
        worker.request("/survivors/new")
        status, _, _ = worker.request("/survivors", intake(2, region))
        assert status == 303
        assert notes() == before + accepted + 1
        verify = subprocess.run([BINARY, "audit", "verify"], env=installation.env, capture_output=True, text=True, timeout=120)
        assert verify.returncode == 0, verify.stdout + verify.stderr
        assert "Storage outage: diskFull" in installation.log()
    finally:
        if installation:
            installation.remove()
        cluster.remove()

