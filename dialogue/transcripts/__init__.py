"""Transcripts: building the record of a session, its formats, publishing, and its routes."""

from flask import Flask

from .routes import bp


def init_app(app: Flask) -> None:
    """Register the transcript routes."""
    app.register_blueprint(bp)
