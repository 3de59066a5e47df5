"""The live room: its page, sending messages and reading history, and its Socket.IO events."""

from flask import Flask

from . import events  # noqa: F401  (importing it registers the room's Socket.IO handlers)
from .routes import bp


def init_app(app: Flask) -> None:
    """Register the room page."""
    app.register_blueprint(bp)
