"""Transcripts: attribution under consent, moderation applied, and the integrity chain that
`dialogue transcript verify` checks offline."""
from __future__ import annotations

import copy
import html
import json
import re
import uuid

import pytest

from dialogue.errors import DialogueError
from dialogue.extensions import db
from dialogue.facilitation import consent
from dialogue.moderation import decisions
from dialogue.moderation import queue as review_queue
from dialogue.room import messages
from dialogue.transcripts import build as transcript_build
from dialogue.transcripts import publishing

from .factories import gen_room, gen_token
from .test_auth import sign_in


def say(person, room, text):
    message, _created = messages.send_message(person.user, room.id, uuid.uuid4().hex, text)
    return message


@pytest.fixture
def dialogue(ctx):
    """A session with four participants whose consent differs, and some moderation."""
    room = gen_room(participants=4)
    a, b, c, d = room.participants
    consent.record_consent(b.user, room.id, "side", True)
    consent.record_consent(c.user, room.id, "named", True)
    first = say(a, room, "I grew up near the border.")
    say(b, room, "So did I, on the other side of it.")
    say(c, room, "My name is on the record, and I want it there.")
    say(d, room, "I may change my mind about being quoted.")
    hidden = say(a, room, "This one will be hidden.")
    item = review_queue.enqueue(room.session, hidden, [{"kind": "premoderation"}], None)
    decisions.decide(room.moderator.user, item.id, "reject", "Off topic")
    secret = say(b, room, "The secret street is Kastanayan 14.")
    item = review_queue.enqueue(room.session, secret, [{"kind": "identifying_info"}], None)
    decisions.decide(room.moderator.user, item.id, "redact", "Identifies a person")
    consent.record_consent(d.user, room.id, "pseudonym", False)  # withdrawn mid-session
    return room, first, hidden, secret


def export(room, **options):
    return transcript_build.build(room.session, **options)


@pytest.mark.parametrize("attribution", transcript_build.ATTRIBUTIONS)
def test_attribution_follows_the_most_private_choice(dialogue, attribution):
    room, *_ = dialogue
    a, b, c, d = room.participants
    document = export(room, attribution=attribution)
    by_text = {m["text"]: m for m in document["messages"] if "text" in m}
    expected = {
        "named": [a.name, "Participant from Azerbaijan 1", c.user.real_name],
        "pseudonym": [a.name, "Participant from Azerbaijan 1", c.name],
        "side": ["Participant from Armenia 1", "Participant from Azerbaijan 1", "Participant from Armenia 2"],
        "none": [None, None, None],
    }[attribution]
    texts = ["I grew up near the border.", "So did I, on the other side of it.",
             "My name is on the record, and I want it there."]
    for person, author, text in zip((a, b, c), expected, texts, strict=True):
        entry = by_text[text]
        assert entry.get("author") == author, (attribution, person.name)
        assert entry.get("side") == (None if attribution == "none" else
                                     room.session.side_label(person.membership.side))
    # The member who withdrew is left out entirely, and counted.
    assert "I may change my mind about being quoted." not in json.dumps(document, ensure_ascii=False)
    assert document["left_out"] == {"consent": 1, "moderation": 2, "undecided": 0, "deleted": 0}
    raw = json.dumps(document, ensure_ascii=False)
    for person in (a, b, d):
        assert person.user.real_name not in raw and person.user.email not in raw
    assert (c.user.real_name in raw) == (attribution == "named")
    assert c.user.email not in raw


def test_moderation_is_applied_and_redacted_text_appears_nowhere(dialogue):
    room, _first, hidden, secret = dialogue
    participants = export(room)
    staff = export(room, version="staff", attribution="named")
    left = {m["id"]: m for m in participants["messages"] if "left_out" in m}
    assert left[hidden.id] == {"id": hidden.id, "left_out": "moderation", "fate": "rejected"}
    assert left[secret.id] == {"id": secret.id, "left_out": "moderation", "fate": "redacted"}
    staff_hidden = next(m for m in staff["messages"] if m["id"] == hidden.id)
    assert staff_hidden["status"] == "hidden" and staff_hidden["text"] == "This one will be hidden."
    assert staff_hidden["fate"] == "rejected"
    for document in (participants, staff):
        assert "Kastanayan" not in json.dumps(document, ensure_ascii=False)
    assert staff["moderation"]["reject"] == 1 and staff["moderation"]["redact"] == 1


