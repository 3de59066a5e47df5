"""Logging in and out, accounts' settings and API tokens."""

from __future__ import annotations

from flask import Flask, redirect, request, url_for
from flask import session as cookie
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..extensions import db, login_manager
from ..models import User
from . import accounts, two_factor
from .routes import bp

# What an account that must still set up two-factor sign-in may reach.
OPEN_BEFORE_TWO_FACTOR = {"static", "healthz", "auth.login", "auth.login_code", "auth.logout",
                          "auth.two_factor_page", "auth.two_factor_start", "auth.two_factor_confirm"}


def init_app(app: Flask) -> None:
    """Register the auth blueprint and teach Flask-Login how to find the current user."""
    app.register_blueprint(bp)
    login_manager.login_view = "auth.login"
    login_manager.session_protection = "basic"
    login_manager.login_message = _l("Please sign in to continue.")

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        """A user is logged in only while their login record exists and was not ended."""
        try:
            user = db.session.get(User, int(user_id))
        except (TypeError, ValueError):
            return None
        if user is None or not user.active or not accounts.login_is_valid(cookie.get("login_id"), user.id):
            return None
        return user

    @app.before_request
    def login_upkeep():
        """For a browser login: note its use (at most once a minute, for the idle expiry), and
        send a staff account that the platform requires two-factor sign-in of, and that has
        none yet, to set it up before anything else."""
        if request.endpoint == "static" or not cookie.get("login_id") or not current_user.is_authenticated:
            return None
        accounts.note_login_use(cookie.get("login_id"))
        if request.endpoint not in OPEN_BEFORE_TWO_FACTOR and two_factor.outstanding(current_user):
            return redirect(url_for("auth.two_factor_page"))
        return None

    @login_manager.request_loader
    def load_user_from_token(request) -> User | None:
        """Non-browser clients authenticate HTTP requests with `Authorization: Bearer <token>`."""
        header = request.headers.get("Authorization", "")
        if not header.startswith("Bearer "):
            return None
        token = accounts.resolve_token(header[len("Bearer "):].strip())
        return token.user if token else None
