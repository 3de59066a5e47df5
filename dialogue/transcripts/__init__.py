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
    if fmt == "json":
        # Streamed: the response starts before the whole file is built, in bounded memory.
        body = stream_with_context(transcripts.stream_json(session, attribution=attribution, version=version))
        return Response(body, mimetype="application/json",
                        headers={"Content-Disposition": f"attachment; filename=transcript-{session.id}.json"})
    return _rendered(transcripts.build(session, attribution=attribution, version=version), fmt, session.id)


RENDERED = {"md": ("text/markdown", "md"), "txt": ("text/plain", "txt"), "html": ("text/html", "html")}


def _rendered(document: dict, fmt: str, session_id: str, download: bool = True) -> Response:
    from ..services import transcript_formats

    render = {"md": transcript_formats.to_markdown, "txt": transcript_formats.to_text,
              "html": transcript_formats.to_html}[fmt]
    mimetype, extension = RENDERED[fmt]
    headers = {"Content-Disposition": f"attachment; filename=transcript-{session_id}.{extension}"} if download else {}
    return Response(render(document), mimetype=mimetype, headers=headers)


@bp.get("/t/<session_id>")
def public_transcript(session_id: str):
    """The public page of a transcript its facilitators published as public (side or no names)."""
    session = db.session.get(DialogueSession, session_id)
    if session is None or not session.published_public or session.published_attribution not in ("side", "none"):
        raise DialogueError("not_found")
    document = transcripts.build(session, attribution=session.published_attribution, version="participants")
    return _rendered(document, "html", session.id, download=False)


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
