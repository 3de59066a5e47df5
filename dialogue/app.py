"""The application factory: configuration, extensions, and every feature wired together."""

from __future__ import annotations

import json
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import Flask, current_app, g, request
from flask_babel import get_locale
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.middleware.proxy_fix import ProxyFix

from . import (
    auth,
    database,  # noqa: F401  (its listeners give SQLite the settings PostgreSQL has)
    facilitation,
    labels,
    localization,
    moderation,
    ratelimit,
    realtime,  # noqa: F401  (importing it registers connect, disconnect and the catch-all)
    room,
    sessions,
    transcripts,
    web,
)
from . import config as config_module
from .cli import register_commands
from .emitter import DialogueRedisManager
from .extensions import babel, csrf, db, login_manager, migrate, socketio
from .httpserver import RefuseOversized, limits_of
from .models import DialogueSession
from .ratelimit import parse_rules
from .realtime.sockets import DialoguePacket
from .sessions.actions import find_invitation

ROOT = Path(__file__).resolve().parent.parent
UTC = ZoneInfo("UTC")


def create_app(config: dict | None = None) -> Flask:
    """Build the application: read configuration, bind extensions, register features."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    app.config.update(config_module.DEFAULTS)
    overrides = dict(config or {})
    instance_path = overrides.pop("INSTANCE_PATH", None) or app.instance_path
    app.instance_path = instance_path
    app.config.update(config_module.from_environment(instance_path))
    app.config.update(overrides)
    app.config["SQLALCHEMY_DATABASE_URI"] = config_module.normalise_database_url(
        app.config["SQLALCHEMY_DATABASE_URI"]
    )
    parse_rules(app.config["DIALOGUE_RATE_LIMITS"])  # a mistyped limit stops the start, not a request

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    login_manager.init_app(app)
    ratelimit.init_app(app)  # before the CSRF check: refused posts count too
    csrf.init_app(app)
    babel.init_app(app, locale_selector=_select_locale, timezone_selector=_select_time_zone)
    # The Socket.IO handlers were registered when the feature packages were imported, before
    # any server exists, so every init_app (tests build several apps) hands them to its server.
    init_socketio(app)
    app.jinja_env.globals["page_language"] = _page_language

    web.init_app(app)
    labels.init_app(app)
    localization.init_app(app)
    auth.init_app(app)
    sessions.init_app(app)
    room.init_app(app)
    moderation.init_app(app)
    facilitation.init_app(app)
    transcripts.init_app(app)
    register_commands(app)
    return app


def init_socketio(app: Flask) -> None:
    """Bind the Socket.IO server to `app`: gevent, per-client ordering, origins, queue; around
    the whole, bounded request bodies (dialogue.httpserver.RefuseOversized) and the security
    headers (dialogue.web.SecurityHeaders), so that every answer, refusals included, has them."""
    # The SocketIO object outlives one app (tests build several): forget the last manager.
    socketio.server_options.pop("client_manager", None)
    socket_options = {}
    if isinstance(app.wsgi_app, ProxyFix):  # bound before: wrapped once, below
        app.wsgi_app = app.wsgi_app.app
    if isinstance(app.wsgi_app, web.SecurityHeaders):
        app.wsgi_app = app.wsgi_app.app.app
    if app.config["DIALOGUE_REDIS_URL"]:
        socket_options["client_manager"] = DialogueRedisManager(
            app.config["DIALOGUE_REDIS_URL"], channel=app.config["DIALOGUE_REDIS_CHANNEL"])
    socketio.init_app(
        app,
        async_mode="gevent",
        async_handlers=False,
        cors_allowed_origins=app.config["DIALOGUE_ALLOWED_ORIGINS"],
        max_http_buffer_size=app.config["DIALOGUE_MAX_PACKET_BYTES"],
        manage_session=False,
        ping_interval=20,
        ping_timeout=20,
        json=_compact_json(),
        serializer=DialoguePacket,
        **socket_options,
    )
    # Socket.IO's middleware now answers /socket.io/ before Flask sees a request: the limits
    # and the security headers go around it, so that its responses carry them too.
    app.wsgi_app = web.SecurityHeaders(RefuseOversized(app.wsgi_app, *limits_of(app)), app.config)
    if app.config["DIALOGUE_PROXY_COUNT"]:
        # Outermost, so that Socket.IO's handshakes see the client's address too.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["DIALOGUE_PROXY_COUNT"],
                                x_proto=app.config["DIALOGUE_PROXY_COUNT"])


def _select_locale() -> str | None:
    """Pick the interface language, among the platform's languages that have a translation
    catalog (English needs none): the account's choice, else this browser's choice (the
    language picker's cookie), else the browser's Accept-Language, else the language of the
    session the page is about; English otherwise. Unsupported or malformed values are ignored."""
    available = {str(locale.language) for locale in babel.list_translations()}
    languages = [code for code in current_app.config["DIALOGUE_LANGUAGES"] if code in available]
    if getattr(current_user, "is_authenticated", False) and current_user.locale in languages:
        return current_user.locale
    if not request:
        return None
    if request.cookies.get(web.LANGUAGE_COOKIE) in languages:
        return request.cookies[web.LANGUAGE_COOKIE]
    chosen = request.accept_languages.best_match(languages)
    if chosen:
        return chosen
    session = _page_session()
    return session.language if session is not None and session.language in languages else None


def _select_time_zone():
    """The zone pages show times in: the account's, else that of the session the page is
    about, else UTC. An unknown name is ignored."""
    if getattr(current_user, "is_authenticated", False):
        zone = localization.zone_or_none(current_user.time_zone)
        if zone is not None:
            return zone
    session = _page_session() if request else None
    return localization.zone_or_none(session.time_zone if session is not None else None) or UTC


def _page_session() -> DialogueSession | None:
    """The one dialogue session this request is about, if any (looked up once a request): a
    route's `session_id`, or the session of the invitation an invitation page (or the
    account page it leads to) opens."""
    if "page_session" not in g:
        g.page_session = None
        args = request.view_args or {}
        token = args.get("token") if request.endpoint == "sessions.invitation" else None
        if request.endpoint == "sessions.register":
            target = web.safe_next(request.args.get("next")) or ""
            token = target[len("/invite/"):] if target.startswith("/invite/") else None
        try:
            if isinstance(args.get("session_id"), str):
                g.page_session = db.session.get(DialogueSession, args["session_id"])
            elif token:
                found = find_invitation(token)
                g.page_session = found.session if found is not None else None
        except SQLAlchemyError:
            # Asked while an error page is drawn after a failed transaction: no session then.
            db.session.rollback()
    return g.page_session


def _page_language() -> str:
    """The language the page is actually shown in, for <html lang> (screen readers rely on it)."""
    return str(get_locale() or "en")


def _compact_json():
    """A json module for Socket.IO that keeps non-ASCII text as is (Armenian, Cyrillic)."""
    class CompactJSON:
        @staticmethod
        def dumps(obj, **kwargs):
            kwargs.setdefault("ensure_ascii", False)
            kwargs.setdefault("separators", (",", ":"))
            return json.dumps(obj, **kwargs)

        @staticmethod
        def loads(text, **kwargs):
            return json.loads(text, **kwargs)

    return CompactJSON
