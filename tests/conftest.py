"""Fixtures: one database per test run (SQLite, or PostgreSQL when DIALOGUE_TEST_DATABASE_URL
is set) whose schema is built by the migrations, the app, and a real server process."""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests
from flask import has_app_context
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text

from dialogue import create_app
from dialogue.config import normalise_database_url
from dialogue.extensions import db
from dialogue.ratelimit import DEFAULT_RULES

from .helpers import wait_until

ROOT = Path(__file__).resolve().parent.parent
TEST_SECRET = "test-secret-" + "x" * 32
REDIS_URL = os.environ.get("DIALOGUE_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
# One Redis channel per test run, so runs side by side never hear each other.
REDIS_CHANNEL = "dialogue-test-" + secrets.token_hex(4)
# The suite does in seconds what people do in an hour, all from 127.0.0.1: every rate limit
# is wide open for it (in this process and the servers it starts), except in
# tests/test_rate_limits.py, which builds its apps and servers with the real defaults.
ROOMY_LIMITS = ";".join(f"{name}=1000000/minute" for name in DEFAULT_RULES)
os.environ["DIALOGUE_RATE_LIMITS"] = ROOMY_LIMITS


def _dialogue_executable() -> str:
    candidate = Path(sys.executable).parent / "dialogue"
    return str(candidate) if candidate.exists() else (shutil.which("dialogue") or "dialogue")


@contextmanager
def new_database():
    """An empty database of the kind this run tests (SQLite, or a new PostgreSQL schema when
    DIALOGUE_TEST_DATABASE_URL is set), removed afterwards."""
    base = os.environ.get("DIALOGUE_TEST_DATABASE_URL")
    if not base:
        # In memory-backed storage when there is some: every commit is fsynced (the
        # platform's durability promise), which on a disk makes a test suite crawl.
        shm = Path("/dev/shm")
        folder = Path(tempfile.mkdtemp(prefix="dialogue-test-", dir=shm if shm.is_dir() else None))
        yield "sqlite:///" + str(folder / "dialogue.sqlite3")
        shutil.rmtree(folder, ignore_errors=True)
        return
    base = normalise_database_url(base)
    schema = "test_" + secrets.token_hex(6)
    admin = create_engine(base)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in base else "?"
    yield f"{base}{separator}options=-csearch_path%3D{schema}"
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(scope="session")
def database_url():
    """A fresh, empty database for this test run."""
    with new_database() as url:
        yield url


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    """The application, with its schema built by running every migration."""
    app = create_app({
        "TESTING": True,
        "SECRET_KEY": TEST_SECRET,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "INSTANCE_PATH": str(tmp_path_factory.mktemp("instance")),
        # Changes the tests make here reach the server process through the message queue,
        # as changes made by `dialogue` commands reach a running server.
        "DIALOGUE_REDIS_URL": REDIS_URL,
        "DIALOGUE_REDIS_CHANNEL": REDIS_CHANNEL,
    })
    app.test_client_class = IsolatedClient
    with app.app_context():
        from dialogue.server import upgrade_schema

        upgrade_schema()
        db.session.remove()
    yield app
    with app.app_context():
        db.engine.dispose()


@contextmanager
def queueless(app):
    """The suite's app again, on the same database but without the message queue (which
    Flask-SocketIO's test client cannot work with); the shared Socket.IO object goes back to
    the suite's app afterwards."""
    from dialogue import init_socketio

    other = create_app({"TESTING": True, "SECRET_KEY": app.config["SECRET_KEY"],
                        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                        "INSTANCE_PATH": app.instance_path, "DIALOGUE_REDIS_URL": None})
    other.test_client_class = app.test_client_class
    try:
        yield other
    finally:
        init_socketio(app)


@pytest.fixture
def ctx(app):
    """An application context whose database session is clean afterwards."""
    with app.app_context():
        yield app
        db.session.remove()


class IsolatedClient(FlaskClient):
    """A test client whose every request runs in an app context of its own, as in production.

    Tests run inside an app context (for the factories), which Flask would reuse for test
    requests: `g` (Flask-WTF's CSRF token, Flask-Login's user) and the database session
    would then leak between simulated browsers and the test itself."""

    def open(self, *args, **kwargs):
        if has_app_context():
            # End the test's own transaction: SQLite's write lock must be free for the request.
            db.session.commit()
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture
def http(app):
    """Flask's test client (cookies kept between requests)."""
    return app.test_client()


class LiveServer:
    def __init__(self, url: str, process: subprocess.Popen, log: Path):
        self.url = url
        self.process = process
        self.log = log


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(database_url: str, log: Path, command: list[str] | None = None, **settings: str):
    """Start `dialogue serve` (or `command`, with {port} filled in) on a free port and wait
    until /healthz answers."""
    port = _free_port()
    env = dict(os.environ, DIALOGUE_DATABASE_URL=database_url, DIALOGUE_SECRET_KEY=TEST_SECRET,
               PYTHONUNBUFFERED="1", **settings)
    command = [part.format(port=port) for part in command] if command else \
        [_dialogue_executable(), "serve", "--host", "127.0.0.1", "--port", str(port)]
    with open(log, "wb") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=str(ROOT))
    url = f"http://127.0.0.1:{port}"

    def ready() -> bool:
        if process.poll() is not None:
            raise RuntimeError("server exited:\n" + log.read_text())
        try:
            return requests.get(url + "/healthz", timeout=1).status_code == 200
        except requests.RequestException:
            return False

    wait_until(ready, timeout=60, message="server did not become ready")
    return LiveServer(url, process, log)


def stop_server(server: LiveServer) -> None:
    process = server.process
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture(scope="session")
def live_server(app, database_url, tmp_path_factory):
    """`dialogue serve` in its own process, on the test database and the test Redis channel.

    Its sweep is slowed down so that tests of immediate drops cannot pass by the sweep."""
    server = start_server(database_url, tmp_path_factory.mktemp("server") / "server.log",
                          DIALOGUE_REDIS_URL=REDIS_URL, DIALOGUE_REDIS_CHANNEL=REDIS_CHANNEL,
                          DIALOGUE_SWEEP_SECONDS="300", DIALOGUE_NUDGE_SECONDS="0.5")
    yield server
    stop_server(server)


@pytest.fixture
def clients(live_server):
    """Connect recording Socket.IO clients to the live server; all closed after the test."""
    from .helpers import RecordingClient

    made: list[RecordingClient] = []

    def connect(person_or_token, **kwargs) -> RecordingClient:
        token = getattr(person_or_token, "token", person_or_token)
        client = RecordingClient(live_server.url, token, **kwargs).connect()
        made.append(client)
        return client

    yield connect
    from .helpers import release_database

    release_database()  # the server writes when sockets leave: free the database first
    for client in made:
        client.close()


CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium through Playwright, one for the whole run (Playwright's sync API
    allows one instance at a time)."""
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        if os.environ.get("DIALOGUE_REQUIRE_BROWSER"):
            pytest.fail("Chromium is required here (DIALOGUE_REQUIRE_BROWSER) but was not found")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


