"""deploy/ as shipped: the systemd unit is valid, the server runs under the unit's sandbox
(its account, umask, read-only system, private /tmp, no new privileges, no capabilities, only
its data and backup folders writable), and serves through nginx configured by
deploy/nginx-fuqizo.conf with TLS. This machine's PID 1 is not systemd, so the sandbox is
applied with the same kernel features by unshare and setpriv, from the unit's own settings."""
import http.client
import os
import re
import shutil
import ssl
import subprocess
import tempfile
import time
import urllib.request

import pytest

from conftest import BINARY, free_port

DEPLOY = os.path.join(os.path.dirname(__file__), "../../deploy")
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def unit_settings():
    settings = {}
    with open(os.path.join(DEPLOY, "fuqizo.service")) as unit:
        for line in unit:
            if "=" in line and not line.lstrip().startswith("#"):
                key, value = line.strip().split("=", 1)
                settings.setdefault(key, []).append(value)
    return settings


def test_the_unit_is_valid_for_systemd():
    folder = tempfile.mkdtemp(prefix="fuqizo-unit-")
    try:
        with open(os.path.join(DEPLOY, "fuqizo.service")) as source:
            text = source.read().replace("/opt/fuqizo/fuqizo", os.path.abspath(BINARY)) \
                                .replace("/etc/fuqizo/fuqizo.env", os.path.join(folder, "env"))
        open(os.path.join(folder, "env"), "w").close()
        path = os.path.join(folder, "fuqizo.service")
        with open(path, "w") as unit:
            unit.write(text)
        done = subprocess.run(["systemd-analyze", "verify", path], capture_output=True, text=True, timeout=60)
        assert done.returncode == 0 and not done.stderr.strip(), done.stderr
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_sandboxed_as_the_unit_says_behind_nginx_with_tls():
    settings = unit_settings()
    # What the sandbox below applies, as the unit states it.
    for key, value in {"UMask": "0077", "StateDirectoryMode": "0700", "ProtectSystem": "strict", "PrivateTmp": "yes",
                       "NoNewPrivileges": "yes", "CapabilityBoundingSet": "", "User": "fuqizo"}.items():
        assert settings.get(key) == [value], f"{key} in the unit"
    root = tempfile.mkdtemp(prefix="fuqizo-service-", dir="/var/tmp")
    os.chmod(root, 0o755)
    data, backups = os.path.join(root, "data"), os.path.join(root, "backups")
    for folder in (data, backups):
        os.mkdir(folder, 0o700)
        shutil.chown(folder, "nobody", "nogroup")  # the unit's dedicated account stands in as nobody
    # Installed as docs/operations.md says (the binary beside its resources), outside /tmp,
    # which the private /tmp below hides.
    install = os.path.join(root, "opt")
    os.mkdir(install, 0o755)
    shutil.copy2(BINARY, install)
    shutil.copytree(os.path.join(os.path.dirname(os.path.abspath(BINARY)), "fuqizo_FuqizoServer.resources"),
                    os.path.join(install, "fuqizo_FuqizoServer.resources"))
    binary = os.path.join(install, "fuqizo")
    port, https_port, http_port = free_port(), free_port(), free_port()
    public = f"https://127.0.0.3:{https_port}"
    env = dict(os.environ, FUQIZO_DATA_DIR=data, FUQIZO_BACKUP_DIR=backups, FUQIZO_PUBLIC_URL=public,
               FUQIZO_TRUSTED_PROXIES="127.0.0.1", FUQIZO_BACKGROUND_SECONDS="1", DATABASE_URL="")
    env.pop("FUQIZO_MASTER_KEY", None)
    umask = settings["UMask"][0]
    sandbox = (f"mount --bind {data} {data} && mount --bind {backups} {backups} && "
               f"mount -t tmpfs -o mode=1777 tmpfs /tmp && mount -o remount,bind,ro / && "
               f"exec setpriv --reuid=nobody --regid=nogroup --clear-groups --no-new-privs --inh-caps=-all --bounding-set=-all "
               f"sh -c 'umask {umask}; exec {binary} serve --env production --hostname 127.0.0.1 --port {port}'")
    server = subprocess.Popen(["unshare", "--mount", "--propagation", "private", "sh", "-c", sandbox], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    nginx = None
    prefix = tempfile.mkdtemp(prefix="fuqizo-nginx-")
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                    break
            except OSError:
                assert server.poll() is None, server.stdout.read()
                time.sleep(0.2)
        os.chmod(prefix, 0o777)
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.3",
                        "-keyout", f"{prefix}/key.pem", "-out", f"{prefix}/cert.pem"], check=True, capture_output=True)
        with open(os.path.join(DEPLOY, "nginx-fuqizo.conf")) as source:
            site = source.read()
        site = re.sub(r"\n\s*listen \[::\]:\d+[^;]*;", "", site)
        site = site.replace("listen 80;", f"listen 127.0.0.3:{http_port};")
        site = site.replace("listen 443 ssl http2;", f"listen 127.0.0.3:{https_port} ssl http2;")
        site = re.sub(r"ssl_certificate\s+\S+;", f"ssl_certificate {prefix}/cert.pem;", site)
        site = re.sub(r"ssl_certificate_key\s+\S+;", f"ssl_certificate_key {prefix}/key.pem;", site)
        site = site.replace("http://127.0.0.1:8080", f"http://127.0.0.1:{port}")
        with open(f"{prefix}/nginx.conf", "w") as conf:
            conf.write(f"""worker_processes 1; pid {prefix}/nginx.pid; error_log stderr warn;
events {{ worker_connections 64; }}
http {{
    client_body_temp_path {prefix}/body; proxy_temp_path {prefix}/proxy; fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi; scgi_temp_path {prefix}/scgi;
{site}
}}
""")
        test = subprocess.run([NGINX, "-t", "-p", prefix, "-c", f"{prefix}/nginx.conf"], capture_output=True, text=True)
        assert test.returncode == 0, test.stderr
        nginx = subprocess.Popen([NGINX, "-p", prefix, "-c", f"{prefix}/nginx.conf", "-g", "daemon off;"],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        context = ssl.create_default_context(cafile=f"{prefix}/cert.pem")
        context.check_hostname = False

        def through(path, secure=True):
            for _ in range(50):
                try:
                    connection = (http.client.HTTPSConnection("127.0.0.3", https_port, context=context, timeout=10) if secure
                                  else http.client.HTTPConnection("127.0.0.3", http_port, timeout=10))
                    connection.request("GET", path)
                    response = connection.getresponse()
                    return response.status, response.headers, response.read().decode()
                except (ConnectionRefusedError, ssl.SSLError):
                    time.sleep(0.1)
            raise AssertionError("nginx did not answer")

        status, headers, body = through("/sign-in")
        assert status == 200 and "Hyrja" in body
        assert "max-age=" in (headers.get("Strict-Transport-Security") or ""), "HTTPS public address: HSTS"
        assert "Secure" in (headers.get("Set-Cookie") or ""), "cookies only over HTTPS"
        status, headers, _ = through("/sign-in", secure=False)
        assert status == 301 and headers["Location"].startswith("https://")
        assert through("/metrics")[0] == 404, "metrics are not served through the front"

        # The sandbox held: the server wrote only where the unit lets it, as its own account.
        deadline = time.time() + 30
        while time.time() < deadline and not any(
                os.path.exists(os.path.join(backups, name, "manifest.json")) for name in os.listdir(backups)):
            time.sleep(0.5)
        assert any(name.startswith("fuqizo-") for name in os.listdir(backups)), "the first scheduled backup"
        for folder, _, files in os.walk(data):
            for name in files:
                info = os.stat(os.path.join(folder, name))
                assert info.st_uid == 65534 and info.st_mode & 0o077 == 0, f"{name}: mode {oct(info.st_mode)}"
        assert server.poll() is None
    finally:
        if nginx:
            nginx.terminate()
            nginx.wait(timeout=10)
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
        shutil.rmtree(prefix, ignore_errors=True)
        shutil.rmtree(root, ignore_errors=True)
