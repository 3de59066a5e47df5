"""Publishing a session's transcript, and the facilitators' preface and closing summary."""

from __future__ import annotations

from flask_babel import gettext as _

from .. import permissions, record
from ..auth import security_log
from ..errors import DialogueError
from ..extensions import db
from ..models import DialogueSession, User, utcnow
from ..writes import session_write
from .build import ATTRIBUTIONS


def publish(user: User, session_id, attribution: str = "pseudonym", public: bool = False) -> DialogueSession:
    """Publish the participants' version to the session's members (and, if chosen, as a public
    page with attribution `none` or `side` only); the chain's digest is frozen in the session."""
    if attribution not in ATTRIBUTIONS:
        raise DialogueError("invalid", _("attribution must be one of: %(a)s.", a=", ".join(ATTRIBUTIONS)))
    if public and attribution not in ("side", "none"):
        raise DialogueError("invalid", _("A public page names nobody: use attribution side or none."))
    with session_write(session_id) as session:
        permissions.require_manage(user, session)
        links = record.chain(session)
        session.published_digest = links[-1]["hash"] if links else record.GENESIS
        session.published_at = utcnow()
        session.published_attribution = attribution
        session.published_public = bool(public)
        security_log.record("published", actor=user, session_id=session.id, attribution=attribution,
                            public=bool(public), digest=session.published_digest)
        db.session.commit()
        return session


def set_texts(user: User, session: DialogueSession, preface: str, summary: str) -> DialogueSession:
    """Facilitators write the transcript's preface and closing summary (plain text)."""
    permissions.require_manage(user, session)
    for value in (preface, summary):
        if not isinstance(value, str) or len(value) > 20_000:
            raise DialogueError("too_long")
    session.transcript_preface = preface.strip()
    session.transcript_summary = summary.strip()
    db.session.commit()
    return session
