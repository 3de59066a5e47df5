"""Cross-cutting HTTP behaviour: security headers, error pages, readiness."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from urllib.parse import urlsplit

from flask import Flask, abort, flash, jsonify, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy import text
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter

from .errors import DEFAULT_MESSAGES, DialogueError
from .extensions import db
from .forms import MAX_ID, ConfirmForm
from .localization import LANGUAGE_NAMES
from .models import DialogueSession

# font-src 'self': the Armenian font is served from static/fonts, never from a CDN.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)



def security_headers(config: Mapping) -> list[tuple[str, str]]:
    """The security headers every response carries, pages and Socket.IO transport alike
    (the one list: the Flask hook and the WSGI middleware below both use it)."""
    headers = [
        ("Content-Security-Policy", CSP),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "no-referrer"),
        ("X-Frame-Options", "DENY"),
        ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
    ]
    if config.get("SESSION_COOKIE_SECURE"):
        headers.append(("Strict-Transport-Security", "max-age=31536000"))
    return headers


class SecurityHeaders:
    """WSGI middleware, the outermost layer of the app, so that every response carries the
    security headers: Flask's pages, static files and error pages, and what is answered
    outside Flask's request handling (the Engine.IO transport: polling, refused handshakes
    and WebSocket upgrades). A header the response already has is left as it is, so none
    is doubled and a route's own choice (a stricter Referrer-Policy, say) stands."""

    def __init__(self, app: Callable, config: Mapping):
        self.app = app
        self.config = config

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        def start_with_headers(status: str, headers: list[tuple[str, str]], exc_info=None):
            present = {name.lower() for name, _ in headers}
            missing = [(name, value) for name, value in security_headers(self.config)
                       if name.lower() not in present]
            return start_response(status, [*headers, *missing], exc_info)

        return self.app(environ, start_with_headers)


class IdConverter(IntegerConverter):
    """`<int:...>` in every route's URL: ASCII digits only, from 1 to the largest id a column
    holds, so that a longer number is a 404 like any unknown id, not an overflow in the
    database driver (a 500)."""

    regex = r"[0-9]{1,30}"

    def __init__(self, map, fixed_digits: int = 0, min: int | None = 1, max: int | None = MAX_ID,
                 signed: bool = False) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


# How each role is named on pages (the templates' `role_label` macro looks it up here).
ROLE_LABELS = {"facilitator": _l("Facilitator"), "moderator": _l("Moderator"), "participant": _l("Participant"),
               "observer": _l("Observer"), "interpreter": _l("Interpreter"), "admin": _l("Administrator")}

HTTP_CODES = {400: "invalid", 401: "unauthorized", 403: "forbidden", 404: "not_found",
              405: "invalid", 409: "conflict", 413: "too_long", 429: "rate_limited"}


def http_error_message(error: HTTPException) -> str:
    """What an HTTP error says, in the page's language: WTForms' CSRF sentences (in the
    catalogs, dialogue/forms.py), otherwise the protocol's sentence for the status (never
    Werkzeug's English descriptions)."""
    if isinstance(error, CSRFError):
        return _(error.description)
    return str(DEFAULT_MESSAGES[HTTP_CODES.get(error.code or 500, "invalid")])


def wants_json() -> bool:
    """API and Socket.IO-adjacent paths answer errors in JSON, pages in HTML."""
    return request.path.startswith("/api/") or request.path == "/healthz"


def safe_next(target: str | None) -> str | None:
    """Return `target` only if it is a path on this site; never an absolute or scheme-relative URL."""
    if not target or not isinstance(target, str):
        return None
    target = target.strip()
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    if any(ord(c) < 32 for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def session_or_404(session_id: str) -> DialogueSession:
    """The dialogue session of a page's URL, or 404 (who may see it is the route's next check)."""
    session = db.session.get(DialogueSession, session_id)
    if session is None:
        abort(404)
    return session


def require_confirmed_post() -> None:
    """A form post that changes something carries a valid CSRF token (its ConfirmForm), or 400."""
    if not ConfirmForm().validate_on_submit():
        abort(400)


def flash_refusal(error: DialogueError) -> None:
    """Show a refused form's reason on the next page; a refusal of who the caller is or what
    they may reach (unauthorized, forbidden, not_found) is not a form error and answers as such."""
    if error.code in ("unauthorized", "forbidden", "not_found"):
        raise error
    flash(error.to_answer()["error"]["message"], "error")


LANGUAGE_COOKIE = "lang"
# Languages named in the page's language (in "Interpretation: Russian", the room's language marks).
LANGUAGE_LABELS = {"en": _l("English"), "hy": _l("Armenian"), "az": _l("Azerbaijani"), "ru": _l("Russian")}


def init_app(app: Flask) -> None:
    """Register headers, error handlers, page helpers and /healthz; the id converter
    (before any feature adds its routes)."""
    app.url_map.converters["int"] = IdConverter
    app.jinja_env.globals["role_labels"] = ROLE_LABELS
    app.jinja_env.globals["language_names"] = LANGUAGE_NAMES
    app.jinja_env.globals["language_choices"] = [
        (code, LANGUAGE_NAMES.get(code, code)) for code in app.config["DIALOGUE_LANGUAGES"]]

    @app.after_request
    def add_security_headers(response):
        # Set here too (SecurityHeaders adds what is still missing on the way out), so that
        # they are on the response object that Flask's hooks and the test client see.
        for name, value in security_headers(app.config):
            response.headers.setdefault(name, value)
        if request.endpoint != "static":
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    @app.errorhandler(DialogueError)
    def dialogue_error(error: DialogueError):
        # A rate limit's refusal says when to come back (429 with Retry-After).
        headers = {"Retry-After": str(error.extra["retry_after"])} if "retry_after" in error.extra else {}
        if wants_json():
            return jsonify(error.to_answer()), error.http_status, headers
        return render_template("error.html", code=error.http_status,
                               message=error.to_answer()["error"]["message"]), error.http_status, headers

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if wants_json():
            code = HTTP_CODES.get(error.code or 500, "invalid")
            return jsonify({"ok": False, "error": {"code": code, "message": http_error_message(error)}}), error.code
        return render_template("error.html", code=error.code, message=http_error_message(error)), error.code

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        app.logger.exception("Unhandled error on %s", request.path)
        db.session.rollback()
        if wants_json():
            return jsonify(DialogueError("internal").to_answer()), 500
        return render_template("error.html", code=500,
                               message=_("Something went wrong on our side. Nothing you did caused it.")), 500

    @app.get("/healthz")
    def healthz():
        """Readiness: 200 once the server accepts connections and reaches its database."""
        try:
            db.session.execute(text("SELECT 1"))
            db.session.commit()
        except Exception:
            db.session.rollback()
            return jsonify({"ok": False, "database": "unreachable"}), 503
        return jsonify({"ok": True})