def _tampered(document, change):
    copied = copy.deepcopy(document)
    change(copied)
    return copied


def test_verify_passes_untouched_and_after_a_redaction(dialogue):
    room, *_ = dialogue
    from dialogue.record import verify

    ok, summary = verify(export(room))
    assert ok, summary
    ok, summary = verify(export(room, version="staff", attribution="named"))
    assert ok, summary


def test_verify_names_the_first_broken_entry(dialogue):
    room, first, *_ = dialogue
    from dialogue.record import verify

    document = json.loads(json.dumps(export(room)))
    visible = [m for m in document["messages"] if "text" in m]

    def change_word(d):
        entry = next(m for m in d["messages"] if m["id"] == first.id)
        entry["text"] = entry["text"].replace("border", "river")

    def remove_message(d):
        d["messages"] = [m for m in d["messages"] if m["id"] != visible[1]["id"]]

    def swap_messages(d):
        i = d["messages"].index(next(m for m in d["messages"] if m["id"] == visible[0]["id"]))
        j = d["messages"].index(next(m for m in d["messages"] if m["id"] == visible[1]["id"]))
        d["messages"][i], d["messages"][j] = d["messages"][j], d["messages"][i]

    def change_digest(d):
        d["final_digest"] = "f" * 64

    def change_chain(d):
        d["chain"][1]["payload"]["member"] = 999

    def cut_chain(d):
        del d["chain"][2]

    def change_html(d):
        next(m for m in d["messages"] if m["id"] == first.id)["html"] = "<p>Something else entirely.</p>"

    def change_time(d):
        next(m for m in d["messages"] if m["id"] == first.id)["created_at"] = "2020-01-01T00:00:00.000Z"

    cases = [(change_word, f"message {first.id}: its text was changed"),
             (change_html, f"message {first.id}: its HTML does not match"),
             (change_time, f"message {first.id}: its created_at was changed"),
             (remove_message, f"message {visible[1]['id']}: it was removed"),
             (swap_messages, "out of order"),
             (change_digest, "final digest"),
             (change_chain, "chain entry 2: its content was changed"),
             (cut_chain, "chain entry 3")]
    for change, expected in cases:
        ok, summary = verify(_tampered(document, change))
        assert not ok and expected in summary, (change.__name__, summary)


def test_verify_command(dialogue, app, tmp_path):
    room, first, *_ = dialogue
    runner = app.test_cli_runner()
    good = tmp_path / "good.json"
    good.write_text(json.dumps(export(room)), encoding="utf-8")
    result = runner.invoke(args=["transcript", "verify", str(good)])
    assert result.exit_code == 0 and "OK intact" in result.output
    document = json.loads(good.read_text())
    next(m for m in document["messages"] if m["id"] == first.id)["text"] += "!"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(document), encoding="utf-8")
    result = runner.invoke(args=["transcript", "verify", str(bad)])
    assert result.exit_code == 1 and f"message {first.id}" in result.output
    for name, content in (("notes.txt", "just some notes"), ("other.json", '{"hello": "world"}'), ("list.json", "[1, 2]")):
        path = tmp_path / name
        path.write_text(content, encoding="utf-8")
        result = runner.invoke(args=["transcript", "verify", str(path)])
        assert result.exit_code == 2 and "Not a transcript" in result.output and "Traceback" not in result.output
    exported = runner.invoke(args=["transcript", "export", room.id, "--attribution", "side"])
    assert exported.exit_code == 0 and json.loads(exported.output)["attribution"] == "side"


