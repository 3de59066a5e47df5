"""Facilitation write paths: the session's life, the agenda, the floor, balance, consent,
presence preferences and materials."""

from __future__ import annotations

import secrets
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import delete, func, select

from .. import emitter, permissions
from ..database import read_without_write_lock
from ..errors import DialogueError
from ..extensions import db
from ..models import (
    FLOOR_MODES,
    NAMING_CHOICES,
    AgendaPhase,
    Consent,
    DialogueSession,
    Material,
    Membership,
    Message,
    RaisedHand,
    User,
    utcnow,
)
from ..protocol import iso, member_object, session_object
from ..sanitize import render_message
from . import record
from .common import session_write

CONTROL_ACTIONS = ("start", "pause", "resume", "end", "next_phase", "previous_phase", "floor_mode",
                   "lock", "unlock", "show_balance", "hide_balance")
STATE_CHANGES = {"start": ("draft",), "pause": ("live",), "resume": ("paused",), "end": ("live", "paused")}
NEW_STATE = {"start": "live", "pause": "paused", "resume": "live", "end": "ended"}
MAX_FLOOR_SECONDS = 3600

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


# --- reading the session's state -------------------------------------------------------------

def phases(session: DialogueSession) -> list[AgendaPhase]:
    """The session's agenda, in order."""
    return list(db.session.scalars(select(AgendaPhase).where(AgendaPhase.session_id == session.id)
                                   .order_by(AgendaPhase.position)))


def phase_object(session: DialogueSession, agenda: list[AgendaPhase] | None = None) -> dict | None:
    """The phase under way, as the protocol's SessionState carries it."""
    if session.phase_index is None:
        return None
    agenda = phases(session) if agenda is None else agenda
    if not 0 <= session.phase_index < len(agenda):
        return None
    phase = agenda[session.phase_index]
    return {"index": session.phase_index, "title": phase.title, "prompt": phase.prompt,
            "ends_at": iso(session.phase_ends_at), "count": len(agenda)}


def hands(session: DialogueSession) -> list[int]:
    """User ids with a raised hand, in the order the hands went up."""
    return list(db.session.scalars(select(RaisedHand.user_id).where(RaisedHand.session_id == session.id)
                                   .order_by(RaisedHand.raised_at, RaisedHand.user_id)))


def _spoken(session: DialogueSession):
    """Per author: visible room messages, words, last time spoken."""
    rows = db.session.execute(
        select(Message.author_id, Message.body_source, Message.created_at)
        .where(Message.session_id == session.id, Message.channel == "room",
               Message.status.in_(("visible", "hidden")), Message.published)
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
    spoken = _spoken(session)
    members = db.session.scalars(select(Membership).where(Membership.session_id == session.id,
                                                          Membership.revoked_at.is_(None),
                                                          Membership.role == "participant")).all()
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


def session_state(session: DialogueSession, *, staff: bool) -> dict:
    """The protocol's SessionState, plus the session's settings; participants see the side
    balance only when facilitators turned the balance bar on."""
    floor = None
    if session.floor_user_id is not None:
        floor = {"user_id": session.floor_user_id, "ends_at": iso(session.floor_ends_at)}
    return {
        **session_object(session),
        "phase": phase_object(session),
        "floor_mode": session.floor_mode,
        "floor": floor,
        "hands": hands(session),
        "balance": balance(session) if staff or session.show_balance else {},
        "agenda_length": len(phases(session)),
        "locked": session.locked,
        "pseudonymous": session.pseudonymous,
        "show_balance": session.show_balance,
    }


def notify_state(session: DialogueSession) -> None:
    """After commit, send `session` to everyone in it (staff and members get their views)."""
    emitter.on_commit(db.session, "session", session_state(session, staff=True), emitter.staff_room(session.id))
    emitter.on_commit(db.session, "session", session_state(session, staff=False), emitter.public_room(session.id))


# --- the session's life and the agenda -------------------------------------------------------

def control(user: User, session_id, action, floor_mode=None) -> DialogueSession:
    """Facilitators start, pause, resume and end the session, move through the agenda,
    switch the floor mode, lock the room and show or hide the balance bar."""
    if action not in CONTROL_ACTIONS:
        raise DialogueError("invalid", _("action must be one of: %(a)s.", a=", ".join(CONTROL_ACTIONS)))
    with session_write(session_id) as session:
        permissions.require_manage(user, session)
        now = utcnow()
        if action in STATE_CHANGES:
            if session.state not in STATE_CHANGES[action]:
                raise DialogueError("conflict", _("The session is %(state)s.", state=session.state))
            session.state = NEW_STATE[action]
            if action == "pause":
                session.paused_at = now
            elif action == "resume" and session.paused_at is not None:
                stood_still = now - session.paused_at
                if session.phase_ends_at is not None:
                    session.phase_ends_at += stood_still
                if session.floor_ends_at is not None:
                    session.floor_ends_at += stood_still
                session.paused_at = None
            if action == "start":
                session.started_at = now
            if action == "end":
                session.ended_at = now
                _clear_floor(session)
                db.session.execute(delete(RaisedHand).where(RaisedHand.session_id == session.id))
        elif action in ("next_phase", "previous_phase"):
            agenda = phases(session)
            current = session.phase_index
            target = (0 if current is None else current + 1) if action == "next_phase" else \
                (None if current is None else current - 1)
            if target is None or not 0 <= target < len(agenda):
                raise DialogueError("invalid", _("There is no phase to move to."))
            _enter_phase(session, agenda, target, now)
        elif action == "floor_mode":
            if floor_mode not in FLOOR_MODES:
                raise DialogueError("invalid", _("floor_mode must be one of: %(m)s.", m=", ".join(FLOOR_MODES)))
            session.floor_mode = floor_mode
            if floor_mode == "open":
                _clear_floor(session)
            elif floor_mode == "alternate" and session.floor_user_id is None:
                _offer_floor(session, now)
        elif action in ("lock", "unlock"):
            session.locked = action == "lock"
        else:
            session.show_balance = action == "show_balance"
        notify_state(session)
        db.session.commit()
        return session


def _enter_phase(session: DialogueSession, agenda: list[AgendaPhase], index: int, now) -> None:
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
                                    or not 1 <= minutes <= 600):
            raise DialogueError("invalid", _("A time box is from 1 to 600 minutes, or none."))
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


