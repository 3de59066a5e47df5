"""Dialogue sessions: creating and running them, invitations and members (facilitators' pages)."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the sessions blueprint."""
    from .routes import bp

    app.register_blueprint(bp)
