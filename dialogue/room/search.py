"""Searching a session's messages."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import false, select

from .. import permissions
from ..database import casefolded
from ..errors import DialogueError
from ..extensions import db
from ..models import MAX_ROW_ID, DialogueSession, Message, User
from ..protocol import message_object

MAX_QUERY = 100
RESULTS = 50


def search(user: User, session: DialogueSession | None, query, before=None) -> dict:
    """The caller's view of the session's messages whose text contains `query` (case folded,
    matched as plain text: no wildcards, no patterns), newest first, 50 at a time."""
    membership = permissions.require_view(user, session)
    if not isinstance(query, str) or not query.strip():
        raise DialogueError("empty")
    query = query.strip()
    if len(query) > MAX_QUERY:
        raise DialogueError("too_long", _("A search is at most %(n)d characters.", n=MAX_QUERY))
    dialect = db.session.get_bind().dialect.name
    statement = (select(Message).where(
        Message.session_id == session.id, permissions.message_visibility_clause(user, membership),
        Message.status.in_(("visible", "held")),
        casefolded(Message.body_source, dialect).contains(query.casefold(), autoescape=True)))
    if before is not None:
        if isinstance(before, bool) or not isinstance(before, int):
            raise DialogueError("invalid", _("before must be a message id."))
        if before <= 0:  # no message comes before the first
            statement = statement.where(false())
        elif before <= MAX_ROW_ID:  # every id is below a larger number: no bound then
            statement = statement.where(Message.id < before)
    rows = list(db.session.scalars(statement.order_by(Message.id.desc()).limit(RESULTS + 1)))
    staff_view = permissions.sees_staff_view(user, membership)
    visible = [m for m in rows[:RESULTS] if message_object(session, m, staff_view=staff_view)["body_html"]]
    return {"query": query, "messages": [message_object(session, m, staff_view=staff_view) for m in visible],
            "more": len(rows) > RESULTS}
