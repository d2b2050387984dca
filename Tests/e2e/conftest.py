"""Browser suite: the real fuqizo binary on 127.0.0.1, Debian's Chromium driven by Playwright,
axe-core on every page, and a real SMTP sink (aiosmtpd) behind msmtp for mail."""
import base64
import hashlib
import hmac
import os
import re
import shutil
import socket
import struct
import subprocess
import tempfile
import threading
import time

import pytest
from aiosmtpd.controller import Controller
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import sync_playwright

BINARY = os.environ.get("FUQIZO_BINARY", os.path.join(os.path.dirname(__file__), "../../.build/debug/fuqizo"))
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
PASSWORD = "a long test passphrase for fuqizo"
_axe = Axe()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def totp(secret_base32, at=None):
    """RFC 6238 code (SHA-1, 30 s, 6 digits), as an authenticator app computes it."""
    key = base64.b32decode(secret_base32.replace(" ", "").upper() + "=" * (-len(secret_base32.replace(" ", "")) % 8))
    counter = int((at or time.time()) // 30)
    mac = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    value = (struct.unpack(">I", mac[offset:offset + 4])[0] & 0x7FFFFFFF) % 1_000_000
    return f"{value:06d}"


class Mailbox:
    """An SMTP sink: keeps every message msmtp hands it."""

    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.messages.append((envelope.rcpt_tos, envelope.content.decode("utf-8", "replace")))
        return "250 OK"

    def wait_for(self, recipient, timeout=30, containing=None):
        deadline = time.time() + timeout
        while time.time() < deadline:
            with self.lock:
                for rcpts, content in self.messages:
                    if recipient in rcpts and (containing is None or containing in content):
                        return content
            time.sleep(0.2)
        raise AssertionError(f"no mail for {recipient} within {timeout}s")


@pytest.fixture
def mailbox():
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    box.port = controller.port
    yield box
    controller.stop()


class Server:
    def __init__(self, mailbox, binary=BINARY, extra_env=None, cwd=None):
        self.data_dir = tempfile.mkdtemp(prefix="fuqizo-e2e-")
        self.binary = binary
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = dict(os.environ)
        self.env.update({
            "FUQIZO_DATA_DIR": self.data_dir,
            "FUQIZO_PUBLIC_URL": self.url,
            "FUQIZO_MAIL_TRANSPORT": "sendmail",
            "FUQIZO_SENDMAIL_COMMAND": f"/usr/bin/msmtp --host=127.0.0.1 --port={mailbox.port} --auth=off --tls=off "
                                       f"--from=noreply@fuqizo.test -t",
            "FUQIZO_BACKGROUND_SECONDS": "1",
            "DATABASE_URL": "",
        })
        self.env.update(extra_env or {})
        self.output = []
        self.process = subprocess.Popen([binary, "serve", "--hostname", "127.0.0.1", "--port", str(self.port)],
                                        env=self.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                        cwd=cwd or self.data_dir)
        threading.Thread(target=self._read, daemon=True).start()
        deadline = time.time() + 60
        while time.time() < deadline and not any("Server started" in line for line in self.output):
            if self.process.poll() is not None:
                raise AssertionError("server exited:\n" + "".join(self.output))
            time.sleep(0.1)
        links = [re.search(r"(http://\S+/setup/\S+)", line) for line in self.output]
        links = [m.group(1) for m in links if m]
        self.setup_link = links[-1] if links else None

    def _read(self):
        for line in self.process.stdout:
            self.output.append(line)

    def log(self):
        return "".join(self.output)

    def cli(self, *args):
        return subprocess.run([self.binary, *args], env=self.env, capture_output=True, text=True, timeout=60)

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        shutil.rmtree(self.data_dir, ignore_errors=True)


@pytest.fixture
def server(mailbox):
    s = Server(mailbox)
    yield s
    s.stop()


@pytest.fixture(scope="session")
def chromium():
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        yield browser
        browser.close()


@pytest.fixture
def page(chromium):
    context = chromium.new_context(viewport={"width": 1024, "height": 800})
    page = context.new_page()
    yield page
    context.close()


def check_accessibility(page):
    """axe-core on the page as shown: no serious or critical violation."""
    results = _axe.run(page)
    bad = [v for v in results.response["violations"] if v.get("impact") in ("serious", "critical")]
    assert not bad, f"{page.url}: " + "; ".join(f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes)" for v in bad)


def visit(page, url):
    page.goto(url)
    check_accessibility(page)


def submit(page):
    """Clicks the page's main form button and checks the page that comes back."""
    # The form's own action, not an organisation search's button (which only narrows a list).
    page.locator("main form button[type=submit]:not([value=find])").first.click()
    page.wait_for_load_state()
    check_accessibility(page)


def create_administrator(page, server, email="admin@fuqizo.test"):
    assert server.setup_link, "no setup link printed:\n" + server.log()
    visit(page, server.setup_link)
    page.fill("#f-email", email)
    page.fill("#f-displayName", "Administratorja")
    page.fill("#f-password", PASSWORD)
    page.fill("#f-passwordConfirmation", PASSWORD)
    submit(page)


def sign_in(page, server, email, password=PASSWORD):
    visit(page, server.url + "/sign-in")
    page.fill("#f-email", email)
    page.fill("#f-password", password)
    submit(page)


def scan_qr(page, selector):
    """Reads a QR code off the screen with zbar, as a phone camera would."""
    path = tempfile.mktemp(suffix=".png")
    page.locator(selector).screenshot(path=path)
    result = subprocess.run(["zbarimg", "--raw", "-q", path], capture_output=True, text=True)
    os.unlink(path)
    return result.stdout.strip()


def enrol_two_factor(page):
    """On the enrolment page: scans the QR code as an authenticator app would, checks it
    carries the same key as the one printed for typing, and types the app's code."""
    secret = page.locator("#totp-secret").inner_text()
    scanned = scan_qr(page, "#totp-qr")
    assert scanned == page.locator("main a[href^='otpauth://']").get_attribute("href")
    assert "secret=" + secret.replace(" ", "") in scanned
    page.fill("#f-code", totp(secret))
    submit(page)
    assert page.locator("#recovery-codes li").count() == 10
    # The codes can be kept as a text file, made in the page (the server keeps only digests).
    with page.expect_download() as download:
        page.locator("a[download]").click()
    kept = open(download.value.path(), encoding="utf-8").read()
    assert all(li.inner_text() in kept for li in page.locator("#recovery-codes li").all())
    return secret
