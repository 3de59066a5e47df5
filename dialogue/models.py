"""Database models: people, their logins and tokens, dialogue sessions, members, invitations, messages."""

from __future__ import annotations

import secrets
import unicodedata
from datetime import UTC, datetime

from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql.expression import false, true

from .extensions import db

PLATFORM_ROLES = ("admin", "facilitator", "moderator", "participant", "observer")
# Which interpretations a reader sees under messages: those into their interface language,
# all of them, or none.
TRANSLATION_VIEWS = ("mine", "all", "none")
FLOOR_MODES = ("open", "queue", "alternate")
NAMING_CHOICES = ("named", "pseudonym", "side", "none")
SIDES = ("a", "b")


def utcnow() -> datetime:
    """Return the current time as an aware UTC datetime."""
    return datetime.now(UTC)


def iso(moment: datetime | None) -> str | None:
    """Format an aware UTC datetime as the protocol writes times: ISO 8601 with a Z suffix."""
    if moment is None:
        return None
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def name_key(display_name: str) -> str:
    """Fold a display name so look-alike spellings of one name collide (Membership.name_key)."""
    return unicodedata.normalize("NFKC", display_name).casefold().replace(" ", "")[:60]


# The largest id a row can have: primary keys are `Integer`, PostgreSQL's 32-bit integer (a
# larger number in a query is an error there, not "no such row"). Ids that arrive from
# outside are checked against it first and are `not_found` beyond it.
MAX_ROW_ID = 2**31 - 1


def new_public_id() -> str:
    """Return an opaque, unguessable id for things whose ids travel in URLs: 16 characters of
    the URL-safe alphabet, starting with a letter or digit (an id starting with "-" would be
    read as an option by the command line)."""
    while True:
        value = secrets.token_urlsafe(12)
        if value[0].isalnum():
            return value


class UTCDateTime(db.TypeDecorator):
    """A timestamp stored without zone and always read back as aware UTC (SQLite forgets zones)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is not None:
            value = value.replace(tzinfo=UTC)
        return value


class User(UserMixin, db.Model):
    """An account: a person who can log in, with one platform role."""

    __tablename__ = "user"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    real_name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20), default="participant")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    locale: Mapped[str | None] = mapped_column(String(10))
    # The person's time zone (an IANA name) for the times pages show them; None: the session's.
    time_zone: Mapped[str | None] = mapped_column(String(64))
    # Which interpretations they see under messages (TRANSLATION_VIEWS); None: "mine".
    translation_view: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set when the person asked to be forgotten: their personal data is gone, their words stay
    # in the record under a placeholder name.
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Two-factor sign-in (staff): the TOTP secret (base32), when it was confirmed (None: not
    # in use; a secret without it is an enrolment not yet confirmed), and the time step of the
    # last code accepted, so that no code is accepted twice.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    totp_last_step: Mapped[int | None] = mapped_column(Integer)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.active

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


class LoginSession(db.Model):
    """One browser login; revoking it (logout) invalidates the cookie and its live sockets.
    It also ends by itself after DIALOGUE_LOGIN_IDLE_MINUTES without use and
    DIALOGUE_LOGIN_MAX_HOURS after it began."""

    __tablename__ = "login_session"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Last use (a request or a live connection), written at most once a minute.
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # What the person sees in their list of signed-in devices: the browser's own description
    # (trimmed) and its network, cut as the security log cuts it (IPv4 /24, IPv6 /48).
    device: Mapped[str] = mapped_column(String(120), default="", server_default="")
    network: Mapped[str | None] = mapped_column(String(64))

    user: Mapped[User] = relationship()


class ApiToken(db.Model):
    """A token for non-browser clients; only its SHA-256 hash is stored."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class DialogueSession(db.Model):
    """A facilitated dialogue between members of two sides."""

    __tablename__ = "dialogue_session"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_public_id)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    side_a_label: Mapped[str] = mapped_column(String(60), default="Armenia")
    side_b_label: Mapped[str] = mapped_column(String(60), default="Azerbaijan")
    language: Mapped[str] = mapped_column(String(10), default="en")
    ground_rules: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(10), default="draft")
    # Last event sequence number given out; bumped under the row lock by every visible change.
    last_seq: Mapped[int] = mapped_column(Integer, default=0)
    # "post": messages appear at once, flagged ones are reviewed; "pre": participants' are held.
    moderation_mode: Mapped[str] = mapped_column(String(4), default="post", server_default="post")
    # Flags from this many distinct members hide a message until a moderator decides.
    flag_threshold: Mapped[int] = mapped_column(Integer, default=3, server_default="3")
    # Two-key rule: removing a participant or rejecting their message needs a second moderator.
    two_key: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Facilitation: no new joiners while locked; assigned neutral names when pseudonymous.
    locked: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    pseudonymous: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Whether the room shows that people are writing ("2 people are writing"; no names when pseudonymous).
    typing_indicator: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # The agenda phase under way (index into the ordered phases) and when its time box ends.
    phase_index: Mapped[int | None] = mapped_column(Integer)
    phase_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    phase_ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The floor: who may write now in "queue" and "alternate" modes, until when.
    floor_mode: Mapped[str] = mapped_column(String(10), default="open", server_default="open")
    floor_user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    floor_ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    floor_last_side: Mapped[str | None] = mapped_column(String(1))
    floor_seconds: Mapped[int] = mapped_column(Integer, default=120, server_default="120")
    # Balance: participants see the side-balance bar only when facilitators turn it on.
    show_balance: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Gentle nudges (None: off): a private prompt to a participant silent this many minutes,
    # and a notice to facilitators when one side's share of messages passes this percentage.
    nudge_after_minutes: Mapped[int | None] = mapped_column(Integer)
    share_alert_percent: Mapped[int | None] = mapped_column(Integer)
    share_alert_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # While paused, phase and floor clocks stand still: resuming moves their ends on.
    paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Transcripts: the facilitators' preface and closing summary; the time zone times are shown in;
    # publishing freezes the participants' version's digest (and may make it a public page).
    transcript_preface: Mapped[str] = mapped_column(Text, default="", server_default="")
    transcript_summary: Mapped[str] = mapped_column(Text, default="", server_default="")
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC", server_default="UTC")
    published_digest: Mapped[str | None] = mapped_column(String(64))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_attribution: Mapped[str | None] = mapped_column(String(10))
    published_public: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the retention period removed the members' personal data from this ended session
    # (names, notes, labels); the conversation and its integrity chain stay.
    personal_data_removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])

    def side_label(self, side: str | None) -> str | None:
        """Return the label of side "a" or "b", or None for members without a side."""
        return {"a": self.side_a_label, "b": self.side_b_label}.get(side or "")


