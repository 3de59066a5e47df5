"""Logging in and out, accounts' settings and API tokens."""

from __future__ import annotations

from flask import Flask
from flask import session as cookie
from flask_babel import lazy_gettext as _l

from ..extensions import db, login_manager
from ..models import User
from . import accounts
from .routes import bp


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

    @login_manager.request_loader
    def load_user_from_token(request) -> User | None:
        """Non-browser clients authenticate HTTP requests with `Authorization: Bearer <token>`."""
        header = request.headers.get("Authorization", "")
        if not header.startswith("Bearer "):
            return None
        token = accounts.resolve_token(header[len("Bearer "):].strip())
        return token.user if token else None
