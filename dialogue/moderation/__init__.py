"""Moderation: watched words, flags, the live review queue, sanctions and the audit log."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the moderation pages; their Socket.IO events register with the room's."""
    from .routes import bp

    app.register_blueprint(bp)
