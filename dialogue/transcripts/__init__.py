"""Transcripts over HTTP: `GET /api/sessions/<session_id>/transcript`."""

from __future__ import annotations

import json

from flask import Blueprint, Flask, Response, request, stream_with_context
from flask_login import current_user

from ..errors import DialogueError
from ..extensions import db
from ..models import DialogueSession
from ..services import transcripts

bp = Blueprint("transcripts", __name__)


@bp.get("/api/sessions/<session_id>/transcript")
def transcript(session_id: str):
    """A session's transcript for its members (participants' version) or facilitators and admins
    (staff version), authenticated by the login cookie or `Authorization: Bearer <token>`."""
    if not current_user.is_authenticated:
        raise DialogueError("unauthorized")
    fmt = request.args.get("format", "json")
    attribution = request.args.get("attribution", "pseudonym")
    version = request.args.get("version", "participants")
    transcripts.check_request(fmt, attribution, version)
    session = db.session.get(DialogueSession, session_id)
    transcripts.require_access(current_user, session, version)
    # Streamed: the response starts before the whole file is built, in bounded memory.
    body = stream_with_context(transcripts.stream_json(session, attribution=attribution, version=version))
    return Response(body, mimetype="application/json",
                    headers={"Content-Disposition": f"attachment; filename=transcript-{session.id}.json"})


@bp.get("/api/sessions/<session_id>/my-messages")
def my_messages(session_id: str):
    """Everything the caller wrote in the session, downloadable at any time."""
    if not current_user.is_authenticated:
        raise DialogueError("unauthorized")
    answer = transcripts.own_messages(current_user, db.session.get(DialogueSession, session_id))
    return Response(json.dumps(answer, ensure_ascii=False, indent=1), mimetype="application/json",
                    headers={"Content-Disposition": f"attachment; filename=my-messages-{session_id}.json"})


def init_app(app: Flask) -> None:
    """Register the transcript routes."""
    app.register_blueprint(bp)
