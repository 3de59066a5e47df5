"""The live room: its page and its Socket.IO events."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the room page and the Socket.IO handlers."""
    from . import events  # noqa: F401  (registers the handlers on the SocketIO object)
    from .routes import bp

    app.register_blueprint(bp)
