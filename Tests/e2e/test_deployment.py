"""Deployment properties: an installed copy runs outside the source tree, and several
instances share one PostgreSQL database behind a load balancer."""
import os
import re
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import base64

from conftest import BINARY, PASSWORD, Server, create_administrator, enrol_two_factor, sign_in, submit, totp, visit


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_installed_copy_uses_its_own_resources(mailbox):
    """The binary and its resource bundle copied elsewhere, started from /: pages and assets
    come from the copied bundle, not the build folder."""
    install = tempfile.mkdtemp(prefix="fuqizo-install-")
    bundle = os.path.join(os.path.dirname(BINARY), "fuqizo_FuqizoServer.resources")
    shutil.copy2(BINARY, install)
    shutil.copytree(bundle, os.path.join(install, "fuqizo_FuqizoServer.resources"))
    marker = "/* installed copy " + secrets.token_hex(4) + " */"
    with open(os.path.join(install, "fuqizo_FuqizoServer.resources/Resources/Public/styles.css"), "a") as css:
        css.write(marker + "\n")
    server = Server(mailbox, binary=os.path.join(install, "fuqizo"), cwd="/")
    try:
        with urllib.request.urlopen(server.url + "/styles.css") as response:
            assert marker in response.read().decode()
        with urllib.request.urlopen(server.url + "/sign-in") as response:
            assert "Hyrja" in response.read().decode()
    finally:
        server.stop()
        shutil.rmtree(install, ignore_errors=True)


def test_a_taken_port_ends_the_server_cleanly():
    """Started on a port another program holds: the server says so and exits with an error,
    three times over, and never stops on a trap (its background work once reached for the
    database after shutdown had closed it)."""
    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    holder.listen()
    port = holder.getsockname()[1]
    try:
        for _ in range(3):
            data = tempfile.mkdtemp(prefix="fuqizo-e2e-")
            env = dict(os.environ, FUQIZO_DATA_DIR=data, FUQIZO_PUBLIC_URL=f"http://127.0.0.1:{port}", DATABASE_URL="",
                       FUQIZO_BACKGROUND_SECONDS="1", SWIFT_BACKTRACE="enable=no")
            try:
                done = subprocess.run([BINARY, "serve", "--hostname", "127.0.0.1", "--port", str(port)], env=env,
                                      capture_output=True, text=True, timeout=120)
            finally:
                shutil.rmtree(data, ignore_errors=True)
            output = done.stdout + done.stderr
            assert "Address already in use" in output
            assert done.returncode > 0, f"exit {done.returncode}:\n{output[-2000:]}"
            assert "runtime failure" not in output
    finally:
        holder.close()


def test_two_instances_share_one_postgresql(mailbox, chromium):
    """Sessions and CSRF tokens made on one instance work on the other; mail queued on one is
    delivered once although both run background delivery."""
    url = os.environ.get("FUQIZO_TEST_DATABASE_URL")
    assert url, "scripts/test provides a PostgreSQL database for this test"
    schema = "e2e_" + secrets.token_hex(4)
    shared = {
        "DATABASE_URL": url,
        "FUQIZO_DATABASE_SCHEMA": schema,
        "FUQIZO_MASTER_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
    }
    first = Server(mailbox, extra_env=shared)
    second = None
    try:
        page = chromium.new_context().new_page()
        create_administrator(page, first)
        second = Server(mailbox, extra_env=shared)
        sign_in(page, first, "admin@fuqizo.test")
        enrol_two_factor(page)
        cookies = {c["name"]: c["value"] for c in page.context.cookies(first.url)}
        # The same session, sent to the other instance (as a load balancer would).
        other = chromium.new_context().new_page()
        other.context.add_cookies([{"name": "fuqizo_session", "value": cookies["fuqizo_session"], "url": second.url}])
        visit(other, second.url + "/admin/users/new")
        assert "/sign-in" not in other.url
        # A form served by the first instance, posted to the second.
        visit(page, first.url + "/admin/users/new")
        token = page.locator("main input[name=_csrf]").first.get_attribute("value")
        form = urllib.parse.urlencode({"_csrf": token, "email": "shared@fuqizo.test", "displayName": "Dy Instanca",
                                       "language": "sq", "roles[]": "programmeManager"}).encode()
        request = urllib.request.Request(second.url + "/admin/users", data=form, method="POST",
                                         headers={"Cookie": "fuqizo_session=" + cookies["fuqizo_session"]})
        opener = urllib.request.build_opener(NoRedirect)
        try:
            status = opener.open(request).status
        except urllib.error.HTTPError as error:
            status = error.code
        assert status == 303, f"instance B answered {status}"
        mailbox.wait_for("shared@fuqizo.test")
        time.sleep(4)  # several delivery rounds of both instances
        deliveries = [m for m in mailbox.messages if "shared@fuqizo.test" in m[0]]
        assert len(deliveries) == 1, f"delivered {len(deliveries)} times"
        result = second.cli("audit", "verify")
        assert result.returncode == 0, result.stdout + result.stderr
    finally:
        first.stop()
        if second:
            second.stop()