# --- the floor -------------------------------------------------------------------------------

def _clear_floor(session: DialogueSession) -> None:
    session.floor_user_id = None
    session.floor_ends_at = None


def _grant(session: DialogueSession, membership: Membership, seconds: int | None, now) -> None:
    session.floor_user_id = membership.user_id
    session.floor_ends_at = now + timedelta(seconds=seconds) if seconds else None
    session.floor_last_side = membership.side
    db.session.execute(delete(RaisedHand).where(RaisedHand.session_id == session.id,
                                                RaisedHand.user_id == membership.user_id))


def _offer_floor(session: DialogueSession, now) -> None:
    """Alternate mode: offer the floor to the other side than last time when someone there has
    a hand up, and within a side to whoever has spoken least (earliest hand on a tie)."""
    waiting = db.session.execute(
        select(Membership, RaisedHand.raised_at).join(RaisedHand, (RaisedHand.user_id == Membership.user_id)
                                                      & (RaisedHand.session_id == Membership.session_id))
        .where(Membership.session_id == session.id, Membership.revoked_at.is_(None),
               Membership.role == "participant")
    ).all()
    if not waiting:
        return
    other_side = [(m, at) for m, at in waiting if m.side != session.floor_last_side]
    pool = other_side or waiting
    spoken = _spoken(session)
    chosen, _at = min(pool, key=lambda pair: (spoken.get(pair[0].user_id, {}).get("messages", 0), pair[1]))
    _grant(session, chosen, session.floor_seconds, now)


def raise_hand(user: User, session_id, raised) -> None:
    """A participant raises or lowers their hand; lowering it while holding the floor gives it back."""
    if not isinstance(raised, bool):
        raise DialogueError("invalid", _("raised must be true or false."))
    with session_write(session_id) as session:
        membership = permissions.require_view(user, session)
        if membership is None or membership.role == "observer":
            raise DialogueError("forbidden")
        if membership.role != "participant":
            raise DialogueError("invalid", _("Facilitators and moderators may always write."))
        if session.state == "ended" and raised:
            raise DialogueError("session_not_live")
        now = utcnow()
        exists = db.session.get(RaisedHand, (session.id, user.id))
        if raised and exists is None:
            db.session.add(RaisedHand(session_id=session.id, user_id=user.id, raised_at=now))
            db.session.flush()
        elif not raised:
            if exists is not None:
                db.session.delete(exists)
            if session.floor_user_id == user.id:
                _clear_floor(session)
            db.session.flush()
        if session.floor_mode == "alternate" and session.floor_user_id is None:
            _offer_floor(session, now)
        notify_state(session)
        db.session.commit()


