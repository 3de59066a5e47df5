"""Materials: texts and links facilitators give members to read."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from .. import permissions
from ..errors import DialogueError
from ..extensions import db
from ..models import (
    DialogueSession,
    Material,
    User,
)
from ..sanitize import render_message


def add_material(user: User, session: DialogueSession, title: str, body: str = "", url: str | None = None) -> Material:
    """Facilitators attach a text (light Markdown) or a link for members to read."""
    permissions.require_manage(user, session)
    title = (title or "").strip()
    if not title:
        raise DialogueError("empty", _("A material needs a title."), field="title")
    url = (url or "").strip() or None
    if url is not None and not url.lower().startswith(("https://", "http://")):
        raise DialogueError("invalid", _("Links must start with https:// or http://."), field="url")
    if not (body or "").strip() and url is None:
        raise DialogueError("empty", _("Give a text, a link, or both."), field="body")
    material = Material(session_id=session.id, title=title[:200], body_html=render_message(body or ""),
                        url=url, created_by_id=user.id)
    db.session.add(material)
    db.session.commit()
    return material


def materials(session: DialogueSession) -> list[Material]:
    """The session's materials, oldest first."""
    return list(db.session.scalars(select(Material).where(Material.session_id == session.id).order_by(Material.id)))


def remove_material(user: User, material_id: int) -> Material:
    """Take a material away."""
    material = db.session.get(Material, material_id)
    if material is None:
        raise DialogueError("not_found")
    permissions.require_manage(user, db.session.get(DialogueSession, material.session_id))
    db.session.delete(material)
    db.session.commit()
    return material
