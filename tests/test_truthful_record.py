"""The record says what happened to every message: held and never decided, rejected by a
moderator, hidden after flags, redacted, or deleted by its author, in each version of the
transcript (participants', staff), each format (JSON, Markdown, text, HTML), the public page
and the statistics. Nothing nobody decided on is called removed."""

from __future__ import annotations

import html
import re
import uuid

import pytest

from dialogue.extensions import db
from dialogue.facilitation import control as session_controls
from dialogue.moderation import decisions, flags
from dialogue.moderation import queue as review_queue
from dialogue.record import verify
from dialogue.room import messages
from dialogue.transcripts import build as transcript_build
from dialogue.transcripts import publishing
from dialogue.transcripts.formats import to_html, to_markdown, to_text
from dialogue.transcripts.layout import statistics

from .factories import gen_room
from .test_auth import sign_in

TEXTS = {
    "visible": "We all remember the river in spring.",
    "held": "I am waiting for a moderator to read this.",
    "rejected": "A moderator rejected these words.",
    "hidden": "Two members flagged these words.",
    "redacted": "My neighbour lives at Nizami street 7.",
    "deleted": "I posted this by mistake and took it back.",
}
# The marker each left-out message carries in every readable format, and the staff version's
# note on each message it shows with a status.
MARKERS = {
    "rejected": "A message was rejected by a moderator",
    "hidden": "A message was hidden after members flagged it; no moderator has decided on it",
    "redacted": "A message was redacted by a moderator: its text is kept nowhere",
    "deleted": "A message was deleted by its author",
}
STAFF_NOTES = {
    "held": "held for review, never decided",
    "rejected": "rejected by a moderator",
    "hidden": "hidden after flags, not decided by a moderator",
}
NOTES = {
    "held": "1 message was held for review and never decided; it was never shown.",
    "rejected": "1 message was rejected by a moderator.",
    "hidden": "1 message was hidden after members flagged it.",
    "redacted": "1 message was redacted by a moderator.",
    "deleted": "1 message was deleted by its author.",
}
REMOVED = "removed by moderators"
FORMATS = {"md": to_markdown, "txt": to_text, "html": to_html}


def say(person, room, text):
    message, _created = messages.send_message(person.user, room.id, uuid.uuid4().hex, text)
    return message


@pytest.fixture
def fates(ctx):
    """An ended session with one message of each fate, the held one still waiting in the queue."""
    room = gen_room(participants=4)
    a, b, c, d = room.participants
    session = room.session
    sent = {"visible": say(a, room, TEXTS["visible"])}
    session.moderation_mode = "pre"
    db.session.commit()
    sent["held"] = say(b, room, TEXTS["held"])
    session.moderation_mode, session.flag_threshold = "post", 2
    db.session.commit()
    assert sent["held"].status == "held"
    sent["rejected"] = say(c, room, TEXTS["rejected"])
    decisions.act_on_message(room.moderator.user, sent["rejected"].id, "hide", "Off topic")
    sent["hidden"] = say(d, room, TEXTS["hidden"])
    flags.flag(a.user, sent["hidden"].id, "personal_attack")
    flags.flag(b.user, sent["hidden"].id, "personal_attack")
    sent["redacted"] = say(a, room, TEXTS["redacted"])
    item = review_queue.enqueue(session, sent["redacted"], [{"kind": "identifying_info"}], None)
    decisions.decide(room.moderator.user, item.id, "redact", "Identifies a person")
    sent["deleted"] = say(b, room, TEXTS["deleted"])
    messages.delete_message(b.user, sent["deleted"].id)
    session_controls.control(room.facilitator.user, room.id, "end")
    db.session.refresh(session)
    statuses = {fate: db.session.get(type(m), m.id).status for fate, m in sent.items()}
    assert statuses == {"visible": "visible", "held": "held", "rejected": "hidden", "hidden": "hidden",
                        "redacted": "redacted", "deleted": "deleted"}
    return room, sent


def plain(fmt: str, output: str) -> str:
    """What a reader sees: tags and Markdown escapes gone, lines joined."""
    if fmt == "html":
        output = html.unescape(re.sub(r"<[^>]+>", " ", output))
    elif fmt == "md":
        output = re.sub(r"\\(.)", r"\1", output)
    return " ".join(output.split())


