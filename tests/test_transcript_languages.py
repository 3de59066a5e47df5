"""A transcript a member downloads speaks the member's interface language: its headings and
labels in Markdown, text and HTML; the JSON record keeps its English keys (a machine format)."""

from __future__ import annotations

import json
import uuid

import pytest

from dialogue.auth import accounts
from dialogue.extensions import db
from dialogue.models import User
from dialogue.room import messages
from dialogue.transcripts import publishing

from .conftest import queueless
from .factories import gen_room
from .page_text import segments
from .test_languages import (
    compiled,  # noqa: F401  (the fixture: the catalogs compiled)
    translation,
)

LANGUAGES = ("hy", "az", "ru")
HEADINGS = ("Participation", "Integrity")
LABELS = ("Started", "Duration", "Attribution", "Participants' version", "Messages")


@pytest.fixture(scope="module")
def app(app):
    with queueless(app) as other:
        yield other


@pytest.fixture(scope="module")
def room(app):
    with app.app_context():
        room = gen_room(participants=2)
        for person in room.participants:
            messages.send_message(person.user, room.id, uuid.uuid4().hex, "Zqhello zqthere")
        publishing.publish(room.facilitator.user, room.id, "side")
        found = {"id": room.id, "people": [(p.user.id, p.token) for p in room.participants]}
        db.session.remove()
    return found


def _transcript(app, room, fmt: str, language: str, by_account: bool) -> str:
    """The transcript in `fmt` for a participant whose language is `language`, chosen in the
    account (a token client has nothing else) or by the browser's Accept-Language."""
    user_id, token = room["people"][0]
    with app.app_context():
        accounts.set_locale(db.session.get(User, user_id), language if by_account else None)
        db.session.remove()
    headers = {"Authorization": f"Bearer {token}"}
    if not by_account:
        headers["Accept-Language"] = language
    response = app.test_client().get(f"/api/sessions/{room['id']}/transcript?format={fmt}", headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return response.get_data(as_text=True)


@pytest.mark.parametrize("by_account", [True, False], ids=["account", "accept-language"])
@pytest.mark.parametrize("language", LANGUAGES)
def test_markdown_and_text_headings_are_in_the_members_language(app, room, language, by_account):
    markdown = _transcript(app, room, "md", language, by_account)
    text = _transcript(app, room, "txt", language, by_account)
    for heading in HEADINGS:
        assert f"## {translation(language, heading)}\n" in markdown
        assert f"## {heading}\n" not in markdown
        assert translation(language, heading) in text and f"\n{heading}\n" not in text
    for label in LABELS:
        assert translation(language, label) in markdown and label not in markdown
    assert "## Participation\n" in _transcript(app, room, "md", "en", by_account)


@pytest.mark.parametrize("by_account", [True, False], ids=["account", "accept-language"])
@pytest.mark.parametrize("language", LANGUAGES)
def test_html_headings_are_in_the_members_language(app, room, language, by_account):
    page = _transcript(app, room, "html", language, by_account)
    shown = "\n".join(text for _kind, text in segments(page))
    assert f'<html lang="{language}" dir="ltr">' in page
    for source in HEADINGS + LABELS:
        assert translation(language, source) in shown, source
        assert source not in shown, source


def test_the_json_record_keeps_its_keys_in_every_language(app, room):
    def keys(value, path=""):
        if isinstance(value, dict):
            return {path + "." + key for key in value} | {k for key, item in value.items()
                                                         for k in keys(item, path + "." + key)}
        if isinstance(value, list):
            return set().union(*(keys(item, path + "[]") for item in value)) if value else set()
        return set()

    english = keys(json.loads(_transcript(app, room, "json", "en", True)))
    for language in LANGUAGES:
        assert keys(json.loads(_transcript(app, room, "json", language, True))) == english
