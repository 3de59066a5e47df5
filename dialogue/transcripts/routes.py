"""Transcripts over HTTP: the transcript API, the public page, members' own messages, and
publishing from the manage page."""

from __future__ import annotations

import json

from flask import Blueprint, Response, flash, redirect, request, stream_with_context, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..auth import security_log
from ..errors import DialogueError
from ..extensions import db
from ..models import DialogueSession
from ..web import flash_refusal, require_confirmed_post, session_or_404
from . import build as transcripts
from . import formats, publishing

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
    attribution = transcripts.require_access(current_user, session, version, attribution)
    security_log.note("transcript_exported", actor=current_user, session_id=session.id, version=version,
                        attribution=attribution, format=fmt)
    if fmt == "json":
        # Streamed: the response starts before the whole file is built, in bounded memory.
        body = stream_with_context(transcripts.stream_json(session, attribution=attribution, version=version))
        return Response(body, mimetype="application/json",
                        headers={"Content-Disposition": f"attachment; filename=transcript-{session.id}.json"})
    return _rendered(transcripts.build(session, attribution=attribution, version=version), fmt, session.id)


RENDERED = {"md": ("text/markdown", "md"), "txt": ("text/plain", "txt"), "html": ("text/html", "html")}


def _rendered(document: dict, fmt: str, session_id: str, download: bool = True) -> Response:
    # A download is read from disk (its stylesheet inside it); a page is read from the site.
    render = formats.RENDERERS[fmt] if download or fmt != "html" else \
        (lambda doc: formats.to_html(doc, standalone=False))
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


@bp.post("/sessions/<session_id>/publish")
@login_required
def publish_transcript(session_id: str):
    """Publish the participants' transcript to the members (optionally as a public page)."""
    require_confirmed_post()
    try:
        session = publishing.publish(current_user, session_id, request.form.get("attribution", "pseudonym"),
                                      public=request.form.get("public") == "y")
    except DialogueError as error:
        flash_refusal(error)
    else:
        flash(_("The transcript was published. Its digest is %(digest)s.", digest=session.published_digest))
    return redirect(url_for("sessions.manage", session_id=session_id) + "#transcript")


@bp.post("/sessions/<session_id>/transcript-texts")
@login_required
def transcript_texts(session_id: str):
    """Save the transcript's preface and closing summary."""
    require_confirmed_post()
    try:
        publishing.set_texts(current_user, session_or_404(session_id), request.form.get("preface", ""),
                              request.form.get("summary", ""))
    except DialogueError as error:
        flash_refusal(error)
    else:
        flash(_("The preface and closing summary were saved."))
    return redirect(url_for("sessions.manage", session_id=session_id) + "#transcript")
