"""Who has spoken how much: each side's share and each participant's figures."""

from __future__ import annotations

from sqlalchemy import select

from .. import permissions
from ..extensions import db
from ..models import (
    DialogueSession,
    Membership,
    Message,
)
from ..protocol import iso, member_object


def figures_by_author(session: DialogueSession):
    """Per author: visible room messages, words, last time spoken."""
    rows = db.session.execute(
        select(Message.author_id, Message.body_source, Message.created_at)
        .where(Message.session_id == session.id, Message.channel == "room",
               Message.status.in_(("visible", "hidden")), Message.published, Message.translation_of_id.is_(None))
    ).all()
    figures: dict[int, dict] = {}
    for author_id, body, created_at in rows:
        entry = figures.setdefault(author_id, {"messages": 0, "words": 0, "last_spoke_at": None})
        entry["messages"] += 1
        entry["words"] += len(body.split())
        if entry["last_spoke_at"] is None or created_at > entry["last_spoke_at"]:
            entry["last_spoke_at"] = created_at
    return figures


def balance(session: DialogueSession, *, detail: bool = False) -> dict:
    """Each side's share of messages and words (participants' public messages); with
    `detail`, each participant's figures and who has not spoken yet, for facilitators."""
    spoken = figures_by_author(session)
    members = db.session.scalars(select(Membership).where(Membership.session_id == session.id,
                                                          Membership.revoked_at.is_(None),
                                                          permissions.speakers_clause())).all()
    sides = {session.side_a_label: {"messages": 0, "words": 0}, session.side_b_label: {"messages": 0, "words": 0}}
    people = []
    for membership in members:
        figures = spoken.get(membership.user_id, {"messages": 0, "words": 0, "last_spoke_at": None})
        label = session.side_label(membership.side)
        if label in sides:
            sides[label]["messages"] += figures["messages"]
            sides[label]["words"] += figures["words"]
        people.append({**member_object(session, membership), "messages": figures["messages"],
                       "words": figures["words"], "last_spoke_at": iso(figures["last_spoke_at"])})
    if not detail:
        return sides
    total = sum(side["messages"] for side in sides.values())
    return {"sides": sides, "participants": sorted(people, key=lambda p: (p["side"] or "", p["name"])),
            "silent": [p["id"] for p in people if p["messages"] == 0],
            "shares": {label: (round(side["messages"] / total, 3) if total else None)
                       for label, side in sides.items()}}
