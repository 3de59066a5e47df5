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
    return render_template("home.html", sessions=mine, other_sessions=others,
                           can_create=permissions.can_create_sessions(current_user),
                           can_manage=permissions.can_manage_session, confirm=ConfirmForm())


def init_app(app: Flask) -> None:
    """Register the home page."""
    app.register_blueprint(bp)
