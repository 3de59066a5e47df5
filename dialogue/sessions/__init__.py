"""Dialogue sessions: the home page, creating and managing sessions, invitations, joining."""

from flask import Flask

from . import home
from .routes import bp


def init_app(app: Flask) -> None:
    """Register the home page and the sessions pages."""
    app.register_blueprint(home.bp)
    app.register_blueprint(bp)
