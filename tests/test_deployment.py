"""The documented deployment, run: Debian's nginx with deploy/nginx/dialogue.conf (TLS with a
self-signed pair made for the test, WebSocket upgrades, long polling, static files from
disk) in front of two gunicorn processes started as deploy/systemd/dialogue@.service starts
them, on the test database and a Redis channel of their own. A live exchange goes through
nginx over WebSocket and over long polling, and reaches a client connected straight to the
other process (the Redis message queue between them)."""

from __future__ import annotations

import os
import re
import secrets
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import requests

from .conftest import REDIS_URL, ROOT, _free_port, start_server, stop_server
from .factories import gen_room
from .helpers import RecordingClient, release_database, wait_until

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
if NGINX is None and os.environ.get("DIALOGUE_REQUIRE_NGINX"):
    raise RuntimeError("DIALOGUE_REQUIRE_NGINX is set but nginx is not installed (apt-get install nginx)")
pytestmark = [pytest.mark.live, pytest.mark.skipif(NGINX is None, reason="nginx is not installed"),
              # The test's certificate is self-signed, on purpose.
              pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")]

GUNICORN = [str(Path(sys.executable).parent / "gunicorn"), "-k", "dialogue.httpserver.Worker", "-w", "1",
            "--bind", "127.0.0.1:{port}", "--graceful-timeout", "5", "--no-control-socket", "dialogue.wsgi:app"]
MAIN_CONFIG = """daemon off;
worker_processes 1;
pid $prefix/nginx.pid;
error_log $prefix/error.log info;
events { worker_connections 512; }
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    log_format upstream '$remote_addr "$request" $status -> $upstream_addr $upstream_status';
    access_log $prefix/access.log upstream;
    client_body_temp_path $prefix/tmp/body;
    proxy_temp_path $prefix/tmp/proxy;
    fastcgi_temp_path $prefix/tmp/fastcgi;
    uwsgi_temp_path $prefix/tmp/uwsgi;
    scgi_temp_path $prefix/tmp/scgi;
    include $prefix/dialogue.conf;
}
"""


def _render(text: str, **values) -> str:
    """Fill the ${NAME} values of the configuration (nginx's own $variables stay)."""
    return re.sub(r"\$\{([A-Z_]+)\}", lambda match: str(values[match.group(1)]), text)


class Deployment:
    def __init__(self, https: str, http: str, processes: list):
        self.https, self.http, self.processes = https, http, processes


@pytest.fixture(scope="module")
def deployment(app, database_url, tmp_path_factory):
    folder = tmp_path_factory.mktemp("deployment")
    (folder / "tmp").mkdir()
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-keyout", str(folder / "key.pem"), "-out", str(folder / "cert.pem")],
                   check=True, capture_output=True)
    channel = "dialogue-deploy-" + secrets.token_hex(4)
    processes, nginx = [], None
    try:
        for n in (1, 2):
            processes.append(start_server(database_url, folder / f"process-{n}.log", command=GUNICORN,
                                          DIALOGUE_REDIS_URL=REDIS_URL, DIALOGUE_REDIS_CHANNEL=channel,
                                          DIALOGUE_PROXY_COUNT="1", DIALOGUE_SWEEP_SECONDS="300"))
        https_port, http_port = _free_port(), _free_port()
        site = _render((ROOT / "deploy" / "nginx" / "dialogue.conf").read_text(encoding="utf-8"),
                       SERVER_NAME="127.0.0.1", HTTPS_LISTEN=f"127.0.0.1:{https_port}",
                       HTTP_LISTEN=f"127.0.0.1:{http_port}",
                       TLS_CERTIFICATE=folder / "cert.pem", TLS_CERTIFICATE_KEY=folder / "key.pem",
                       BACKENDS="\n    ".join(f"server {p.url.removeprefix('http://')};" for p in processes),
                       STATIC_ROOT=ROOT / "static")
        # The redirect names the public port; here nginx listens on an address and a port.
        site = site.replace(f"https://$host:127.0.0.1:{https_port}", f"https://$host:{https_port}")
        (folder / "dialogue.conf").write_text(site, encoding="utf-8")
        (folder / "nginx.conf").write_text(MAIN_CONFIG.replace("$prefix", str(folder)), encoding="utf-8")
        test = subprocess.run([NGINX, "-t", "-p", str(folder), "-c", str(folder / "nginx.conf")],
                              capture_output=True, text=True)
        assert test.returncode == 0, test.stderr
        nginx = subprocess.Popen([NGINX, "-p", str(folder), "-c", str(folder / "nginx.conf")],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        https = f"https://127.0.0.1:{https_port}"

        def ready() -> bool:
            assert nginx.poll() is None, (folder / "error.log").read_text()
            try:
                return requests.get(https + "/healthz", verify=False, timeout=1).status_code == 200
            except requests.RequestException:
                return False

        wait_until(ready, timeout=30, message="nginx did not answer")
        yield Deployment(https, f"http://127.0.0.1:{http_port}", processes)
    finally:
        if nginx is not None:
            nginx.terminate()
            nginx.wait(timeout=10)
        for process in processes:
            stop_server(process)


def test_pages_static_files_and_the_redirect_go_through_nginx(ctx, deployment):
    page = requests.get(deployment.https + "/login", verify=False, timeout=5)
    assert page.status_code == 200 and "Content-Security-Policy" in page.headers
    static = requests.get(deployment.https + "/static/css/app.css", verify=False, timeout=5)
    assert static.status_code == 200 and static.headers["Content-Type"].startswith("text/css")
    assert "must-revalidate" in static.headers["Cache-Control"] and static.headers.get("ETag")
    again = requests.get(deployment.https + "/static/css/app.css", verify=False, timeout=5,
                         headers={"If-None-Match": static.headers["ETag"]})
    assert again.status_code == 304
    assert "Server" not in static.headers or "nginx/" not in static.headers["Server"], "no version shown"
    moved = requests.get(deployment.http + "/login?next=/", allow_redirects=False, timeout=5)
    assert moved.status_code == 301 and moved.headers["Location"] == deployment.https + "/login?next=/"


def test_a_live_exchange_over_websocket_and_long_polling_through_nginx(ctx, deployment):
    room = gen_room(participants=2)
    alice, bora = room.participants
    release_database()
    # Both send the page's origin, as a browser does (the WebSocket client adds its own), and
    # the platform checks it behind the proxy (X-Forwarded-Proto).
    through_websocket = RecordingClient(deployment.https, alice.token, ssl_verify=False).connect()
    through_polling = RecordingClient(deployment.https, bora.token, headers={"Origin": deployment.https},
                                      transports=["polling"], ssl_verify=False).connect()
    # A moderator connected straight to the second process: what it receives crossed Redis
    # from whichever process nginx chose.
    direct = RecordingClient(deployment.processes[1].url, room.moderator.token).connect()
    others = RecordingClient(deployment.processes[0].url, room.observer.token).connect()
    clients = [through_websocket, through_polling, direct, others]
    try:
        assert through_polling.sio.transport() == "polling" and through_websocket.sio.transport() == "websocket"
        for client in clients:
            assert client.call("join", {"session_id": room.id})["ok"]
        sent = []
        for sender, text in ((through_websocket, "From Yerevan, over a WebSocket."),
                             (through_polling, "From Baku, by long polling."),
                             (through_websocket, "And once more.")):
            answer = sender.call("send", {"session_id": room.id, "client_id": uuid.uuid4().hex, "body": text})
            assert answer["ok"], answer
            sent.append(answer["message"]["id"])
        for client in clients:
            wait_until(lambda c=client: [m["id"] for e, m in c.events if e == "message"] == sent,
                       message="every client receives every message once, in order")
    finally:
        for client in clients:
            client.close()
