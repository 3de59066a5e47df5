"""The agenda: phases with prompts and time boxes, and the shipped templates."""

from __future__ import annotations

from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import delete

from .. import permissions, record
from ..errors import DialogueError
from ..extensions import db
from ..models import (
    AgendaPhase,
    DialogueSession,
    User,
    utcnow,
)
from ..writes import session_write
from .state import notify_state, phases

# Agenda templates: (title, prompt, minutes). Neutral between the two sides by design.
TEMPLATES = {
    "memory": {
        "name": "Memory and reconciliation dialogue",
        "phases": [
            ("Introductions", "Say who you are, as much as you wish to share, and what brought you here.", 15),
            ("Sharing memories", "Tell one memory of the war or of the years before it that you carry with you. "
                                 "Speak for yourself and your family, not for a whole people.", 30),
            ("Hearing the other side", "What did you hear today that you had not heard before? Ask one "
                                       "question to understand, not to answer.", 25),
            ("Recognition", "Is there something in what others shared that you can recognise, even if you "
                            "see the past differently?", 20),
            ("Ways forward", "What could people like us do, in our own lives and communities, after today?", 20),
        ],
    },
    "workshop": {
        "name": "Problem-solving workshop",
        "phases": [
            ("Framing the problem", "Describe the problem as it affects you. Facts first, then feelings.", 15),
            ("Interests and needs", "What does each side need, underneath the positions it takes?", 25),
            ("Options", "Put forward options without judging them yet. Every idea is welcome.", 25),
            ("Weighing options", "Which options meet needs on both sides? What would make them possible?", 20),
            ("Next steps", "Agree on concrete next steps, who takes them, and when you will check in.", 15),
        ],
    },
}


MAX_TIME_BOX_MINUTES = 600


def time_box_refusal() -> DialogueError:
    return DialogueError("invalid", _("A time box is from 1 to 600 minutes, or none."), field="minutes")


def enter_phase(session: DialogueSession, agenda: list[AgendaPhase], index: int, now) -> None:
    session.phase_index = index
    session.phase_started_at = now
    minutes = agenda[index].minutes
    session.phase_ends_at = now + timedelta(minutes=minutes) if minutes else None
    record.phase_changed(session, index, agenda[index].title)


def _clean_phases(raw) -> list[tuple[str, str, int | None]]:
    if not isinstance(raw, list) or len(raw) > 30:
        raise DialogueError("invalid", _("An agenda is a list of at most 30 phases."))
    cleaned = []
    for entry in raw:
        if isinstance(entry, tuple | list):
            entry = dict(zip(("title", "prompt", "minutes"), entry, strict=False))
        if not isinstance(entry, dict):
            raise DialogueError("invalid")
        title, prompt, minutes = entry.get("title"), entry.get("prompt") or "", entry.get("minutes")
        if not isinstance(title, str) or not title.strip() or len(title) > 200:
            raise DialogueError("invalid", _("Every phase needs a title of at most 200 characters."))
        if not isinstance(prompt, str) or len(prompt) > 2000:
            raise DialogueError("invalid", _("A prompt can be at most 2000 characters."))
        if minutes is not None and (isinstance(minutes, bool) or not isinstance(minutes, int)
                                    or not 1 <= minutes <= MAX_TIME_BOX_MINUTES):
            raise time_box_refusal()
        cleaned.append((title.strip(), prompt.strip(), minutes))
    return cleaned


def set_agenda(user: User, session_id, raw_phases) -> list[AgendaPhase]:
    """Replace the agenda (before or during the session); the phase under way keeps its place."""
    cleaned = _clean_phases(raw_phases)
    with session_write(session_id) as session:
        permissions.require_manage(user, session)
        db.session.execute(delete(AgendaPhase).where(AgendaPhase.session_id == session.id))
        db.session.flush()
        for position, (title, prompt, minutes) in enumerate(cleaned):
            db.session.add(AgendaPhase(session_id=session.id, position=position, title=title, prompt=prompt,
                                       minutes=minutes))
        if session.phase_index is not None and session.phase_index >= len(cleaned):
            session.phase_index = len(cleaned) - 1 if cleaned else None
        if session.phase_index is None:
            session.phase_ends_at = None
        else:  # the phase under way may have a new time box
            minutes = cleaned[session.phase_index][2]
            start = session.phase_started_at or utcnow()
            session.phase_ends_at = start + timedelta(minutes=minutes) if minutes else None
        db.session.flush()
        notify_state(session)
        db.session.commit()
        return phases(session)


def apply_template(user: User, session_id, template: str) -> list[AgendaPhase]:
    """Start the agenda from one of the shipped templates."""
    if template not in TEMPLATES:
        raise DialogueError("invalid", _("Unknown template."))
    return set_agenda(user, session_id, [list(p) for p in TEMPLATES[template]["phases"]])
