"""Against a real server: deactivation ends everything of an account at once, and the
server's log never carries an invitation token."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
import requests
import socketio

from dialogue.auth import accounts
from dialogue.sessions import actions as dialogues

from .conftest import start_server, stop_server
from .factories import PASSWORD, gen_room, gen_session
from .helpers import RecordingClient, joined, release_database, wait_until

pytestmark = pytest.mark.live


def browser_session(url: str, email: str) -> requests.Session:
    web = requests.Session()
    page = web.get(f"{url}/login", timeout=5).text
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = web.post(f"{url}/login", data={"email": email, "password": PASSWORD, "csrf_token": csrf},
                        allow_redirects=False, timeout=5)
    assert response.status_code == 302, response.text[:300]
    return web


def test_deactivation_ends_the_cookie_the_token_and_every_socket_at_once(ctx, live_server, clients):
    room = gen_room(participants=2)
    alice, bora = room.participants
    url = live_server.url
    release_database()
    web = browser_session(url, alice.user.email)
    bearer = {"Authorization": f"Bearer {alice.token}"}
    api = f"{url}/api/sessions/{room.id}/my-messages"
    assert web.get(f"{url}/", allow_redirects=False, timeout=5).status_code == 200
    assert requests.get(api, headers=bearer, timeout=5).status_code == 200
    by_token, _ = joined(clients, alice, room.id)
    cookie = "; ".join(f"{name}={value}" for name, value in web.cookies.items())
    by_cookie = clients(None, headers={"Cookie": cookie})
    assert by_cookie.call("join", {"session_id": room.id, "since_seq": 0})["ok"]
    witness, _ = joined(clients, bora, room.id)

    accounts.deactivate_user(alice.user)

    for client in (by_token, by_cookie):
        assert client.disconnected.wait(10), "the socket was dropped at once"
        assert client.of("removed") == [{"session_id": None, "reason": "account_deactivated"}]
    assert witness.sio.connected and witness.of("removed") == []
    assert web.get(f"{url}/", allow_redirects=False, timeout=5).status_code == 302
    assert requests.get(api, headers=bearer, timeout=5).status_code == 401
    assert accounts.resolve_token(alice.token) is None
    for auth, headers in (({"token": alice.token}, {}), (None, {"Cookie": cookie})):
        again = RecordingClient(url, headers=headers)
        again.token = auth["token"] if auth else None
        with pytest.raises(socketio.exceptions.ConnectionError):
            again.connect()
        assert again.connect_error["data"] == {"code": "unauthorized"}


# gunicorn with the gevent-websocket worker and logging at INFO, as an operator's logging
# setup may have it: the worker's handler then writes a line for every request.
GUNICORN_CONFIG = """
logconfig_dict = {"version": 1, "disable_existing_loggers": False,
                  "root": {"level": "INFO", "handlers": ["console"]},
                  "handlers": {name: {"class": "logging.StreamHandler", "stream": "ext://sys.stdout"}
                               for name in ("console", "error_console")}}
"""


def test_invitation_tokens_never_reach_the_servers_log(ctx, database_url, tmp_path):
    session = gen_session()
    _invitation, token = dialogues.create_invitation(session.created_by, session, side="a")
    release_database()
    config = tmp_path / "gunicorn_config.py"
    config.write_text(GUNICORN_CONFIG)
    command = [str(Path(sys.executable).parent / "gunicorn"), "-c", str(config),
               "-k", "geventwebsocket.gunicorn.workers.GeventWebSocketWorker", "-w", "1",
               "-b", "127.0.0.1:{port}", "--graceful-timeout", "5", "dialogue.wsgi:app"]
    server = start_server(database_url, tmp_path / "server.log", command=command, DIALOGUE_REDIS_URL="")
    try:
        for path in (f"/invite/{token}", f"/register?next=/invite/{token}", f"/login?next=%2Finvite%2F{token}"):
            assert requests.get(server.url + path, timeout=5).status_code == 200, path
        wait_until(lambda: "%2Finvite%2F…" in server.log.read_text(), timeout=10,
                   message="the server logged the requests")
    finally:
        stop_server(server)
    log = server.log.read_text()
    assert log.count("/invite/…") >= 2
    assert token not in log, "an invitation token reached the log"