def test_transcript_over_http(dialogue, app):
    room, *_ = dialogue
    participant = app.test_client()
    sign_in(participant, room.participants[0].user.email)
    assert participant.get(f"/api/sessions/{room.id}/transcript").status_code == 403, "not published yet"
    mine = participant.get(f"/api/sessions/{room.id}/my-messages").get_json()
    assert [m["text"] for m in mine["messages"]] == ["I grew up near the border.", "This one will be hidden."]
    published = publishing.publish(room.facilitator.user, room.id, "side", public=True)
    assert published.published_digest == export(room)["final_digest"]
    with pytest.raises(DialogueError):
        publishing.publish(room.facilitator.user, room.id, "named", public=True)
    response = participant.get(f"/api/sessions/{room.id}/transcript?format=json&attribution=side")
    assert response.status_code == 200 and response.get_json()["attribution"] == "side"
    # Published as `side`: asking for more names gets the published attribution, more privacy is granted.
    for asked, got in (("named", "side"), ("pseudonym", "side"), ("none", "none")):
        for fmt in ("json", "md", "txt", "html"):
            response = participant.get(f"/api/sessions/{room.id}/transcript?format={fmt}&attribution={asked}")
            assert response.status_code == 200, (asked, fmt)
            body = response.get_data(as_text=True)
            assert all(p.user.real_name not in body and p.name not in body for p in room.participants), (asked, fmt)
        answer = participant.get(f"/api/sessions/{room.id}/transcript?format=json&attribution={asked}").get_json()
        assert answer["attribution"] == got
    assert participant.get(f"/api/sessions/{room.id}/transcript?version=staff").status_code == 403
    bad = participant.get(f"/api/sessions/{room.id}/transcript?format=pdf")
    assert bad.status_code == 400 and "json" in bad.get_json()["error"]["message"]
    bad = participant.get(f"/api/sessions/{room.id}/transcript?attribution=famous")
    assert bad.status_code == 400 and "pseudonym" in bad.get_json()["error"]["message"]
    token = gen_token(room.facilitator.user)
    staff = app.test_client().get(f"/api/sessions/{room.id}/transcript?version=staff",
                                  headers={"Authorization": f"Bearer {token}"})
    assert staff.status_code == 200 and staff.get_json()["version"] == "staff"
    assert app.test_client().get(f"/api/sessions/{room.id}/transcript").status_code == 401
    outsider = app.test_client()
    sign_in(outsider, room.outsider.user.email)
    assert outsider.get(f"/api/sessions/{room.id}/transcript").status_code == 403


def test_the_streamed_export_is_the_built_document(dialogue):
    room, *_ = dialogue
    for version in transcript_build.VERSIONS:
        streamed = json.loads("".join(transcript_build.stream_json(room.session, attribution="side", version=version)))
        built = export(room, attribution="side", version=version)
        streamed.pop("generated_at"), built.pop("generated_at")
        assert streamed == built


def test_every_format_over_http_and_the_public_page(dialogue, app):
    room, *_ = dialogue
    host = app.test_client()
    sign_in(host, room.facilitator.user.email)
    for fmt, mimetype in (("md", "text/markdown"), ("txt", "text/plain"), ("html", "text/html")):
        response = host.get(f"/api/sessions/{room.id}/transcript?format={fmt}&attribution=side")
        assert response.status_code == 200 and response.mimetype == mimetype, fmt
        body = response.get_data(as_text=True)
        assert "I grew up near the border." in body and export(room)["final_digest"] in body
    visitor = app.test_client()
    assert visitor.get(f"/t/{room.id}").status_code == 404, "not published as public"
    publishing.publish(room.facilitator.user, room.id, "side", public=False)
    assert visitor.get(f"/t/{room.id}").status_code == 404, "published to members only"
    publishing.publish(room.facilitator.user, room.id, "none", public=True)
    page = visitor.get(f"/t/{room.id}")
    assert page.status_code == 200 and page.mimetype == "text/html"
    text = page.get_data(as_text=True)
    assert "I grew up near the border." in text
    for person in room.participants:
        assert person.user.real_name not in text and person.name not in text and person.user.email not in text


