"""Crashes lose nothing: the real binary, several clients writing through the pages, and
SIGKILL at a random moment, round after round, on SQLite and on PostgreSQL. After each
restart the audit chain verifies, every write that answered success is there, no record is
half-written, and every invitation mail that was acknowledged arrives (a second copy, if a
kill fell between handing it over and marking it sent, carries the same Message-ID, so mail
systems drop it).

CRASH_ROUNDS sets the number of kills per database (scripts/test runs 3 in CI; run
`CRASH_ROUNDS=20 .venv/bin/pytest Tests/e2e/test_crash.py` for the full 20)."""
import email
import http.cookiejar
import os
import random
import re
import secrets
import shutil
import signal
import sqlite3
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from conftest import BINARY, free_port

ROUNDS = int(os.environ.get("CRASH_ROUNDS", "20"))


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Client:
    """One signed-in person's browser, without the browser: cookies, CSRF, forms."""

    def __init__(self, base, session):
        self.base = base
        jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect())
        self.session = session
        self.csrf = None

    def request(self, path, fields=None):
        data = None
        if fields is not None:
            data = urllib.parse.urlencode(fields + [("_csrf", self.csrf or "")]).encode()
        request = urllib.request.Request(self.base + path, data=data, headers={"Cookie": f"fuqizo_session={self.session}"})
        try:
            response = self.opener.open(request, timeout=10)
        except urllib.error.HTTPError as error:
            response = error
        body = response.read().decode("utf-8", "replace")
        token = re.search(r'name="_csrf" value="([0-9a-f]+)"', body)
        if token:
            self.csrf = token.group(1)
        return response.status, response.headers.get("Location"), body