def give_floor(user: User, session_id, user_id, seconds=None) -> None:
    """Facilitators give the floor to a participant (optionally for N seconds) or take it back."""
    if seconds is not None and (isinstance(seconds, bool) or not isinstance(seconds, int)
                                or not 5 <= seconds <= MAX_FLOOR_SECONDS):
        raise DialogueError("invalid", _("seconds must be from 5 to %(n)d.", n=MAX_FLOOR_SECONDS))
    if user_id is not None and (isinstance(user_id, bool) or not isinstance(user_id, int)):
        raise DialogueError("invalid")
    with session_write(session_id) as session:
        permissions.require_manage(user, session)
        now = utcnow()
        if session.state == "ended":
            raise DialogueError("session_not_live")
        if user_id is None:
            _clear_floor(session)
        else:
            target = db.session.scalar(select(Membership).where(
                Membership.session_id == session.id, Membership.user_id == user_id, Membership.revoked_at.is_(None)))
            if target is None or target.role != "participant":
                raise DialogueError("invalid", _("The floor goes to a participant of this session."))
            _grant(session, target, seconds, now)
        notify_state(session)
        db.session.commit()


def leave_floor(session: DialogueSession, user_id: int) -> None:
    """A member who leaves the session (removed) leaves the queue of hands and the floor.
    Call while holding the session's row lock; everyone gets the new state after commit."""
    db.session.execute(delete(RaisedHand).where(RaisedHand.session_id == session.id, RaisedHand.user_id == user_id))
    if session.floor_user_id == user_id:
        _clear_floor(session)
        if session.floor_mode == "alternate":
            _offer_floor(session, utcnow())
    notify_state(session)


def require_floor(session: DialogueSession, membership: Membership) -> None:
    """In queue and alternate modes a participant writes only while holding the floor."""
    if session.floor_mode == "open" or membership.role != "participant":
        return
    holds = session.floor_user_id == membership.user_id and (
        session.floor_ends_at is None or session.floor_ends_at > utcnow())
    if not holds:
        raise DialogueError("not_your_turn")


def expire_floors() -> int:
    """Give back every timed floor whose time is up (and offer it on in alternate mode).

    Safe with several processes: a floor is given back under the session's row lock only if
    it is still the same expired floor, so one process announces it."""
    now = utcnow()
    db.session.commit()
    read_without_write_lock(db.session)
    due = db.session.execute(select(DialogueSession.id, DialogueSession.floor_user_id)
                             .where(DialogueSession.floor_ends_at <= now, DialogueSession.state == "live")).all()
    db.session.commit()
    done = 0
    for session_id, holder in due:
        with session_write(session_id) as session:
            if session.floor_user_id != holder or session.floor_ends_at is None or session.floor_ends_at > now \
                    or session.state != "live":
                db.session.rollback()
                continue
            _clear_floor(session)
            if session.floor_mode == "alternate":
                _offer_floor(session, now)
            notify_state(session)
            db.session.commit()
            done += 1
    return done


# --- gentle nudges --------------------------------------------------------------------------

NUDGE_TEXT = "nudge"
SHARE_ALERT_EVERY = timedelta(minutes=5)


