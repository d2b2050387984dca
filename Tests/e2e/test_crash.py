"""Crashes lose nothing: the real binary, several clients writing through the pages (case
workers registering survivors and adding notes, a Club facilitator taking attendance, a CSO
user saving and submitting applications, an administrator inviting people), and SIGKILL at a random moment, round after round, on SQLite
and on PostgreSQL. After each restart the audit chain verifies, every write that answered
success is there, no record is half-written, and every invitation mail that was acknowledged
arrives (a second copy, if a
kill fell between handing it over and marking it sent, carries the same Message-ID, so mail
systems drop it).

CRASH_ROUNDS sets the number of kills per database (scripts/test runs 3 in CI; run
`CRASH_ROUNDS=20 .venv/bin/pytest Tests/e2e/test_crash.py` for the full 20)."""
import email
import http.cookiejar
import json
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


class AttendanceBook:
    """What each Club session's attendance may be after a kill: the last set the server
    acknowledged, or one it was sent afterwards and may have committed before dying."""

    def __init__(self, installation, facilitator_sessions):
        self.lock = threading.Lock()
        self.sessions = {}
        for (session,) in facilitator_sessions:
            rows = installation.query(f"SELECT id FROM club_attendance WHERE session_id = '{session}'")
            self.sessions[session] = [row[0].upper() for row in rows]
        self.acknowledged = {session: None for session in self.sessions}
        self.tried = {session: [] for session in self.sessions}
        self.acknowledgements = {session: 0 for session in self.sessions}

    def trying(self, session, present):
        with self.lock:
            self.tried[session].append(frozenset(present))

    def acknowledge(self, session, present):
        with self.lock:
            self.acknowledged[session] = frozenset(present)
            self.tried[session] = []
            self.acknowledgements[session] += 1

    def check(self, installation):
        for session, acknowledged in self.acknowledged.items():
            if acknowledged is None:
                continue
            stored = frozenset(row[0].upper() for row in
                               installation.query(f"SELECT id FROM club_attendance WHERE session_id = '{session}' AND present"))
            assert stored == acknowledged or stored in self.tried[session], \
                f"session {session}: attendance {sorted(stored)} is neither the acknowledged {sorted(acknowledged)} nor a later one sent"
            # One taking writes every row of the session at one time: a half-written one would mix times.
            times = installation.query(f"SELECT COUNT(DISTINCT recorded_at) FROM club_attendance WHERE session_id = '{session}'")[0][0]
            assert times == "1", f"session {session}: rows recorded at {times} different times"
            entries = installation.query(f"SELECT COUNT(*) FROM audit_entries WHERE action = 'club.attendanceRecorded' "
                                         f"AND target_id = '{session.upper()}'")[0][0]
            assert int(entries) >= self.acknowledgements[session], f"session {session}: an acknowledged taking without its audit entry"


class ApplicationBook:
    """Each application's title after a kill: the last the server acknowledged saving, or one
    sent afterwards; and a submission acknowledged is a submission kept, whole."""

    def __init__(self):
        self.lock = threading.Lock()
        self.acknowledged = {}
        self.tried = {}
        self.submitted = set()
        self.finished = set()

    def trying(self, application, title):
        with self.lock:
            self.tried.setdefault(application, []).append(title)

    def acknowledge(self, application, title, submitted):
        with self.lock:
            self.acknowledged[application] = title
            self.tried[application] = []
            if submitted:
                self.submitted.add(application)

    def check(self, installation):
        for application, title in self.acknowledged.items():
            status, content = installation.query(f"SELECT status, concept_content FROM grant_applications WHERE id = '{application}'")[0]
            stored = json.loads(content)["title"]
            assert stored == title or stored in self.tried[application], \
                f"application {application}: title {stored!r} is neither the acknowledged {title!r} nor a later one sent"
            if application in self.submitted:
                assert status == "submitted", f"application {application}: acknowledged as submitted, now {status}"
        # Half-written: one of these submitted without its reference, time or audit entry.
        touched = ", ".join(f"'{application}'" for application in self.tried)
        if touched:
            assert installation.query(f"SELECT COUNT(*) FROM grant_applications a WHERE a.id IN ({touched}) AND a.status <> 'draft' "
                                      "AND (a.reference IS NULL OR a.concept_submitted_at IS NULL OR NOT EXISTS (SELECT 1 FROM audit_entries e "
                                      "WHERE e.action = 'application.submitted' AND e.details LIKE '%' || a.reference || '%'))")[0][0] == "0"