@pytest.mark.parametrize("attribution", ["pseudonym", "side", "none"])
def test_the_participants_version_says_what_happened(fates, attribution):
    room, sent = fates
    document = transcript_build.build(room.session, attribution=attribution)
    entries = {m["id"]: m for m in document["messages"]}
    assert "text" in entries[sent["visible"].id]
    assert entries[sent["held"].id] == {"id": sent["held"].id, "left_out": "undecided", "fate": "held"}
    for fate in ("rejected", "hidden", "redacted"):
        assert entries[sent[fate].id] == {"id": sent[fate].id, "left_out": "moderation", "fate": fate}
    assert entries[sent["deleted"].id] == {"id": sent["deleted"].id, "left_out": "deleted", "fate": "deleted"}
    assert document["left_out"] == {"consent": 0, "moderation": 3, "undecided": 1, "deleted": 1}
    ok, summary = verify(document)
    assert ok, summary
    for fmt, render in FORMATS.items():
        output = plain(fmt, render(document))
        for fate, text in TEXTS.items():
            assert (text in output) == (fate == "visible"), (fmt, fate)
        for fate, marker in MARKERS.items():
            assert output.count(marker) == 1, (fmt, fate)
        for note in NOTES.values():
            assert note in output, (fmt, note)
        # The held message nobody decided on stands nowhere in the conversation, and nothing
        # calls it (or anything else nobody decided on) removed.
        assert "A message was held for review" not in output, fmt
        assert REMOVED not in output, fmt
        assert "held for review, never shown" not in output, fmt


def test_the_staff_version_shows_what_was_held_rejected_and_hidden(fates):
    room, sent = fates
    document = transcript_build.build(room.session, version="staff", attribution="named")
    entries = {m["id"]: m for m in document["messages"]}
    for fate in ("held", "rejected", "hidden"):
        entry = entries[sent[fate].id]
        assert entry["fate"] == fate and entry["text"] == TEXTS[fate] and "left_out" not in entry, fate
    assert entries[sent["held"].id]["status"] == "held"
    assert entries[sent["rejected"].id]["status"] == entries[sent["hidden"].id]["status"] == "hidden"
    assert entries[sent["redacted"].id] == {"id": sent["redacted"].id, "left_out": "moderation",
                                            "fate": "redacted", "status": "redacted"}
    assert entries[sent["deleted"].id] == {"id": sent["deleted"].id, "left_out": "deleted",
                                           "fate": "deleted", "status": "deleted"}
    # A deleted message's text is gone: the staff version verifies, with nothing in its place.
    ok, summary = verify(document)
    assert ok, summary
    for fmt, render in FORMATS.items():
        output = plain(fmt, render(document))
        for fate in ("visible", "held", "rejected", "hidden"):
            assert TEXTS[fate] in output, (fmt, fate)
        for fate in ("redacted", "deleted"):
            assert TEXTS[fate] not in output and output.count(MARKERS[fate]) == 1, (fmt, fate)
        for fate, note in STAFF_NOTES.items():
            assert note in output, (fmt, fate)
        assert "Left out: redacted: its text is kept nowhere" in output, fmt
        assert "Left out: deleted by its author" in output, fmt
        assert REMOVED not in output, fmt


def test_the_statistics_count_each_fate(fates):
    room, _sent = fates
    participants = statistics(transcript_build.build(room.session))
    assert participants["messages"]["total"] == 1
    assert participants["left_out"] == {"consent": 0, "moderation": 3, "undecided": 1, "deleted": 1}
    assert participants["left_out_fates"] == {"held": 1, "rejected": 1, "hidden": 1, "redacted": 1, "deleted": 1}
    assert participants["shown_with_status"] == {}
    staff = statistics(transcript_build.build(room.session, version="staff"))
    assert staff["messages"]["total"] == 4  # the visible one and the three shown with a status
    assert staff["shown_with_status"] == {"held": 1, "rejected": 1, "hidden": 1}
    assert staff["left_out_fates"] == {"redacted": 1, "deleted": 1}


def test_a_document_without_fates_still_reads(fates):
    """A transcript saved before fates were recorded names only statuses: it still renders."""
    room, sent = fates
    document = transcript_build.build(room.session, version="staff")
    for entry in document["messages"]:
        entry.pop("fate", None)
    output = plain("txt", to_text(document))
    assert "held for review, never decided" in output
    assert TEXTS["rejected"] in output and TEXTS["hidden"] in output


def test_the_public_page_says_what_happened(fates, app):
    room, _sent = fates
    publishing.publish(room.facilitator.user, room.id, "side", public=True)
    client = app.test_client()
    page = client.get(f"/t/{room.id}")
    assert page.status_code == 200
    output = plain("html", page.get_data(as_text=True))
    assert TEXTS["visible"] in output and REMOVED not in output
    for note in NOTES.values():
        assert note in output
    for fate, text in TEXTS.items():
        assert (text in output) == (fate == "visible"), fate
    # The members' download of the same version agrees.
    member = app.test_client()
    sign_in(member, room.participants[0].user.email)
    download = member.get(f"/api/sessions/{room.id}/transcript?format=txt&attribution=side")
    assert download.status_code == 200
    assert plain("txt", download.get_data(as_text=True)).count(MARKERS["deleted"]) == 1
