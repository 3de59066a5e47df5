"""Moderation: screening, flags, the live review queue, decisions, sanctions, watched words
and the audit log, with its pages and Socket.IO events."""

from flask import Flask

from . import events  # noqa: F401  (importing it registers moderation's Socket.IO handlers)
from .routes import bp


def init_app(app: Flask) -> None:
    """Register the moderation pages."""
    app.register_blueprint(bp)
