"""PostgreSQL goes away and comes back: requests fail cleanly meanwhile (503 with a page in
the visitor's language), /healthz says so, the process stays up, and it recovers by itself."""
import glob
import os
import shutil
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

from conftest import Server, free_port


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
