"""Facilitation: the session's life and agenda, the floor, balance and nudges, members'
consent for the record, and materials, with its routes and Socket.IO events."""

from flask import Flask

from . import events  # noqa: F401  (importing it registers facilitation's Socket.IO handlers)
from .routes import bp


def init_app(app: Flask) -> None:
    """Register the agenda and materials routes of the manage page."""
    app.register_blueprint(bp)
