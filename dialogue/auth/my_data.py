"""Everything the platform holds about one person, as they download it from their settings."""

from __future__ import annotations

from sqlalchemy import select

from ..extensions import db
from ..models import (
    ApiToken,
    Consent,
    DialogueSession,
    Flag,
    LoginSession,
    Membership,
    Message,
    User,
    iso,
)


def current_sessions(user: User) -> list[tuple[str, str, str]]:
    """(session id, title, the name one goes by there) of each session one is a current member
    of, newest first: where the settings page offers one's own messages for download."""
    return [tuple(row) for row in db.session.execute(
        select(DialogueSession.id, DialogueSession.title, Membership.display_name)
        .join(Membership, Membership.session_id == DialogueSession.id)
        .where(Membership.user_id == user.id, Membership.revoked_at.is_(None))
        .order_by(DialogueSession.created_at.desc(), DialogueSession.id)).all()]


def everything_about(user: User) -> dict:
    """The account, its logins and tokens, every membership, consent (with its history),
    message and flag of this person: what a data-access request returns."""
    titles = dict(db.session.execute(select(DialogueSession.id, DialogueSession.title).join(
        Membership, Membership.session_id == DialogueSession.id).where(Membership.user_id == user.id)).all())
    memberships = db.session.scalars(select(Membership).where(Membership.user_id == user.id)
                                     .order_by(Membership.joined_at))
    consents = db.session.scalars(select(Consent).where(Consent.user_id == user.id).order_by(Consent.id))
    messages = db.session.scalars(select(Message).where(Message.author_id == user.id).order_by(Message.id))
    flags = db.session.scalars(select(Flag).where(Flag.flagger_id == user.id).order_by(Flag.id))
    tokens = db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id))
    logins = db.session.scalars(select(LoginSession).where(LoginSession.user_id == user.id)
                                .order_by(LoginSession.created_at))
    return {
        "account": {"id": user.id, "email": user.email, "real_name": user.real_name, "role": user.role,
                    "active": user.active, "locale": user.locale, "time_zone": user.time_zone,
                    "translation_view": user.translation_view, "created_at": iso(user.created_at)},
        "memberships": [{"session_id": m.session_id, "session_title": titles.get(m.session_id),
                         "member_id": m.public_id, "display_name": m.display_name, "side": m.side,
                         "role": m.role, "joined_at": iso(m.joined_at), "rules_accepted_at": iso(m.rules_accepted_at),
                         "left_at": iso(m.revoked_at), "left_because": m.revoked_reason,
                         "muted_until": iso(m.muted_until), "presence_hidden": m.hide_presence}
                        for m in memberships],
        "consents": [{"session_id": c.session_id, "naming": c.naming, "include": c.include,
                      "at": iso(c.created_at)} for c in consents],
        "messages": [{"session_id": m.session_id, "id": m.id, "created_at": iso(m.created_at), "channel": m.channel,
                      "status": m.status, "reply_to": m.reply_to_id, "phase": m.phase_index, "lang": m.lang,
                      "translation_of": m.translation_of_id, "edited_at": iso(m.edited_at),
                      "text": m.body_source if m.status != "redacted" else None} for m in messages],
        "flags": [{"session_id": f.session_id, "message_id": f.message_id, "reason": f.reason, "note": f.note,
                   "at": iso(f.created_at)} for f in flags],
        "api_tokens": [{"name": t.name, "starts_with": t.prefix, "created_at": iso(t.created_at),
                        "last_used_at": iso(t.last_used_at), "revoked_at": iso(t.revoked_at)} for t in tokens],
        "logins": [{"at": iso(login.created_at), "last_seen_at": iso(login.last_seen_at),
                    "ended_at": iso(login.revoked_at), "device": login.device, "network": login.network}
                   for login in logins],
    }
