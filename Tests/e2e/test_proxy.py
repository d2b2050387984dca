"""Behind a real reverse proxy (Debian's nginx), as docs/operations.md deploys Fuqizo: the
sign-in throttle counts each client, not the proxy, a client cannot forge its address, and
/metrics is not served to anyone through the proxy."""
import http.client
import os
import re
import shutil
import subprocess
import tempfile
import time
import urllib.parse

import pytest

from conftest import Server, free_port

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


class Nginx:
    """nginx in the foreground on 127.0.0.2, forwarding to the server the way the docs say."""

    def __init__(self, upstream_port):
        self.prefix = tempfile.mkdtemp(prefix="fuqizo-nginx-")
        os.chmod(self.prefix, 0o777)
        self.port = free_port()
        conf = os.path.join(self.prefix, "nginx.conf")
        with open(conf, "w") as f:
            f.write(f"""
worker_processes 1;
pid {self.prefix}/nginx.pid;
error_log stderr warn;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {self.prefix}/body;
    proxy_temp_path {self.prefix}/proxy;
    fastcgi_temp_path {self.prefix}/fastcgi;
    uwsgi_temp_path {self.prefix}/uwsgi;
    scgi_temp_path {self.prefix}/scgi;
    server {{
        listen 127.0.0.2:{self.port};
        location / {{
            proxy_pass http://127.0.0.1:{upstream_port};
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
        }}
    }}
}}
""")
        self.process = subprocess.Popen([NGINX, "-p", self.prefix, "-c", conf, "-g", "daemon off;"],
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        deadline = time.time() + 15
        while time.time() < deadline:
            try:
                http.client.HTTPConnection("127.0.0.2", self.port, timeout=2).request("GET", "/healthz")
                break
            except OSError:
                time.sleep(0.1)

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)
        shutil.rmtree(self.prefix, ignore_errors=True)


def request(port, method, path, source, host="127.0.0.2", headers=None, body=None):
    """One request from a chosen loopback address, as a different client machine would send it."""
    connection = http.client.HTTPConnection(host, port, timeout=30, source_address=(source, 0))
    connection.request(method, path, body=body, headers=headers or {})
    response = connection.getresponse()
    cookies = "; ".join(value.split(";")[0] for value in response.msg.get_all("Set-Cookie") or [])
    return response.status, {"Cookie": cookies}, response.read().decode("utf-8", "replace")


def failed_sign_in(port, source, forged=None):
    """A sign-in with a wrong password from `source`; returns the status."""
    status, headers, page = request(port, "GET", "/sign-in", source)
    cookie = headers["Cookie"]
    token = re.search(r'name="_csrf" value="([0-9a-f]+)"', page).group(1)
    extra = {"X-Forwarded-For": forged} if forged else {}
    body = urllib.parse.urlencode({"email": "nobody@fuqizo.test", "password": "wrong password here", "_csrf": token})
    status, _, _ = request(port, "POST", "/sign-in", source, headers={
        "Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded", **extra}, body=body)
    return status


@pytest.fixture
def proxied(mailbox):
    if not os.path.exists(NGINX):
        pytest.fail("nginx is not installed (scripts/test installs it)")
    server = Server(mailbox, extra_env={"FUQIZO_TRUSTED_PROXIES": "127.0.0.1"})
    nginx = Nginx(server.port)
    yield server, nginx
    nginx.stop()
    server.stop()


def test_throttle_counts_each_client_behind_the_proxy(proxied):
    server, nginx = proxied
    # Twenty failures from one client machine throttle that client...
    for _ in range(20):
        assert failed_sign_in(nginx.port, "127.0.0.5") == 401
    assert failed_sign_in(nginx.port, "127.0.0.5") == 429
    # ...and nobody else: another client is still answered, even when it claims to be the first.
    assert failed_sign_in(nginx.port, "127.0.0.6") == 401
    assert failed_sign_in(nginx.port, "127.0.0.6", forged="127.0.0.5") == 401
    # A throttled client cannot escape by forging another address either.
    assert failed_sign_in(nginx.port, "127.0.0.5", forged="198.51.100.77") == 429


def test_metrics_only_to_a_direct_loopback_peer(proxied):
    server, nginx = proxied
    status, _, _ = request(nginx.port, "GET", "/metrics", "127.0.0.5")
    assert status == 403, "through the proxy /metrics is refused"
    status, _, _ = request(nginx.port, "GET", "/healthz", "127.0.0.5")
    assert status == 200
    # A scraper on this machine (any loopback address but the proxy's) reads it directly.
    status, _, body = request(server.port, "GET", "/metrics", "127.0.0.3", host="127.0.0.1")
    assert status == 200 and "# TYPE" in body
    status, _, _ = request(server.port, "GET", "/metrics", "127.0.0.3", host="127.0.0.1",
                           headers={"X-Forwarded-For": "203.0.113.1"})
    assert status == 403, "a forwarded request is not a local operator"
    status, _, _ = request(server.port, "GET", "/metrics", "127.0.0.1", host="127.0.0.1")
    assert status == 403, "nor is the trusted proxy's own address"
