"""What every server process does before it serves, and what it runs beside serving.

`dialogue serve` and the WSGI entry point (gunicorn) both call :func:`start`, so a
production deployment behaves as `make run` does: the schema is checked, the starter
watched words and the starter glossary are loaded once per database, the matcher is
compiled before the first message needs it, presence rows that dead processes left are
cleared (never another live process's), and the background loops start: the socket sweep,
timed floors and nudges, and (when a retention period is set) the hourly removal of old
sessions' personal data.
"""

from __future__ import annotations

import itertools
import logging
import signal
import socket as std_socket

import gevent
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask, current_app
from flask_migrate import upgrade
from gevent import pywsgi
from gevent import socket as gevent_socket
from sqlalchemy.exc import IntegrityError

from . import access_log
from .emitter import close_local_sockets_for_shutdown
from .extensions import db, socketio
from .facilitation.floor import expire_floors
from .facilitation.glossary import ensure_starter_glossary
from .facilitation.nudges import send_nudges
from .httpserver import ON_SHUTDOWN, BoundedHandler
from .moderation.screening import current_matcher
from .moderation.words import ensure_starter_words
from .realtime import presence
from .realtime.sweep import sweep_once
from .sessions import retention

FLOOR_CHECK_SECONDS = 0.5
RETENTION_CHECK_SECONDS = 3600


class SchemaOutOfDate(RuntimeError):
    """The database schema is not the one this code needs: run `dialogue db upgrade`."""


def upgrade_schema() -> None:
    """Bring the database schema up to date by running every pending migration."""
    upgrade(directory=current_app.extensions["migrate"].directory)


def check_schema() -> None:
    """Refuse to serve on a database whose schema is not at the newest migration."""
    script = ScriptDirectory.from_config(current_app.extensions["migrate"].migrate.get_config(
        current_app.extensions["migrate"].directory))
    with db.engine.connect() as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    if current != set(script.get_heads()):
        raise SchemaOutOfDate(f"The database schema is at {sorted(current) or 'nothing'}, not at "
                              f"{sorted(script.get_heads())}: run `dialogue db upgrade` first.")


def prepare(app: Flask) -> None:
    """Everything a server process checks and loads before it serves."""
    with app.app_context():
        check_schema()
        try:
            ensure_starter_words()
        except IntegrityError:  # another process loaded them at the same moment
            db.session.rollback()
        ensure_starter_glossary()
        current_matcher()  # compile the watched words now, not inside the first message's send
        presence.refresh_and_expire(set())
        retention.apply()  # a server that was down past a deadline catches up at once
        db.session.remove()


def start(app: Flask) -> None:
    """Prepare this process, then start its background loops."""
    access_log.install()
    prepare(app)
    if close_local_sockets_for_shutdown not in ON_SHUTDOWN:  # the gunicorn worker's SIGTERM
        ON_SHUTDOWN.append(close_local_sockets_for_shutdown)
    socketio.start_background_task(sweep_forever, app)
    socketio.start_background_task(clocks_forever, app)
    if app.config["DIALOGUE_RETENTION_DAYS"]:
        socketio.start_background_task(retention_forever, app)


def every(app: Flask, interval: float, task, what: str) -> None:
    """Run `task()` in an app context every `interval` seconds for the life of the process;
    a failure is logged and the next round goes on."""
    while True:
        socketio.sleep(interval)
        with app.app_context():
            try:
                task()
            except Exception:
                logging.getLogger(__name__).exception("%s failed", what)
                db.session.rollback()
            finally:
                db.session.remove()


def retention_forever(app: Flask) -> None:
    """Apply the retention period once an hour (when DIALOGUE_RETENTION_DAYS is set)."""
    every(app, RETENTION_CHECK_SECONDS, retention.apply, "Applying the retention period")


def sweep_forever(app: Flask) -> None:
    """Run the socket sweep (and the presence refresh) every DIALOGUE_SWEEP_SECONDS."""
    every(app, app.config["DIALOGUE_SWEEP_SECONDS"], sweep_once, "Socket sweep")


def clocks_forever(app: Flask) -> None:
    """Give back timed floors when their time is up (twice a second), and send the gentle
    nudges sessions ask for (every DIALOGUE_NUDGE_SECONDS)."""
    rounds_per_nudge = max(1, round(app.config["DIALOGUE_NUDGE_SECONDS"] / FLOOR_CHECK_SECONDS))
    rounds = itertools.count()

    def tick() -> None:
        expire_floors()
        if next(rounds) % rounds_per_nudge == 0:
            send_nudges()

    every(app, FLOOR_CHECK_SECONDS, tick, "Returning timed floors or sending nudges")


def serve_forever(app: Flask, host: str, port: int) -> None:
    """Serve HTTP, WebSocket and long-polling with gevent until the process is stopped.

    The listening socket has TCP_NODELAY (inherited by every connection), so small
    Socket.IO frames leave at once instead of waiting on Nagle's algorithm and the peer's
    delayed acknowledgement (about 40 ms a message otherwise).
    """
    family = std_socket.AF_INET6 if ":" in host else std_socket.AF_INET
    listener = gevent_socket.socket(family, std_socket.SOCK_STREAM)
    listener.setsockopt(std_socket.SOL_SOCKET, std_socket.SO_REUSEADDR, 1)
    listener.setsockopt(std_socket.IPPROTO_TCP, std_socket.TCP_NODELAY, 1)
    listener.bind((host, port))
    listener.listen(1024)
    server = pywsgi.WSGIServer(listener, app, handler_class=BoundedHandler, log=None)

    def stop() -> None:
        # SIGTERM: no new connections; every socket is told `restarting` and closed, so its
        # client reconnects (to another process) and rejoins with since_seq; what is being
        # written finishes first (each socket's events run in its own greenlet, and nothing
        # is cut before DRAIN_SECONDS).
        server.close()
        close_local_sockets_for_shutdown()
        server.stop(timeout=DRAIN_SECONDS)

    gevent.signal_handler(signal.SIGTERM, lambda: gevent.spawn(stop))
    server.serve_forever()


# How long a stopping process waits for requests under way (a send being stored) to finish.
DRAIN_SECONDS = 10
