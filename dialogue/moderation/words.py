"""The watched-words list: adding, removing, importing and exporting terms, and the starter
list loaded once per database."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from .. import permissions
from ..errors import DialogueError
from ..extensions import db
from ..models import (
    AuditEntry,
    User,
    WatchedWord,
)
from .audit import audit
from .matcher import ACTIONS, LANGUAGES, Term, normalise_term
from .wordlist import CsvError, parse_csv, starter_terms, to_csv


def add_word(user: User | None, term: str, action: str = "hold", language: str | None = None,
             whole_word: bool = True) -> WatchedWord:
    """Add a watched word (admins and platform moderators; user None is the operator's CLI)."""
    if user is not None and not permissions.can_manage_words(user):
        raise DialogueError("forbidden")
    if action not in ACTIONS:
        raise DialogueError("invalid", _("action must be one of: %(a)s.", a=", ".join(ACTIONS)), field="action")
    if language not in LANGUAGES and language is not None:
        raise DialogueError("invalid", _("language must be one of: %(l)s.", l=", ".join(LANGUAGES)), field="language")
    term = (term or "").strip()
    try:
        key = normalise_term(term)
    except ValueError:
        raise DialogueError("invalid", _("That term has no letters to match."), field="term") from None
    if len(term) > 200:
        raise DialogueError("too_long", field="term")
    word = _insert_word(user, term, key, action, language, whole_word)
    audit(None, user.id if user else None, "word_add", target_type="word", target_id=term[:64], term=term,
          action_on_match=action, language=language, whole_word=whole_word)
    db.session.commit()
    return word


def remove_word(user: User | None, word_id: int) -> None:
    """Take a term off the watched-words list."""
    if user is not None and not permissions.can_manage_words(user):
        raise DialogueError("forbidden")
    word = db.session.get(WatchedWord, word_id)
    if word is None:
        raise DialogueError("not_found")
    audit(None, user.id if user else None, "word_remove", target_type="word", target_id=word.term[:64], term=word.term)
    db.session.delete(word)
    db.session.commit()


def import_words(user: User | None, text: str) -> int:
    """Import a CSV of terms, all or nothing: a bad line refuses the file, naming the line."""
    if user is not None and not permissions.can_manage_words(user):
        raise DialogueError("forbidden")
    try:
        terms = parse_csv(text)
    except CsvError as error:
        raise DialogueError("invalid", _("Line %(line)d: %(problem)s", line=error.line_number,
                                         problem=error.message), line=error.line_number) from None
    added = 0
    for term in terms:
        try:
            add_word_no_commit(user, term)
            added += 1
        except DialogueError as error:
            if error.code != "conflict":
                db.session.rollback()
                raise
    audit(None, user.id if user else None, "word_import", target_type="word", added=added, lines=len(terms))
    db.session.commit()
    return added


def add_word_no_commit(user: User | None, term) -> None:
    """Add one parsed term inside the caller's transaction (imports are all or nothing)."""
    _insert_word(user, term.term, normalise_term(term.term), term.action, term.language, term.whole_word)


def _insert_word(user: User | None, term: str, key: str, action: str, language: str | None,
                 whole_word: bool) -> WatchedWord:
    """Add a term in the current transaction; `conflict` if its folded form is already listed."""
    exists = db.session.scalar(select(WatchedWord.id).where(WatchedWord.key == key, WatchedWord.language == language,
                                                            WatchedWord.whole_word == whole_word))
    if exists is not None:
        raise DialogueError("conflict", _("That term is already on the list."), field="term")
    word = WatchedWord(term=term, key=key, action=action, language=language, whole_word=whole_word,
                       created_by_id=user.id if user else None)
    db.session.add(word)
    db.session.flush()
    return word


def export_words() -> str:
    """The watched-words list as CSV, in the import format."""
    words = db.session.scalars(select(WatchedWord).order_by(WatchedWord.language, WatchedWord.term)).all()
    return to_csv([Term(w.id, w.term, w.action, w.language, w.whole_word) for w in words])


def words() -> list[WatchedWord]:
    """Every watched word, by language and term."""
    return list(db.session.scalars(select(WatchedWord).order_by(WatchedWord.language, WatchedWord.term)))


STARTER_MARK = "word_starter"


def ensure_starter_words() -> int:
    """Load the shipped starter list once per database (never again, even if emptied)."""
    if db.session.scalar(select(AuditEntry.id).where(AuditEntry.action == STARTER_MARK).limit(1)) is not None:
        return 0
    added = import_words(None, to_csv(starter_terms()))
    audit(None, None, STARTER_MARK, target_type="word", added=added)
    db.session.commit()
    return added