# What a concept note must say to be submitted (besides its title).
CONCEPT = [("summary", "Trajnim profesional dhe punësim për 30 gra të mbijetuara."), ("problem", "Gratë gjejnë rrallë punë të qëndrueshme."),
           ("activities", "Trajnime, praktika me punëdhënës, ndërmjetësim pune."), ("requested", "40000")]


class Writers:
    """Case workers registering survivors and adding notes, an administrator inviting people:
    each remembers only the writes the server acknowledged."""

    def __init__(self, installation, region, counter, known=(), attendance=None, applications=None):
        self.installation = installation
        self.attendance = attendance
        self.applications = applications
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

    def facilitator(self):
        client = Client(self.installation.url, self.installation.sessions["clubFacilitator"])
        book = self.attendance
        while not self.stop.is_set():
            try:
                session = random.choice(sorted(book.sessions))
                client.request(f"/club/sessions/{session}")
                rows = book.sessions[session]
                present = random.sample(rows, random.randint(0, len(rows)))
                book.trying(session, present)
                status, _, _ = client.request(f"/club/sessions/{session}/attendance", [("present[]", row) for row in present])
                if status == 303:
                    book.acknowledge(session, present)
            except OSError:
                return

    def cso_user(self):
        """Opens an application to a lot of the open call (or the one it has), saves it three
        times and submits it; then the next lot, until every lot's is submitted."""
        client = Client(self.installation.url, self.installation.sessions["csoUser"])
        book = self.applications
        while not self.stop.is_set():
            try:
                _, _, listing = client.request("/applications")
                call = re.search(r'name="callID" value="([0-9A-Fa-f-]{36})"', listing)
                lots = re.findall(r'<option value="([0-9A-Fa-f-]{36})"', listing)
                if not call or not lots or len(book.finished) >= len(lots):
                    return
                status, location, _ = client.request("/applications", [("callID", call.group(1)), ("lotID", random.choice(lots))])
                if status != 303 or not location:
                    continue
                application = location.rstrip("/").rsplit("/", 1)[-1].upper()
                for step in range(4):
                    _, _, page = client.request(f"/applications/{application}")
                    revision = re.search(r'name="revision" value="(\d+)"', page)
                    if not revision:
                        book.finished.add(application)  # submitted: it reads only
                        break
                    title = f"Projekti {self.next_index()}"
                    submitting = step == 3
                    fields = [("title", title), ("revision", revision.group(1)), ("intent", "submit" if submitting else "save")]
                    book.trying(application, title)
                    status, _, _ = client.request(f"/applications/{application}", fields + (CONCEPT if submitting else []))
                    if status == 303:
                        book.acknowledge(application, title, submitting)
            except OSError:
                return

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
    writers.attendance.check(installation)
    writers.applications.check(installation)


def crash_rounds(mailbox, installation):
    region = installation.query("SELECT id FROM programme_regions WHERE code = 'KU'")[0][0]
    counter = [0]
    # The facilitator's sessions already held (attendance is taken on the day or after).
    today = time.strftime("%Y-%m-%d", time.gmtime())
    held = installation.query("SELECT s.id FROM club_sessions s JOIN users u ON u.id = s.facilitator_id "
                              f"WHERE u.email = 'clubfacilitator@demo.fuqizo.invalid' AND s.held_on <= '{today}' "
                              "AND EXISTS (SELECT 1 FROM club_attendance a WHERE a.session_id = s.id) ORDER BY s.held_on DESC LIMIT 3")
    assert held, "the demo has Club sessions held, with members"
    attendance = AttendanceBook(installation, held)
    applications = ApplicationBook()
    everything = Writers(installation, region, counter, attendance=attendance, applications=applications)
    rng = random.Random(os.environ.get("CRASH_SEED", "fuqizo"))
    for _ in range(ROUNDS):
        installation.start()
        writers = Writers(installation, region, counter, attendance=attendance, applications=applications)
        threads = [threading.Thread(target=target) for target in (writers.case_worker, writers.case_worker, writers.facilitator,
                                                                    writers.cso_user, writers.administrator)]
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
    assert sum(attendance.acknowledgements.values()) >= ROUNDS // 2, "attendance was taken while the server ran"
    assert applications.acknowledged, "applications were saved while the server ran"
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