class Membership(db.Model):
    """A person's place in one dialogue session: their shown name, side and role there."""

    __tablename__ = "membership"
    __table_args__ = (
        UniqueConstraint("session_id", "user_id", name="uq_membership_session_user"),
        UniqueConstraint("session_id", "name_key", name="uq_membership_session_name"),
        UniqueConstraint("public_id", name="uq_membership_public_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # How other members and clients name this member: opaque, random, and different in every
    # session, so nothing a member receives links a pseudonym here to the same person elsewhere.
    public_id: Mapped[str] = mapped_column(String(32), default=new_public_id)
    session_id: Mapped[str] = mapped_column(
        ForeignKey("dialogue_session.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    display_name: Mapped[str] = mapped_column(String(60))
    # Case- and compatibility-folded display name, so nobody can pose as "Anna" by writing "ANNA".
    name_key: Mapped[str] = mapped_column(String(60))
    side: Mapped[str | None] = mapped_column(String(1))
    role: Mapped[str] = mapped_column(String(20))
    rules_accepted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    invitation_id: Mapped[int | None] = mapped_column(ForeignKey("invitation.id"))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_reason: Mapped[str | None] = mapped_column(String(200))
    muted_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hide_presence: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    nudged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()
    session: Mapped[DialogueSession] = relationship()


class Invitation(db.Model):
    """A link that lets people join a session on a given side and in a given role."""

    __tablename__ = "invitation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[str] = mapped_column(
        ForeignKey("dialogue_session.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(120), default="")
    side: Mapped[str | None] = mapped_column(String(1))
    role: Mapped[str] = mapped_column(String(20), default="participant")
    max_uses: Mapped[int | None] = mapped_column(Integer)
    uses: Mapped[int] = mapped_column(Integer, default=0)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    session: Mapped[DialogueSession] = relationship()

    def usable(self, now: datetime | None = None) -> bool:
        """True while the link is neither revoked, expired nor used up."""
        now = now or utcnow()
        if self.revoked_at is not None or self.expires_at <= now:
            return False
        return self.max_uses is None or self.uses < self.max_uses


class Message(db.Model):
    """One message in a session, stored with the sanitized HTML that every client receives."""

    __tablename__ = "message"
    __table_args__ = (
        UniqueConstraint("session_id", "author_id", "client_id", name="uq_message_client_id"),
        UniqueConstraint("session_id", "seq", name="uq_message_session_seq"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[str] = mapped_column(
        ForeignKey("dialogue_session.id", ondelete="CASCADE")
    )
    # seq of the message's latest visible change (creation or status change).
    seq: Mapped[int] = mapped_column(Integer)
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    membership_id: Mapped[int] = mapped_column(ForeignKey("membership.id"))
    client_id: Mapped[str] = mapped_column(String(64))
    reply_to_id: Mapped[int | None] = mapped_column(ForeignKey("message.id"))
    # The language the author wrote in (an interface language code; None: not recorded).
    lang: Mapped[str | None] = mapped_column(String(10))
    # Set on an interpreter's translation: the message it renders into `lang`. A translation
    # is moderated, flagged and chained like any message, and shown under its original.
    translation_of_id: Mapped[int | None] = mapped_column(ForeignKey("message.id"), index=True)
    # When its author last corrected it (the earlier wording is kept in message_revision).
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    body_source: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    # SHA-256 of the body as written; kept when a redaction removes the text, so anyone
    # holding the original can still prove what was said.
    content_hash: Mapped[str] = mapped_column(String(64), default="", server_default="")
    # "room" for the conversation; "staff" for the facilitators' and moderators' back-channel.
    channel: Mapped[str] = mapped_column(String(5), default="room", server_default="room")
    # The agenda phase the message was written in (None before the first phase).
    phase_index: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(10), default="visible")
    # True once everyone in the session could see it. A held message that is rejected was
    # never public, so only its author and the staff ever learn it existed.
    published: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    membership: Mapped[Membership] = relationship(lazy="joined")
    # The message a translation renders (None for every other message).
    original: Mapped[Message | None] = relationship(remote_side=[id], foreign_keys=[translation_of_id])


class MessageRevision(db.Model):
    """An earlier wording of a message its author corrected, kept for the staff's record."""

    __tablename__ = "message_revision"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("message.id", ondelete="CASCADE"), index=True)
    body_source: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))
    # When this wording was replaced by the next one.
    replaced_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Presence(db.Model):
    """A socket that has joined a session room; kept in the database so every process sees it."""

    __tablename__ = "presence"

    sid: Mapped[str] = mapped_column(String(64), primary_key=True)
    session_id: Mapped[str] = mapped_column(
        ForeignKey("dialogue_session.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The server process holding the socket (dialogue.realtime.presence.process_id), and when
    # it last confirmed the socket is still there; unconfirmed rows expire.
    process_id: Mapped[str] = mapped_column(String(100), default="", server_default="")
    seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)


class WatchedWord(db.Model):
    """A term that moderation watches for, platform-wide, with what to do on a match."""

    __tablename__ = "watched_word"
    __table_args__ = (UniqueConstraint("key", "language", "whole_word", name="uq_watched_word_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    term: Mapped[str] = mapped_column(String(200))
    # The folded form the matcher compares (dialogue.moderation.matcher.normalise_term).
    key: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(5), default="hold")
    language: Mapped[str | None] = mapped_column(String(2))
    whole_word: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Flag(db.Model):
    """A member's report that a message breaks the ground rules; one per member and message."""

    __tablename__ = "flag"
    __table_args__ = (UniqueConstraint("message_id", "flagger_id", name="uq_flag_message_flagger"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[str] = mapped_column(ForeignKey("dialogue_session.id", ondelete="CASCADE"), index=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("message.id", ondelete="CASCADE"), index=True)
    flagger_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    reason: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class QueueItem(db.Model):
    """A message waiting for (or having had) a moderator's decision; one per message."""

    __tablename__ = "queue_item"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[str] = mapped_column(ForeignKey("dialogue_session.id", ondelete="CASCADE"))
    message_id: Mapped[int] = mapped_column(ForeignKey("message.id", ondelete="CASCADE"), unique=True)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    # Reasons other than flags (flags live in their own table): watched words, pre-moderation,
    # identifying information. A list of {"kind": ..., ...} objects.
    reasons: Mapped[list] = mapped_column(JSON, default=list)
    claimed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Two-key rule: the first moderator's proposal, waiting for a second to confirm.
    proposed_action: Mapped[str | None] = mapped_column(String(10))
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    proposed_reason: Mapped[str | None] = mapped_column(Text)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    message: Mapped[Message] = relationship()


class PendingSanction(db.Model):
    """Two-key rule: a removal proposed by one moderator, waiting for a second."""

    __tablename__ = "pending_sanction"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[str] = mapped_column(ForeignKey("dialogue_session.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    proposed_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AuditEntry(db.Model):
    """One moderation event, append-only: who did what to what, when and why."""

    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[str | None] = mapped_column(ForeignKey("dialogue_session.id", ondelete="CASCADE"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    action: Mapped[str] = mapped_column(String(40))
    target_type: Mapped[str] = mapped_column(String(20), default="")
    target_id: Mapped[str] = mapped_column(String(64), default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


Index("ix_queue_item_session_status", QueueItem.session_id, QueueItem.status)
Index("ix_audit_entry_session_created", AuditEntry.session_id, AuditEntry.created_at)


class AgendaPhase(db.Model):
    """One step of a session's agenda: a title, a prompt shown to everyone, a time box."""

    __tablename__ = "agenda_phase"
    __table_args__ = (UniqueConstraint("session_id", "position", name="uq_agenda_phase_position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[str] = mapped_column(ForeignKey("dialogue_session.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    prompt: Mapped[str] = mapped_column(Text, default="")
    minutes: Mapped[int | None] = mapped_column(Integer)


class RaisedHand(db.Model):
    """A member asking for the floor, in the order hands went up."""

    __tablename__ = "raised_hand"

    session_id: Mapped[str] = mapped_column(ForeignKey("dialogue_session.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Consent(db.Model):
    """A member's choice for the record, append-only: the latest row is in force."""

    __tablename__ = "consent"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[str] = mapped_column(ForeignKey("dialogue_session.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    # How they are named in transcripts: "named", "pseudonym", "side" or "none".
    naming: Mapped[str] = mapped_column(String(10))
    # Whether their words may appear in a transcript at all.
    include: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Material(db.Model):
    """A text or a link that facilitators give members to read before and during a session."""

    __tablename__ = "material"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[str] = mapped_column(ForeignKey("dialogue_session.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    body_html: Mapped[str] = mapped_column(Text, default="")
    url: Mapped[str | None] = mapped_column(String(500))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


Index("ix_consent_session_user", Consent.session_id, Consent.user_id, Consent.id)


class SessionEvent(db.Model):
    """One link of a session's integrity chain: what happened, hashed and chained to the link
    before, so that a transcript can prove it was not changed, reordered or cut.

    Payloads name members by their stable membership id, never by name, so renaming or
    erasing a member leaves the chain intact; messages by their content hash, so a redaction
    removes the text but not the proof of what was said."""

    __tablename__ = "session_event"
    __table_args__ = (UniqueConstraint("session_id", "position", name="uq_session_event_position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[str] = mapped_column(ForeignKey("dialogue_session.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    payload: Mapped[dict] = mapped_column(JSON)
    content_hash: Mapped[str] = mapped_column(String(64))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SecurityEvent(db.Model):
    """One entry of the security log, append-only: sign-ins and failed sign-ins, tokens,
    deactivations, exports, publications and erasures, with who did it, to whom, and a
    truncated network address (the only place the platform keeps one)."""

    __tablename__ = "security_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    session_id: Mapped[str | None] = mapped_column(String(32))
    # The client's address cut to its network (IPv4 /24, IPv6 /48), never the whole address.
    network: Mapped[str | None] = mapped_column(String(64))
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class GlossaryEntry(db.Model):
    """One contested name in a glossary: how each community says it in each language, and the
    neutral form the facilitators agreed to use in translation (where they agreed one).

    Entries without a session are the platform-wide starting list that admins keep; a
    session's glossary starts as a copy of it and is then the facilitators' own."""

    __tablename__ = "glossary_entry"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[str | None] = mapped_column(
        ForeignKey("dialogue_session.id", ondelete="CASCADE"), index=True
    )
    # A short neutral label for the entry, in English (the glossary's own key).
    concept: Mapped[str] = mapped_column(String(200))
    note: Mapped[str] = mapped_column(Text, default="", server_default="")
    # {"a": {"hy": ..., "az": ..., "ru": ..., "en": ...}, "b": {...}}: each side's usage
    # in each language (side "a" and "b" as the session's sides; the starter list uses the
    # platform's default sides).
    forms: Mapped[dict] = mapped_column(JSON, default=dict)
    # {"hy": ..., "az": ..., "ru": ..., "en": ...}: the agreed form per language, if any.
    neutral: Mapped[dict] = mapped_column(JSON, default=dict)
    position: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
