"""The glossary of contested names: per session, how each side's community says a name in
each of the four languages, and the neutral form the facilitators agreed to use in
translation (docs/glossary.md).

Entries without a session are the platform's starting list, kept by admins; a new
session's glossary starts as a copy of it (`copy_platform_list`, called when the session
is created), and a session created before it had one starts from it at a facilitator's
request (`start_from_platform`). Warnings about a translation: `session_glossary_warnings`.
"""

from __future__ import annotations

import csv
from contextlib import contextmanager
from pathlib import Path

from flask_babel import gettext as _
from sqlalchemy import func, select

from .. import permissions
from ..errors import DialogueError
from ..extensions import db
from ..models import AuditEntry, DialogueSession, GlossaryEntry, User, iso, utcnow
from ..writes import session_write
from .glossary_match import LANGUAGES, SIDES, glossary_warnings

MAX_CONCEPT = 200
MAX_NOTE = 2000
MAX_FORM = 200
MAX_ENTRIES = 300
STARTER_FILE = Path(__file__).with_name("starter_glossary.csv")
STARTER_MARK = "glossary_starter"
# The advisory lock (PostgreSQL) that orders processes loading the starter list.
STARTER_LOCK = 0x6C6F7373
# The sides of the platform's list (and of the starter list): the platform's default sides.
PLATFORM_LABELS = {"a": "Armenia", "b": "Azerbaijan"}

__all__ = ["glossary_warnings", "session_glossary_warnings", "glossary_object", "add_entry", "edit_entry",
           "delete_entry", "move_entry", "start_from_platform", "ensure_starter_glossary"]


# --- reading -------------------------------------------------------------------------------

def entries(session_id: str | None) -> list[GlossaryEntry]:
    """A session's glossary (or, for None, the platform's list), in its order."""
    where = GlossaryEntry.session_id.is_(None) if session_id is None else GlossaryEntry.session_id == session_id
    return list(db.session.scalars(select(GlossaryEntry).where(where)
                                   .order_by(GlossaryEntry.position, GlossaryEntry.id)))


def side_labels(session: DialogueSession | None) -> dict[str, str]:
    """The names of sides "a" and "b": the session's, or the platform's default ones."""
    if session is None:
        return dict(PLATFORM_LABELS)
    return {"a": session.side_a_label, "b": session.side_b_label}


def _languages(raw) -> dict[str, str | None]:
    raw = raw if isinstance(raw, dict) else {}
    return {lang: (raw.get(lang) or None) if isinstance(raw.get(lang), str) else None for lang in LANGUAGES}


def entry_object(entry: GlossaryEntry, labels: dict[str, str]) -> dict:
    """One entry as JSON (docs/protocol.md, "Glossary"): every side and language present,
    null where the form is not given."""
    forms = entry.forms if isinstance(entry.forms, dict) else {}
    return {"id": entry.id, "concept": entry.concept, "note": entry.note or "", "position": entry.position,
            "forms": {side: _languages(forms.get(side)) for side in SIDES},
            "sides": [{"side": side, "label": labels[side]} for side in SIDES],
            "neutral": _languages(entry.neutral), "updated_at": iso(entry.updated_at)}


def glossary_object(session: DialogueSession | None) -> list[dict]:
    """The session's glossary (None: the platform's list) as a list of entry objects, with
    the side labels resolved."""
    labels = side_labels(session)
    return [entry_object(entry, labels) for entry in entries(session.id if session else None)]


def read_glossary(user: User, session_id) -> list[dict]:
    """A session's glossary, for its members and admins (the `glossary` event)."""
    session = db.session.get(DialogueSession, session_id)
    permissions.require_view(user, session)
    return glossary_object(session)


def session_glossary_warnings(session: DialogueSession, lang: str, text: str) -> list[dict]:
    """Warnings for a translation into `lang` of a message of this session: each place where
    `text` renders one of the session's glossary terms other than in its agreed form, as
    `{"entry_id", "concept", "found", "agreed"}` (see `glossary_match.glossary_warnings`,
    which this calls on the session's entries). Reads only; checks no permission."""
    return glossary_warnings(glossary_object(session), lang, text)


# --- validating ----------------------------------------------------------------------------

def _storable(value: str, field: str) -> str:
    """Text a database column can hold: no NUL characters, no unpaired surrogates."""
    if "\x00" in value or any(0xD800 <= ord(char) <= 0xDFFF for char in value):
        raise DialogueError("invalid", _("Text may not contain NUL or unpaired surrogate characters."), field=field)
    return value


