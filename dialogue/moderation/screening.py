"""Screening a new message before it is stored: watched words, identifying information and
pre-moderation decide whether it is refused, masked, held or queued."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import func, select

from .. import permissions
from ..errors import DialogueError
from ..extensions import db
from ..models import (
    DialogueSession,
    Membership,
    WatchedWord,
)
from .identifying import find_identifying_info
from .matcher import Matcher, Term, mask, strongest


@dataclass
class Screening:
    """What moderation decided about a new message before it is stored."""

    body: str
    status: str = "visible"
    reasons: list[dict] = field(default_factory=list)


_matcher_lock = threading.Lock()


_matcher_cache: tuple | None = None


def current_matcher():
    """The compiled matcher for the watched-words list, rebuilt when the list changes."""
    global _matcher_cache
    signature = tuple(db.session.execute(
        select(func.count(WatchedWord.id), func.coalesce(func.sum(WatchedWord.id), 0),
               func.max(WatchedWord.created_at))).one())
    with _matcher_lock:
        if _matcher_cache is not None and _matcher_cache[0] == signature:
            return _matcher_cache[1]
    words = db.session.scalars(select(WatchedWord)).all()
    matcher = Matcher([Term(w.id, w.term, w.action, w.language, w.whole_word) for w in words])
    with _matcher_lock:
        _matcher_cache = (signature, matcher)
    return matcher


def screen(session: DialogueSession, membership: Membership, text: str) -> Screening:
    """Apply watched words, the identifying-information check and pre-moderation.

    A `block` term refuses the message (`blocked`, naming the term); `mask` terms are masked;
    `hold` terms, identifying information and pre-moderation hold it; `flag` terms queue it.
    Staff are never held: what would hold their message queues it instead.
    """
    matches = current_matcher().find(text)
    if strongest(matches) == "block":
        blocked = sorted({m.matched_text for m in matches if m.term.action == "block"})
        raise DialogueError("blocked", _("Your message was not sent: it contains “%(terms)s”, which is not "
                                         "allowed here.", terms="”, “".join(blocked)), terms=blocked)
    result = Screening(body=mask(text, [m for m in matches if m.term.action == "mask"]))
    hold = False
    for match in matches:
        if match.term.action in ("hold", "flag"):
            result.reasons.append({"kind": "watched_word", "term": match.term.term, "action": match.term.action,
                                   "matched": match.matched_text})
            hold = hold or match.term.action == "hold"
    found = find_identifying_info(text)
    if found:
        result.reasons.append({"kind": "identifying_info", "found": sorted({kind for kind, _s, _e in found})})
        hold = True
    if session.moderation_mode == "pre" and permissions.held_for_review(membership):
        result.reasons.append({"kind": "premoderation"})
        hold = True
    if hold and permissions.held_for_review(membership):
        result.status = "held"
    return result
