"""The home page: the sessions a person belongs to, and what they can do next."""

from __future__ import annotations

from flask import Blueprint, Flask, render_template
from flask_login import current_user, login_required
from sqlalchemy import select

from . import permissions
from .auth.forms import ConfirmForm
from .extensions import db
from .models import DialogueSession, Membership

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
    mine = [(s, m) for s, m in rows]
    others = []
    if current_user.is_admin:
        member_of = {s.id for s, _m in mine}
        others = [s for s in db.session.scalars(select(DialogueSession).order_by(DialogueSession.created_at.desc()))
                  if s.id not in member_of]
    managed = [s for s, m in mine if permissions.can_manage_session(current_user, m)] + others
    return render_template("home.html", sessions=mine, other_sessions=others,
                           can_create=permissions.can_create_sessions(current_user),
                           can_manage=permissions.can_manage_session, confirm=ConfirmForm(),
                           overview={s.id: session_overview(s) for s in managed})


def session_overview(session: DialogueSession) -> dict:
    """For the facilitator home: members by side and role, and the invitations with their use."""
    from .services import dialogues

    counts: dict[str, int] = {}
    for membership in dialogues.members(session):
        key = session.side_label(membership.side) if membership.role == "participant" else membership.role
        counts[key or membership.role] = counts.get(key or membership.role, 0) + 1
    return {"members": counts, "invitations": dialogues.invitations(session)}


def init_app(app: Flask) -> None:
    """Register the home page."""
    app.register_blueprint(bp)
