"""The home page: the sessions a person belongs to, and what they can do next."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user, login_required
from sqlalchemy import select

from .. import permissions
from ..extensions import db
from ..forms import ConfirmForm
from ..models import DialogueSession, Membership
from . import actions as dialogues

bp = Blueprint("pages", __name__)


@bp.get("/")
@login_required
def home():
    """List the caller's sessions (all of them for admins) with their state and role."""
    rows = db.session.execute(
        select(DialogueSession, Membership)
        .join(Membership, (Membership.session_id == DialogueSession.id) & (Membership.user_id == current_user.id))
        .where(Membership.revoked_at.is_(None))
        .order_by(DialogueSession.created_at.desc())
    ).all()
    mine = [(s, m, {"manage": permissions.can_manage_session(current_user, m),
                    "review": permissions.works_as_staff(current_user, m)}) for s, m in rows]
    others = []
    if permissions.sees_every_session(current_user):
        member_of = {s.id for s, _m, _may in mine}
        others = [s for s in db.session.scalars(select(DialogueSession).order_by(DialogueSession.created_at.desc()))
                  if s.id not in member_of]
    managed = [s for s, _m, may in mine if may["manage"]] + others
    return render_template("home.html", sessions=mine, other_sessions=others,
                           can_create=permissions.can_create_sessions(current_user),
                           serves_as_staff=(permissions.sees_every_session(current_user) and bool(mine or others))
                           or any(may["review"] for _s, _m, may in mine),
                           manages_words=permissions.can_manage_words(current_user),
                           keeps_glossary=permissions.can_edit_glossary(current_user, None),
                           manage_others=permissions.can_manage_session(current_user, None), confirm=ConfirmForm(),
                           overview={s.id: session_overview(s) for s in managed})


def session_overview(session: DialogueSession) -> dict:
    """For the facilitator home: participants by side, other members by role, and the
    invitations with their use."""
    counts: dict[tuple[str, str], int] = {}
    for membership in dialogues.members(session):
        side = session.side_label(membership.side) if permissions.is_speaker(membership) else None
        key = ("side", side) if side else ("role", membership.role)
        counts[key] = counts.get(key, 0) + 1
    ordered = sorted(counts.items(), key=lambda pair: pair[0][1].lower())  # sides and roles together, by name
    return {"members": [(kind, name, count) for (kind, name), count in ordered],
            "invitations": dialogues.invitations(session)}