class Installation:
    """A data directory (and on PostgreSQL a schema) with the demo's people, used by every round."""

    def __init__(self, mailbox, postgres_url=None):
        self.data_dir = tempfile.mkdtemp(prefix="fuqizo-crash-")
        self.env = dict(os.environ, FUQIZO_DATA_DIR=self.data_dir, DATABASE_URL="", FUQIZO_BACKGROUND_SECONDS="1",
                        FUQIZO_MAIL_TRANSPORT="sendmail", FUQIZO_BACKUP_DIR="off",
                        FUQIZO_SENDMAIL_COMMAND=f"/usr/bin/msmtp --host=127.0.0.1 --port={mailbox.port} --auth=off --tls=off "
                                                f"--from=noreply@fuqizo.test -t")
        self.postgres_url = postgres_url
        if postgres_url:
            self.schema = "crash_" + secrets.token_hex(4)
            self.env.update(DATABASE_URL=postgres_url, FUQIZO_DATABASE_SCHEMA=self.schema)
        demo = subprocess.run([BINARY, "demo", "--organisations", "4", "--survivors", "10", "--bench-sessions"],
                              env=self.env, capture_output=True, text=True, timeout=300)
        assert demo.returncode == 0, demo.stdout + demo.stderr
        self.sessions = dict(re.findall(r"session (\w+) (\S+)", demo.stdout))
        self.process = None

    def query(self, sql):
        if self.postgres_url:
            done = subprocess.run(["psql", self.postgres_url, "-At", "-c", f"SET search_path TO {self.schema}; {sql}"],
                                  capture_output=True, text=True, timeout=30)
            assert done.returncode == 0, done.stderr
            return [line.split("|") for line in done.stdout.strip().splitlines() if line and line != "SET"]
        with sqlite3.connect(os.path.join(self.data_dir, "fuqizo.sqlite"), timeout=30) as db:
            return [[str(value) for value in row] for row in db.execute(sql).fetchall()]

    def start(self):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env["FUQIZO_PUBLIC_URL"] = self.url
        with open(os.path.join(self.data_dir, "server.log"), "a") as log:
            self.process = subprocess.Popen([BINARY, "serve", "--hostname", "127.0.0.1", "--port", str(self.port)], env=self.env,
                                            stdout=log, stderr=subprocess.STDOUT)
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.1)
        raise AssertionError("the server did not come back after the kill")

    def log(self):
        with open(os.path.join(self.data_dir, "server.log")) as log:
            return log.read()

    def kill(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def remove(self):
        if self.process and self.process.poll() is None:
            self.kill()
        if self.postgres_url:
            subprocess.run(["psql", self.postgres_url, "-c", f"DROP SCHEMA IF EXISTS {self.schema} CASCADE"], capture_output=True)
        shutil.rmtree(self.data_dir, ignore_errors=True)


def intake(index, region):
    return [("firstName", f"Emri{index}"), ("lastName", f"Mbiemri{index}"), ("birthDate", "1990-01-%02d" % (index % 28 + 1)),
            ("phone", "+355 69 123 4567"), ("address", "Rruga e Pazarit 12"), ("idNumber", "I45717099K"),
            ("emergencyContact", "Motra"), ("sex", "female"), ("regionID", region), ("harm", "trafficking"),
            ("referralSource", "police"), ("wgSeeing", "noDifficulty"), ("wgWalking", "noDifficulty"),
            ("consentFormVersion", "2019-v2"), ("consents[]", "services"), ("consents[]", "statistics")]


class Writers:
    """Case workers registering survivors and adding notes, an administrator inviting people:
    each remembers only the writes the server acknowledged."""

    def __init__(self, installation, region, counter, known=()):
        self.installation = installation
        self.region = region
        self.counter = counter
        # Records acknowledged in earlier rounds: notes go on to them once intakes are throttled
        # (30 an hour for one case worker, a rule of its own).
        self.known = list(known)
        self.registered, self.notes, self.invited = [], [], []
        self.lock = threading.Lock()
        self.stop = threading.Event()

    def next_index(self):
        with self.lock:
            self.counter[0] += 1
            return self.counter[0]

    def case_worker(self):
        client = Client(self.installation.url, self.installation.sessions["caseWorker"])
        while not self.stop.is_set():
            try:
                client.request("/survivors/new")
                status, location, _ = client.request("/survivors", intake(self.next_index(), self.region))
                if status == 303 and location and location.startswith("/survivors/"):
                    code = location.split("/")[2]
                    with self.lock:
                        self.registered.append(code)
                elif self.known:
                    code = random.choice(self.known)
                else:
                    continue
                client.request(f"/survivors/{code}")
                status, _, _ = client.request(f"/survivors/{code}/notes", [("note", "Shënim pas takimit")])
                if status == 303:
                    with self.lock:
                        self.notes.append(code)
            except OSError:
                return  # the server was killed

    def administrator(self):
        client = Client(self.installation.url, self.installation.sessions["administrator"])
        while not self.stop.is_set():
            try:
                client.request("/admin/users/new")
                address = f"person{self.next_index()}@fuqizo.test"
                status, _, _ = client.request("/admin/users", [("email", address), ("displayName", "Personi"),
                                                               ("language", "sq"), ("roles[]", "evaluator")])
                if status == 303:
                    with self.lock:
                        self.invited.append(address)
            except OSError:
                return


def check_whole(installation, writers):
    """What a restarted server must hold: the chain, every acknowledged write, nothing half-done."""
    verify = subprocess.run([BINARY, "audit", "verify"], env=installation.env, capture_output=True, text=True, timeout=120)
    assert verify.returncode == 0, verify.stdout + verify.stderr
    codes = {row[0] for row in installation.query("SELECT code FROM survivors")}
    missing = set(writers.registered) - codes
    assert not missing, f"acknowledged registrations lost: {sorted(missing)}"
    for code in set(writers.notes):
        assert installation.query(f"SELECT COUNT(*) FROM survivor_notes n JOIN survivors s ON s.id = n.survivor_id WHERE s.code = '{code}'")[0][0] != "0"
    # Half-written: a record without its data key or its audit entry, a key without its record.
    assert installation.query("SELECT COUNT(*) FROM survivors s WHERE s.identity_destroyed_at IS NULL "
                              "AND NOT EXISTS (SELECT 1 FROM survivor_keys k WHERE k.survivor_id = s.id)")[0][0] == "0"
    assert installation.query("SELECT COUNT(*) FROM survivor_keys k WHERE NOT EXISTS (SELECT 1 FROM survivors s WHERE s.id = k.survivor_id)")[0][0] == "0"
    assert installation.query("SELECT COUNT(*) FROM survivors s WHERE NOT EXISTS (SELECT 1 FROM audit_entries a "
                              "WHERE a.action = 'survivor.created' AND a.target_id = s.code)")[0][0] == "0"
    emails = {row[0] for row in installation.query("SELECT email FROM users")}
    assert not set(writers.invited) - emails, "acknowledged invitations lost"


def crash_rounds(mailbox, installation):
    region = installation.query("SELECT id FROM programme_regions WHERE code = 'KU'")[0][0]
    counter = [0]
    everything = Writers(installation, region, counter)
    rng = random.Random(os.environ.get("CRASH_SEED", "fuqizo"))
    for _ in range(ROUNDS):
        installation.start()
        writers = Writers(installation, region, counter)
        threads = [threading.Thread(target=writers.case_worker), threading.Thread(target=writers.case_worker),
                   threading.Thread(target=writers.administrator)]
        for thread in threads:
            thread.start()
        time.sleep(rng.uniform(0.5, 3.0))
        installation.kill()
        writers.stop.set()
        for thread in threads:
            thread.join(timeout=30)
        everything.registered += writers.registered
        everything.notes += writers.notes
        everything.invited += writers.invited
        check_whole(installation, everything)
    # Writes were acknowledged across the rounds (about one of each kind a round, in the debug build).
    assert len(everything.registered) >= ROUNDS // 2 and len(everything.notes) >= ROUNDS // 2 and everything.invited, \
        "the clients wrote while the server ran"
    # The last start delivers what is still waiting; every acknowledged invitation arrives.
    installation.start()
    try:
        # A mail that a killed server had claimed waits for its claim to lapse (Outbox.claimDuration,
        # two minutes), then goes out.
        for address in everything.invited:
            mailbox.wait_for(address, timeout=180)
        time.sleep(2)
        with mailbox.lock:
            copies = {}
            for recipients, content in mailbox.messages:
                message_id = email.message_from_string(content)["Message-ID"]
                assert message_id, "every mail carries its outbox message's Message-ID"
                for recipient in recipients:
                    copies.setdefault(recipient, set()).add(message_id)
        for address in everything.invited:
            assert len(copies[address]) == 1, f"{address} got different messages: {copies[address]}"
        check_whole(installation, everything)
    finally:
        installation.kill()


def test_kill_nine_on_sqlite_loses_nothing(mailbox):
    installation = Installation(mailbox)
    try:
        crash_rounds(mailbox, installation)
    finally:
        installation.remove()


def test_kill_nine_on_postgresql_loses_nothing(mailbox):
    url = os.environ.get("FUQIZO_TEST_DATABASE_URL")
    assert url, "scripts/test provides a PostgreSQL database for this test"
    installation = Installation(mailbox, postgres_url=url)
    try:
        crash_rounds(mailbox, installation)
    finally:
        installation.remove()