def test_preface_summary_and_a_streamed_response(dialogue, app):
    room, *_ = dialogue
    from .test_auth import post_form

    host = app.test_client()
    sign_in(host, room.facilitator.user.email)
    manage = f"/sessions/{room.id}/manage"
    assert post_form(host, f"/sessions/{room.id}/transcript-texts",
                     {"preface": "Held in autumn 2026.", "summary": "Both sides asked to meet again."},
                     form_page=manage).status_code == 302
    response = host.get(f"/api/sessions/{room.id}/transcript?format=json")
    assert response.is_streamed, "the response starts before the whole document is built"
    document = json.loads(response.get_data(as_text=True))
    assert document["session"]["preface"] == "Held in autumn 2026."
    assert document["session"]["summary"] == "Both sides asked to meet again."
    html = host.get(f"/api/sessions/{room.id}/transcript?format=html").get_data(as_text=True)
    assert "Held in autumn 2026." in html and "Both sides asked to meet again." in html
    participant = app.test_client()
    sign_in(participant, room.participants[0].user.email)
    refused = post_form(participant, f"/sessions/{room.id}/transcript-texts", {"preface": "x", "summary": "y"},
                        form_page="/settings")
    assert refused.status_code == 403


def test_the_manage_page_offers_every_format_and_version_and_says_what_was_published(dialogue, app):
    from html.parser import HTMLParser

    from .test_auth import post_form

    class Links(HTMLParser):
        def __init__(self):
            super().__init__()
            self.hrefs, self.selected, self.checked, self.inside = [], {}, set(), None

        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            if tag == "table" and attrs.get("id") == "transcript-downloads":
                self.inside = "table"
            elif tag == "a" and self.inside == "table":
                self.hrefs.append(attrs["href"])
            elif tag == "select":
                self.inside = attrs.get("id")
            elif tag == "option" and "selected" in attrs:
                self.selected[self.inside] = attrs["value"]
            elif tag == "input" and "checked" in attrs:
                self.checked.add(attrs.get("name"))
            elif tag == "a" and attrs.get("id") == "public-transcript-link":
                self.hrefs.append(("public", attrs["href"]))

        def handle_endtag(self, tag):
            if tag in ("table", "select"):
                self.inside = None

    room, *_ = dialogue
    host = app.test_client()
    sign_in(host, room.facilitator.user.email)
    manage = f"/sessions/{room.id}/manage"
    page = Links()
    page.feed(host.get(manage).get_data(as_text=True))
    assert "published-transcript" not in host.get(manage).get_data(as_text=True)
    # One link per version and format, each a download that arrives as its format.
    assert len(page.hrefs) == len(transcript_build.VERSIONS) * len(transcript_build.FORMATS) == 8
    seen = set()
    for href in page.hrefs:
        response = host.get(href)
        assert response.status_code == 200, href
        assert response.headers["Content-Disposition"].startswith("attachment;"), href
        query = dict(part.split("=") for part in href.split("?", 1)[1].split("&"))
        seen.add((query["version"], query["format"]))
        if query["format"] == "json":
            assert json.loads(response.get_data(as_text=True))["version"] == query["version"]
    assert seen == {(v, f) for v in transcript_build.VERSIONS for f in transcript_build.FORMATS}
    # The participant has no published transcript yet, so no link in the room.
    participant = app.test_client()
    sign_in(participant, room.participants[0].user.email)
    assert 'id="published-transcript-link"' not in participant.get(f"/s/{room.id}").get_data(as_text=True)
    assert post_form(host, f"/sessions/{room.id}/publish", {"attribution": "side", "public": "y"},
                     form_page=manage).status_code == 302
    text = host.get(manage).get_data(as_text=True)
    page = Links()
    page.feed(text)
    assert page.selected["publish-attribution"] == "side" and "public" in page.checked  # remembered
    db.session.expire_all()
    assert "Only by side" in text and room.session.published_digest in text
    assert "the participants’ version" in text or "the participants' version" in text
    public = [href for href in page.hrefs if isinstance(href, tuple)]
    assert public == [("public", f"/t/{room.id}")]
    assert app.test_client().get(f"/t/{room.id}").status_code == 200
    assert f"http://localhost/t/{room.id}" in text  # the address to hand out, in full
    # Members now find the published version in the room, named as it was published.
    room_page = participant.get(f"/s/{room.id}").get_data(as_text=True)
    link = re.search(r'id="published-transcript-link"[^>]*href="([^"]+)"', room_page) or \
        re.search(r'href="([^"]+)"[^>]*id="published-transcript-link"', room_page)
    assert link, "the room links the published transcript"
    download = participant.get(html.unescape(link[1]))
    assert download.status_code == 200 and "attribution=side" in html.unescape(link[1])
    assert room.participants[0].name not in download.get_data(as_text=True)