def _clean_text(value, limit: int, field: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise DialogueError("invalid", _("Every form must be text."), field=field)
    _storable(value, field)
    value = " ".join(value.split())
    if len(value) > limit:
        raise DialogueError("too_long", _("%(field)s can be at most %(n)d characters.", field=field, n=limit),
                            field=field)
    return value


def _clean_languages(raw, field: str) -> dict[str, str]:
    if raw is None:
        return {}
    if not isinstance(raw, dict) or not set(raw) <= set(LANGUAGES):
        raise DialogueError("invalid", _("Languages must be among: %(langs)s.", langs=", ".join(LANGUAGES)),
                            field=field)
    cleaned = {lang: _clean_text(raw[lang], MAX_FORM, field) for lang in LANGUAGES if lang in raw}
    return {lang: text for lang, text in cleaned.items() if text}


def clean_entry(raw) -> dict:
    """An entry's fields checked: `concept` (1 to 200 characters), `note` (at most 2000),
    `forms` ({"a": {lang: form}, "b": {...}}, languages among hy az ru en, forms of at most
    200 characters, at least one form) and `neutral` ({lang: form}). Empty forms are dropped."""
    if not isinstance(raw, dict):
        raise DialogueError("invalid")
    concept = _clean_text(raw.get("concept"), MAX_CONCEPT, "concept")
    if not concept:
        raise DialogueError("empty", _("An entry needs a concept: a short label for the name."), field="concept")
    note = raw.get("note")
    note = "" if note is None else note
    if not isinstance(note, str):
        raise DialogueError("invalid", field="note")
    note = _storable(note.strip(), "note")
    if len(note) > MAX_NOTE:
        raise DialogueError("too_long", field="note")
    forms_raw = {} if raw.get("forms") is None else raw.get("forms")
    if not isinstance(forms_raw, dict) or not set(forms_raw) <= set(SIDES):
        raise DialogueError("invalid", _("Forms are given for side a and side b."), field="forms")
    forms = {side: _clean_languages(forms_raw.get(side), "forms") for side in SIDES}
    if not any(forms.values()):
        raise DialogueError("empty", _("Give at least one form: how one side says the name in one language."),
                            field="forms")
    return {"concept": concept, "note": note, "forms": forms, "neutral": _clean_languages(raw.get("neutral"), "neutral")}


# --- writing -------------------------------------------------------------------------------

def _audit(session_id: str | None, user: User | None, action: str, entry: GlossaryEntry | None, **details) -> None:
    """Changes to the platform's list are noted in the platform's audit log (no session)."""
    if session_id is None:
        db.session.add(AuditEntry(session_id=None, actor_id=user.id if user else None, action=action,
                                  target_type="glossary", target_id=str(entry.id) if entry else "",
                                  details=details))


def _session(session_id: str | None) -> DialogueSession | None:
    """The session of a glossary (None: the platform's list), or `not_found`."""
    if session_id is None:
        return None
    session = db.session.get(DialogueSession, session_id) if isinstance(session_id, str) else None
    if session is None:
        raise DialogueError("not_found")
    return session


def _next_position(session_id: str | None) -> int:
    where = GlossaryEntry.session_id.is_(None) if session_id is None else GlossaryEntry.session_id == session_id
    count, last = db.session.execute(select(func.count(GlossaryEntry.id), func.max(GlossaryEntry.position))
                                     .where(where)).one()
    if count >= MAX_ENTRIES:
        raise DialogueError("invalid", _("A glossary holds at most %(n)d entries.", n=MAX_ENTRIES))
    return 0 if last is None else last + 1


@contextmanager
def _glossary_write(session_id: str | None):
    """A write to a glossary: a session's under its row lock (`session_write`, ordered with
    every other write to the session); the platform's list as it is. Yields the session."""
    if session_id is None:
        yield None
        return
    with session_write(session_id) as session:
        yield session


@contextmanager
def _entry_write(user: User, entry_id):
    """A write to one entry, read again under its glossary's lock after checking the caller
    may change that glossary (`not_found`, `forbidden`)."""
    session_id = editable_entry(user, entry_id).session_id
    with _glossary_write(session_id) as session:
        entry = db.session.scalar(select(GlossaryEntry).where(GlossaryEntry.id == entry_id)
                                  .execution_options(populate_existing=True))
        if entry is None:
            raise DialogueError("not_found")
        permissions.require_edit_glossary(user, session)
        yield entry


def add_entry(user: User, session_id: str | None, raw) -> GlossaryEntry:
    """Add an entry at the end of a session's glossary (None: the platform's list)."""
    permissions.require_edit_glossary(user, _session(session_id))  # who may, before what they sent
    fields = clean_entry(raw)
    with _glossary_write(session_id) as session:
        permissions.require_edit_glossary(user, session)
        entry = GlossaryEntry(session_id=session_id, position=_next_position(session_id), created_by_id=user.id,
                              **fields)
        db.session.add(entry)
        db.session.flush()
        _audit(session_id, user, "glossary_add", entry, concept=entry.concept)
        db.session.commit()
        return entry


def editable_entry(user: User, entry_id) -> GlossaryEntry:
    """The entry, after checking the caller may change its glossary (`not_found`, `forbidden`)."""
    entry = db.session.get(GlossaryEntry, entry_id) if isinstance(entry_id, int) else None
    if entry is None:
        raise DialogueError("not_found")
    permissions.require_edit_glossary(user, _session(entry.session_id))
    return entry


def edit_entry(user: User, entry_id: int, raw) -> GlossaryEntry:
    """Change an entry's concept, note, forms and agreed forms (all of them at once)."""
    editable_entry(user, entry_id)  # who may, before what they sent
    fields = clean_entry(raw)
    with _entry_write(user, entry_id) as entry:
        for name, value in fields.items():
            setattr(entry, name, value)
        entry.updated_at = utcnow()
        _audit(entry.session_id, user, "glossary_edit", entry, concept=entry.concept)
        db.session.commit()
        return entry


def delete_entry(user: User, entry_id: int) -> str | None:
    """Take an entry out of its glossary; returns the glossary's session id (None: the
    platform's list)."""
    with _entry_write(user, entry_id) as entry:
        session_id = entry.session_id
        _audit(session_id, user, "glossary_delete", entry, concept=entry.concept)
        db.session.delete(entry)
        db.session.commit()
        return session_id


def move_entry(user: User, entry_id: int, direction: str) -> GlossaryEntry:
    """Move an entry one place up or down in its glossary."""
    if direction not in ("up", "down"):
        raise DialogueError("invalid")
    with _entry_write(user, entry_id) as entry:
        ordered = entries(entry.session_id)
        index = next(i for i, e in enumerate(ordered) if e.id == entry.id)
        other = index - 1 if direction == "up" else index + 1
        if 0 <= other < len(ordered):
            ordered[index], ordered[other] = ordered[other], ordered[index]
            for position, item in enumerate(ordered):
                item.position = position
        db.session.commit()
        return entry


def copy_platform_list(session: DialogueSession, user: User | None = None) -> int:
    """Copy the platform's list into a session's glossary, in the caller's transaction
    (session creation calls it; it checks no permission and does not commit)."""
    copied = 0
    for source in entries(None):
        db.session.add(GlossaryEntry(session_id=session.id, concept=source.concept, note=source.note,
                                     forms=source.forms, neutral=source.neutral, position=source.position,
                                     created_by_id=user.id if user else None))
        copied += 1
    return copied


def start_from_platform(user: User, session_id) -> int:
    """A session without a glossary (created before the platform had a list) starts from the
    platform's list; a session that has entries already is a `conflict`."""
    with session_write(session_id) as session:
        permissions.require_edit_glossary(user, session)
        if entries(session.id):
            raise DialogueError("conflict", _("This glossary has entries already."))
        copied = copy_platform_list(session, user)
        db.session.commit()
    return copied


# --- the starter list ----------------------------------------------------------------------

STARTER_COLUMNS = ("concept", "lies_in", "note", *(f"{side}_{lang}" for side in SIDES for lang in LANGUAGES),
                   *(f"neutral_{lang}" for lang in LANGUAGES))


def starter_rows() -> list[dict]:
    """The starter list shipped with the platform (starter_glossary.csv, next to this module),
    each row with `lies_in` ("a", "b", or "" for both) and the entry's fields."""
    lines = [line for line in STARTER_FILE.read_text(encoding="utf-8").splitlines()
             if line.strip() and not line.startswith("#")]
    reader = csv.DictReader(lines)
    if tuple(reader.fieldnames or ()) != STARTER_COLUMNS:
        raise ValueError(f"{STARTER_FILE.name}: the header must be {','.join(STARTER_COLUMNS)}")
    rows = []
    for cells in reader:
        fields = clean_entry({
            "concept": cells["concept"], "note": cells["note"],
            "forms": {side: {lang: cells[f"{side}_{lang}"] for lang in LANGUAGES} for side in SIDES},
            "neutral": {lang: cells[f"neutral_{lang}"] for lang in LANGUAGES}})
        rows.append({"lies_in": cells["lies_in"].strip(), **fields})
    return rows


def _marks() -> list[int]:
    return list(db.session.scalars(select(AuditEntry.id).where(AuditEntry.action == STARTER_MARK)
                                   .order_by(AuditEntry.id)))


def ensure_starter_glossary() -> int:
    """Load the shipped starter list into the platform's list once per database (never
    again, even if admins emptied it); returns how many entries were added.

    Processes starting together: on PostgreSQL an advisory lock orders them; on SQLite,
    whose writers take turns, a process that finds an earlier load than its own after
    committing takes its own entries back."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(select(func.pg_advisory_xact_lock(STARTER_LOCK)))
    if _marks():
        db.session.commit()
        return 0
    start = _next_position(None)
    rows = starter_rows()
    added = [GlossaryEntry(session_id=None, position=start + offset, concept=row["concept"], note=row["note"],
                           forms=row["forms"], neutral=row["neutral"]) for offset, row in enumerate(rows)]
    db.session.add_all(added)
    mark = AuditEntry(session_id=None, actor_id=None, action=STARTER_MARK, target_type="glossary",
                      details={"added": len(rows)})
    db.session.add(mark)
    db.session.commit()
    if _marks()[0] != mark.id:
        for entry in added:  # the audit log keeps both marks: it is append-only
            db.session.delete(entry)
        db.session.commit()
        return 0
    return len(rows)