def send_nudges() -> int:
    """Where facilitators asked for it: privately prompt participants who have been silent for
    the set time (once per silence), and tell the staff when one side's share of messages
    passes the set percentage (at most every five minutes). Returns how many were sent."""
    from ..models import Presence

    now = utcnow()
    db.session.commit()
    read_without_write_lock(db.session)
    candidates = db.session.execute(
        select(DialogueSession.id).where(DialogueSession.state == "live",
                                         (DialogueSession.nudge_after_minutes.is_not(None))
                                         | (DialogueSession.share_alert_percent.is_not(None)))).scalars().all()
    db.session.commit()
    sent = 0
    for session_id in candidates:
        with session_write(session_id) as session:
            if session.state != "live":
                db.session.rollback()
                continue
            if session.nudge_after_minutes:
                since = now - timedelta(minutes=session.nudge_after_minutes)
                spoken = _spoken(session)
                present = set(db.session.scalars(select(Presence.user_id).where(Presence.session_id == session.id)))
                for membership in db.session.scalars(select(Membership).where(
                        Membership.session_id == session.id, Membership.revoked_at.is_(None),
                        Membership.role == "participant")):
                    activity = max(t for t in (membership.joined_at, session.started_at, session.phase_started_at,
                                               spoken.get(membership.user_id, {}).get("last_spoke_at")) if t)
                    recently_nudged = membership.nudged_at is not None and membership.nudged_at > since
                    if membership.user_id in present and activity <= since and not recently_nudged:
                        membership.nudged_at = now
                        emitter.on_commit(db.session, "notice", {
                            "kind": NUDGE_TEXT, "minutes": session.nudge_after_minutes,
                            "reason": _("Your voice matters here. When you are ready, share a thought or a "
                                        "question — or simply say how you are feeling.")},
                            emitter.member_room(session.id, membership.user_id))
                        sent += 1
            if session.share_alert_percent and (session.share_alert_at is None
                                                or session.share_alert_at <= now - SHARE_ALERT_EVERY):
                sides = balance(session)
                total = sum(side["messages"] for side in sides.values())
                if total >= 4:
                    label, side = max(sides.items(), key=lambda pair: pair[1]["messages"])
                    share = round(100 * side["messages"] / total)
                    if share > session.share_alert_percent:
                        session.share_alert_at = now
                        emitter.on_commit(db.session, "notice", {"kind": "balance", "side": label, "share": share,
                                                                 "threshold": session.share_alert_percent},
                                          emitter.staff_room(session.id))
                        sent += 1
            db.session.commit()
    return sent


# --- consent, presence and names -------------------------------------------------------------

def record_consent(user: User, session_id, naming, include, for_user_id=None) -> Consent:
    """A member records how they want to be named in transcripts and whether their words may
    appear at all. Every change is kept with its time; the latest is in force."""
    if for_user_id is not None and for_user_id != user.id:
        raise DialogueError("forbidden", _("Only members themselves change their consent."))
    if naming not in NAMING_CHOICES:
        raise DialogueError("invalid", _("naming must be one of: %(n)s.", n=", ".join(NAMING_CHOICES)))
    if not isinstance(include, bool):
        raise DialogueError("invalid", _("include must be true or false."))
    with session_write(session_id) as session:
        membership = permissions.require_view(user, session)
        if membership is None:
            raise DialogueError("forbidden")
        consent = Consent(session_id=session.id, user_id=user.id, naming=naming, include=include,
                          created_at=utcnow())
        db.session.add(consent)
        record.consent_changed(session, membership.id, naming, include, consent.created_at)
        db.session.commit()
        return consent


def current_consent(session_id: str, user_id: int) -> Consent | None:
    """The consent in force for a member (None if they never recorded one: treat as withheld)."""
    return db.session.scalar(select(Consent).where(Consent.session_id == session_id, Consent.user_id == user_id)
                             .order_by(Consent.id.desc()).limit(1))


def consent_history(session_id: str, user_id: int | None = None) -> list[Consent]:
    """Every consent choice recorded in a session (or by one member), oldest first."""
    query = select(Consent).where(Consent.session_id == session_id)
    if user_id is not None:
        query = query.where(Consent.user_id == user_id)
    return list(db.session.scalars(query.order_by(Consent.id)))


def consent_object(consent: Consent | None) -> dict | None:
    return None if consent is None else {"naming": consent.naming, "include": consent.include,
                                         "since": iso(consent.created_at)}


def set_presence_hidden(user: User, session_id, hidden) -> None:
    """A member hides (or shows) their online status from other members."""
    if not isinstance(hidden, bool) or not isinstance(session_id, str):
        raise DialogueError("invalid")
    session = db.session.get(DialogueSession, session_id)
    membership = permissions.require_view(user, session)
    if membership is None:
        raise DialogueError("forbidden")
    membership.hide_presence = hidden
    db.session.commit()


def neutral_name(session: DialogueSession) -> str:
    """A name that says nothing about its bearer or their side, such as "Participant K7"."""
    letters = "ABCDEFGHJKLMNPQRSTUVWXYZ"
    for _attempt in range(200):
        candidate = _("Participant %(code)s", code=secrets.choice(letters) + str(secrets.randbelow(9) + 1))
        taken = db.session.scalar(select(func.count()).select_from(Membership).where(
            Membership.session_id == session.id, Membership.display_name == candidate))
        if not taken:
            return candidate
    return _("Participant %(code)s", code=secrets.token_hex(3).upper())


# --- materials -------------------------------------------------------------------------------

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

