"""Transcripts in Markdown, plain text and HTML: the three agree with each other and with the
JSON document on content, statistics match counts made here, and the HTML prints to PDF."""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

import pytest

from dialogue.extensions import db
from dialogue.facilitation import agenda, consent
from dialogue.facilitation import control as session_controls
from dialogue.moderation import decisions
from dialogue.moderation import queue as review_queue
from dialogue.room import messages
from dialogue.transcripts import build as transcript_build
from dialogue.transcripts.formats import to_html, to_markdown, to_text
from dialogue.transcripts.layout import statistics

from .factories import gen_room

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
ZONE = "Asia/Yerevan"  # UTC+4 all year: times differ from UTC, so a UTC time would show
PREFACE = "We met online over two evenings.\n\nEveryone chose how to appear here."
SUMMARY = "People found common ground in what they remember of the border."
CONSENT_MARKER = "A message was left out: its author did not consent to appear"
MODERATION_MARKERS = ("A message was rejected by a moderator",
                      "A message was redacted by a moderator: its text is kept nowhere")


def say(person, room, text, reply_to=None):
    message, _created = messages.send_message(person.user, room.id, uuid.uuid4().hex, text, reply_to=reply_to)
    return message


@pytest.fixture
def dialogue(ctx):
    """A session with an agenda of two phases, messages before and in each phase, replies,
    members whose consent differs (one withdraws), moderation, a preface and a summary."""
    room = gen_room(participants=4)
    a, b, c, d = room.participants
    facilitator = room.facilitator
    agenda.set_agenda(facilitator.user, room.id, [
        {"title": "Opening", "prompt": "What brings you here?"},
        {"title": "Memory", "prompt": "What do you remember of the border?"}])
    consent.record_consent(b.user, room.id, "side", True)
    consent.record_consent(c.user, room.id, "named", True)
    early = say(a, room, "Hello everyone, before we begin.")
    session_controls.control(facilitator.user, room.id, "next_phase")
    border = say(b, room, "I grew up near the border.")
    say(c, room, "So did I, on the other side of it.", reply_to=border.id)
    quoted = say(d, room, "I may change my mind about being quoted.")
    hidden = say(a, room, "This one will be hidden.")
    item = review_queue.enqueue(room.session, hidden, [{"kind": "premoderation"}], None)
    decisions.decide(room.moderator.user, item.id, "reject", "Off topic")
    secret = say(b, room, "The secret street is Kastanayan 14.")
    item = review_queue.enqueue(room.session, secret, [{"kind": "identifying_info"}], None)
    decisions.decide(room.moderator.user, item.id, "redact", "Identifies a person")
    session_controls.control(facilitator.user, room.id, "next_phase")
    thanks = say(a, room, "Thank you for telling us that.", reply_to=border.id)
    later = say(facilitator, room, "We will come back to this point later.", reply_to=quoted.id)
    say(c, room, "Some **bold** words and <script>alert(1)</script> here")
    consent.record_consent(d.user, room.id, "pseudonym", False)  # withdrawn: all of d's words go
    session_controls.control(facilitator.user, room.id, "end")
    session = room.session
    session.time_zone, session.transcript_preface, session.transcript_summary = ZONE, PREFACE, SUMMARY
    db.session.commit()
    return room, {"early": early, "border": border, "quoted": quoted, "hidden": hidden, "secret": secret,
                  "thanks": thanks, "later": later}


def export(room, **options) -> dict:
    document = transcript_build.build(room.session, **options)
    # The renderers read these from the document's session object; fill them in should build()
    # not (yet) carry them.
    session = document["session"]
    session.setdefault("time_zone", room.session.time_zone)
    session.setdefault("preface", room.session.transcript_preface)
    session.setdefault("summary", room.session.transcript_summary)
    return document


def all_formats(document) -> dict[str, str]:
    return {"md": to_markdown(document), "txt": to_text(document), "html": to_html(document)}


# --- reading each format back ------------------------------------------------------------------

def _unescape_md(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def read_markdown(output: str) -> list[dict]:
    """Each message or marker as (id, author, time, reply_to, body) from the Markdown."""
    entries, lines = [], output.split("\n")
    for index, line in enumerate(lines):
        shown = re.match(r'<a id="message-(\d+)"></a>\*\*#(\d+) · (.+?)\*\* · (\d\d:\d\d|\d{4}-\d\d-\d\d \d\d:\d\d)(.*)$', line)
        left = re.match(r'<a id="message-(\d+)"></a>\*\*#(\d+)\*\* · \*(.+)\*$', line)
        if left:
            entries.append({"id": int(left[1]), "marker": _unescape_md(left[3])})
        elif shown:
            reply = re.search(r"\[reply to #(\d+)\]\(#message-(\d+)\)", shown[5])
            body = []
            for following in lines[index + 2:]:
                if not following.startswith(">"):
                    break
                body.append(following[2:].rstrip())
            entries.append({"id": int(shown[1]), "author": _unescape_md(shown[3]), "time": shown[4],
                            "reply_to": int(reply[1]) if reply else None,
                            "reply_link": reply[2] if reply else None, "body": " ".join(body)})
    return entries


def read_text(output: str) -> list[dict]:
    entries, lines = [], output.split("\n")
    for index, line in enumerate(lines):
        left = re.match(r"#(\d+) · \[(.+)\]$", line)
        shown = re.match(r"#(\d+) · (.+?) · (\d\d:\d\d|\d{4}-\d\d-\d\d \d\d:\d\d)(.*)$", line)
        if left:
            entries.append({"id": int(left[1]), "marker": left[2]})
        elif shown:
            reply = re.search(r"\(reply to #(\d+)\)", shown[4])
            body = []
            for following in lines[index + 1:]:
                if not following.startswith("    "):
                    break
                body.append(following.strip())
            entries.append({"id": int(shown[1]), "author": shown[2], "time": shown[3],
                            "reply_to": int(reply[1]) if reply else None, "body": " ".join(body)})
    return entries


class TranscriptReader(HTMLParser):
    """Collects the articles of a transcript page: ids, authors, times, markers, bodies, links."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.entries: list[dict] = []
        self.ids: set[str] = set()
        self.field: str | None = None
        self.in_body = 0
        self.scripts = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "script":
            self.scripts += 1
        if tag == "article":
            self.entries.append({"id": int(attrs["id"].removeprefix("message-")), "body": ""})
            if "left-out" in classes:
                self.entries[-1]["marker"] = ""
            return
        if not self.entries:
            return
        entry = self.entries[-1]
        if self.in_body:
            self.in_body += 1
        elif "message-body" in classes:
            self.in_body = 1
        elif {"author", "marker"} & set(classes) or tag == "time":
            self.field = "time" if tag == "time" else classes[0]
            entry[self.field] = ""
        elif "reply-link" in classes:
            self.field = "reply"
            entry["reply"], entry["reply_link"] = "", (attrs.get("href") or "").removeprefix("#message-")

    def handle_endtag(self, tag):
        if self.in_body:
            self.in_body -= 1
        self.field = None

    def handle_data(self, data):
        if not self.entries:
            return
        if self.in_body:
            self.entries[-1]["body"] += data
        elif self.field:
            self.entries[-1][self.field] += data


def read_html(output: str) -> tuple[list[dict], TranscriptReader]:
    reader = TranscriptReader()
    reader.feed(output)
    entries = []
    for raw in reader.entries:
        if "marker" in raw:
            entries.append({"id": raw["id"], "marker": raw["marker"].strip()})
            continue
        reply = re.search(r"#(\d+)", raw.get("reply", ""))
        entries.append({"id": raw["id"], "author": raw["author"].strip(), "time": raw["time"].strip(),
                        "reply_to": int(reply[1]) if reply else None, "reply_link": raw.get("reply_link"),
                        "body": " ".join(raw["body"].split())})
    return entries, reader


def read_all(outputs: dict[str, str]) -> dict[str, list[dict]]:
    return {"md": read_markdown(outputs["md"]), "txt": read_text(outputs["txt"]),
            "html": read_html(outputs["html"])[0]}


def summary(entries: list[dict]) -> list[tuple]:
    """What every format must agree on: order, ids, authors, times, markers, what replies answer."""
    return [(e["id"], e.get("author"), e.get("time"), e.get("marker"), e.get("reply_to")) for e in entries]


def local_time(created_at: str) -> str:
    moment = datetime.fromisoformat(created_at.replace("Z", "+00:00")).astimezone(ZoneInfo(ZONE))
    return moment.strftime("%H:%M")


# --- the formats agree ---------------------------------------------------------------------------

def test_the_formats_agree_on_content(dialogue):
    """For every attribution and version (one session: building it is the slow part)."""
    room, _sent = dialogue
    for attribution in transcript_build.ATTRIBUTIONS:
        for version in transcript_build.VERSIONS:
            check_agreement(export(room, attribution=attribution, version=version), f"{attribution}/{version}")


def check_agreement(document: dict, case: str) -> None:
    version = document["version"]
    outputs = all_formats(document)
    read = read_all(outputs)
    assert summary(read["md"]) == summary(read["txt"]) == summary(read["html"]), case
    # ... and with the JSON document: the same messages in the same order, nothing more.
    assert [e["id"] for e in read["md"]] == [m["id"] for m in document["messages"]], case
    shown = [m for m in document["messages"] if "left_out" not in m]
    for fmt, entries in read.items():
        where = f"{case} {fmt}"
        by_id = {e["id"]: e for e in entries}
        for message in shown:
            entry = by_id[message["id"]]
            assert entry["time"] == local_time(message["created_at"]), where
            assert entry.get("reply_to") == message["reply_to"], where
            if "**" not in message["text"]:
                assert entry["body"] == message["text"], (where, entry["body"])
        markers = [e["marker"] for e in entries if "marker" in e]
        assert sum(m == CONSENT_MARKER for m in markers) == document["left_out"]["consent"] == 1, where
        assert sum(m in MODERATION_MARKERS for m in markers) == document["left_out"]["moderation"], where
        assert len(markers) == len(document["messages"]) - len(shown), where
    for fmt, output in outputs.items():
        where = f"{case} {fmt}"
        assert document["final_digest"] in output, where
        assert "dialogue transcript verify FILE.json" in output, where
        assert ZONE in output, where
        assert "We met online over two evenings." in output and SUMMARY in output, where
        # Grouped by agenda phase, in order, each with its prompt.
        headings = [output.index(h) for h in ("Before the agenda", "Phase 1: Opening", "Phase 2: Memory")]
        assert headings == sorted(headings), where
        assert "What do you remember of the border?" in output, where
        assert "Kastanayan" not in output, where  # redacted text appears nowhere
        assert ("This one will be hidden." in output) == (version == "staff"), where


def test_authors_replies_and_markup(dialogue):
    room, sent = dialogue
    a, b, c, _d = room.participants
    document = export(room)  # pseudonym, participants' version
    outputs = all_formats(document)
    read = read_all(outputs)
    expected = {
        sent["early"].id: f"{a.name} (Armenia)",
        sent["border"].id: "Participant from Azerbaijan 1",  # b chose side: the most private wins
        sent["thanks"].id: f"{a.name} (Armenia)",
    }
    for fmt, entries in read.items():
        by_id = {e["id"]: e for e in entries}
        for message_id, author in expected.items():
            assert by_id[message_id]["author"] == author, fmt
        assert by_id[sent["quoted"].id]["marker"] == CONSENT_MARKER, fmt
        assert by_id[sent["hidden"].id]["marker"] == MODERATION_MARKERS[0], fmt
        # The facilitator has no side; the role is in the session name, so it is not repeated.
        assert by_id[sent["later"].id]["author"] == room.facilitator.name == "Facilitator", fmt
        # A reply to a left-out message still points at the marker that stands in its place.
        assert by_id[sent["later"].id]["reply_to"] == sent["quoted"].id, fmt
    # Markdown and HTML link a reply to the anchor of what it answers; text names its number.
    md_thanks = next(e for e in read["md"] if e["id"] == sent["thanks"].id)
    assert md_thanks["reply_link"] == str(sent["border"].id)
    assert f'<a id="message-{sent["border"].id}"></a>' in outputs["md"]
    html_entries, reader = read_html(outputs["html"])
    html_thanks = next(e for e in html_entries if e["id"] == sent["thanks"].id)
    assert html_thanks["reply_link"] == str(sent["border"].id)
    assert f"message-{sent['border'].id}" in reader.ids and f"message-{sent['quoted'].id}" in reader.ids
    assert f"(reply to #{sent['border'].id})" in outputs["txt"]
    # Markup a person typed never becomes markup in any format.
    assert reader.scripts == 0 and "<script" not in outputs["html"] and "<script" not in outputs["md"]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in outputs["html"]
    assert "<strong>bold</strong>" in outputs["html"]
    assert "Some **bold** words and &lt;script>alert(1)&lt;/script> here" in outputs["md"]
    assert "Some **bold** words and <script>alert(1)</script> here" in outputs["txt"]


def test_no_real_name_or_email_in_the_participants_version(dialogue):
    room, _sent = dialogue
    c = room.participants[2]  # the only member who agreed to be named
    people = [room.facilitator, room.moderator, room.observer, *room.participants]
    for attribution in transcript_build.ATTRIBUTIONS:
        for fmt, output in all_formats(export(room, attribution=attribution)).items():
            where = f"{attribution} {fmt}"
            for person in people:
                assert person.user.email not in output, where
                if person is not c:
                    assert person.user.real_name not in output, where
            assert (c.user.real_name in output) == (attribution == "named"), where
            if attribution == "none":  # Chatham House: neither names nor sides
                assert "Participant from" not in output and " (Armenia)" not in output, where


# --- statistics ------------------------------------------------------------------------------------

def test_statistics_match_counts_made_here(dialogue):
    room, sent = dialogue
    session = room.session
    document = export(room)
    stats = statistics(document)
    words = {text: len(text.split()) for text in (
        "Hello everyone, before we begin.", "I grew up near the border.", "So did I, on the other side of it.",
        "Thank you for telling us that.", "We will come back to this point later.",
        "Some **bold** words and <script>alert(1)</script> here")}
    w = list(words.values())
    assert stats["duration_seconds"] == int((session.ended_at - session.started_at).total_seconds())
    assert stats["sides"] == ["Armenia", "Azerbaijan", None]  # the facilitator has no side
    assert stats["members"] == {"Armenia": 2, "Azerbaijan": 1, None: 1}  # a and c; b; the facilitator
    assert stats["messages"]["total"] == 6
    assert stats["messages"]["by_side"] == {"Armenia": 4, "Azerbaijan": 1, None: 1}
    assert stats["messages"]["by_phase"] == {None: 1, 0: 2, 1: 3}
    assert stats["words"]["by_side"] == {"Armenia": w[0] + w[2] + w[3] + w[5], "Azerbaijan": w[1], None: w[4]}
    assert stats["words"]["by_phase"] == {None: w[0], 0: w[1] + w[2], 1: w[3] + w[4] + w[5]}
    assert stats["words"]["total"] == sum(w)
    assert [row["messages"] for row in stats["by_phase"]] == [
        {"Armenia": 1, "Azerbaijan": 0, None: 0}, {"Armenia": 1, "Azerbaijan": 1, None: 0},
        {"Armenia": 2, "Azerbaijan": 0, None: 1}]
    assert stats["left_out"] == {"consent": 1, "moderation": 2, "undecided": 0, "deleted": 0} == document["left_out"]
    assert stats["left_out_fates"] == {"rejected": 1, "redacted": 1}
    assert stats["moderation_actions"] == {}
    staff = statistics(export(room, version="staff"))
    assert staff["shown_with_status"] == {"rejected": 1}
    assert staff["left_out"] == {"consent": 1, "moderation": 1, "undecided": 0, "deleted": 0}  # the redacted one
    assert staff["moderation_actions"]["reject"] == 1 and staff["moderation_actions"]["redact"] == 1
    anonymous = statistics(export(room, attribution="none"))
    assert anonymous["sides"] == [None] and anonymous["members"] is None
    assert anonymous["messages"]["by_side"] == {None: 6}
    # The statistics are shown in every format.
    for fmt, output in all_formats(document).items():
        shown = re.sub(r"<[^>]+>", " ", output)
        assert re.search(r"Armenia\W+2\W+4\W+" + str(stats["words"]["by_side"]["Armenia"]) + r"\b", shown), fmt


def test_a_session_without_an_agenda_and_still_live(ctx):
    room = gen_room(participants=2)
    a, b = room.participants
    say(a, room, "Hello.")
    say(b, room, "Hello to you.")
    document = export(room)
    stats = statistics(document)
    assert stats["duration_seconds"] is None and stats["messages"]["by_phase"] == {None: 2}
    for fmt, output in all_formats(document).items():
        assert "The conversation" in output and "Before the agenda" not in output, fmt
        assert "UTC" in output and document["final_digest"] in output, fmt
    # A published digest is located in the chain, or said not to be in it.
    total = len(document["chain"])
    document["session"]["published_digest"] = document["chain"][1]["hash"]
    for fmt, output in all_formats(document).items():
        assert document["chain"][1]["hash"] in output and f"chain entry 2 of {total}" in output, fmt
    document["session"]["published_digest"] = "e" * 64
    for fmt, output in all_formats(document).items():
        assert "not found in this chain" in output, fmt
    # An unknown time zone falls back to UTC rather than failing the export.
    document["session"]["time_zone"] = "Mars/Olympus_Mons"
    for fmt, output in all_formats(document).items():
        assert "UTC (UTC+00:00)" in output and "Mars" not in output, fmt


# --- printing -----------------------------------------------------------------------------------

@pytest.mark.browser
def test_the_html_prints_to_pdf(dialogue, app, browser):
    """The page is served as the site would serve it (its stylesheet from /static, the site's
    Content-Security-Policy) and printed by headless Chromium."""
    from dialogue.web import CSP

    room, _sent = dialogue
    html = to_html(export(room, attribution="side"), standalone=False)
    assert "<style" not in html  # the site's policy allows no inline style: it is linked
    client = app.test_client()
    assert client.get("/static/css/transcript.css").status_code == 200

    def serve(route):
        path = urlparse(route.request.url).path
        if path == "/transcript":
            route.fulfill(status=200, body=html, content_type="text/html; charset=utf-8",
                          headers={"Content-Security-Policy": CSP})
            return
        response = client.get(path)
        route.fulfill(status=response.status_code, body=response.data, content_type=response.content_type)

    context = browser.new_context(viewport={"width": 900, "height": 1000})
    try:
        page = context.new_page()
        problems: list[str] = []
        page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
        page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
        page.route("http://transcript.test/**", serve)
        page.goto("http://transcript.test/transcript")
        page.emulate_media(media="print")
        # The stylesheet applied (so no CSP refusal): bars are drawn, messages are kept whole.
        assert page.eval_on_selector(".chart-bar", "e => getComputedStyle(e).fill") == "rgb(107, 115, 122)"
        assert page.eval_on_selector(".message", "e => getComputedStyle(e).breakInside") == "avoid"
        assert page.locator("svg.participation-chart rect.chart-bar").count() == 3 * 3  # phases × sides
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "transcript.png"), full_page=True)
        pdf = page.pdf()
    finally:
        context.close()
    assert pdf.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf)) >= 1
    assert problems == []


@pytest.mark.browser
def test_the_downloaded_html_reads_and_prints_from_disk(dialogue, app, browser, tmp_path):
    """The HTML a facilitator downloads carries its stylesheet and fonts: opened from disk with
    every network request refused, it is styled, Armenian text uses the bundled font, and it
    prints to PDF."""
    from .test_auth import sign_in

    room, _sent = dialogue
    room.session.transcript_summary = "Բարի գալուստ, welcome"  # Armenian script in the record
    db.session.commit()
    http = app.test_client()
    sign_in(http, room.facilitator.user.email)
    response = http.get(f"/api/sessions/{room.id}/transcript?format=html&version=staff&attribution=named")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    html = response.get_data(as_text=True)
    assert "<link rel=\"stylesheet\"" not in html and "/static/" not in html
    assert html.count("data:font/woff2;base64,") == 2
    path = tmp_path / "transcript.html"
    path.write_text(html, encoding="utf-8")
    context = browser.new_context(viewport={"width": 900, "height": 1000})
    try:
        page = context.new_page()
        requests: list[str] = []

        def refuse(route):
            requests.append(route.request.url)
            route.abort()

        page.route("http://**", refuse)
        page.route("https://**", refuse)
        page.goto(path.as_uri())
        page.emulate_media(media="print")
        assert page.eval_on_selector(".chart-bar", "e => getComputedStyle(e).fill") == "rgb(107, 115, 122)"
        assert page.eval_on_selector(".message", "e => getComputedStyle(e).breakInside") == "avoid"
        assert page.evaluate("document.fonts.load('16px \"Noto Sans Armenian\"', 'Բարի')"
                             ".then(found => found.length)") >= 1
        assert page.evaluate("document.fonts.check('16px \"Noto Sans Armenian\"', 'Բարի')")
        pdf = page.pdf()
    finally:
        context.close()
    assert requests == []
    assert pdf.startswith(b"%PDF")


def test_the_public_page_links_its_stylesheet(dialogue, app):
    room, _sent = dialogue
    from dialogue.transcripts import publishing

    publishing.publish(room.facilitator.user, room.id, "side", public=True)
    page = app.test_client().get(f"/t/{room.id}").get_data(as_text=True)
    assert "<style" not in page and 'rel="stylesheet" href="/static/css/transcript.css"' in page


# --- outside attack material in the readable exports --------------------------------------------

class _LinkAudit(HTMLParser):
    """Every link, image and script-capable thing in rendered Markdown."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("img", "script", "iframe", "object", "embed", "svg", "form", "base", "link", "meta"):
            self.problems.append(f"<{tag}>")
        for name, value in attrs.items():
            if name.startswith("on"):
                self.problems.append(f"{tag} {name}")
            if name in ("href", "src", "action", "formaction", "xlink:href"):
                # The only links a transcript makes are its own: anchors and replies inside it.
                if not re.fullmatch(r"#message-\d+", value or ""):
                    self.problems.append(f"{tag} {name}={value!r}")

    handle_startendtag = handle_starttag


def _corpus_document(ctx) -> dict:
    from .test_sanitize import corpus

    room = gen_room(participants=2)
    say(room.participants[0], room, "An ordinary first message.")
    document = export(room)
    shown = document["messages"][0]
    document["messages"] = [{**shown, "id": index + 1, "text": text, "html": ""}
                            for index, (_source, text) in enumerate(corpus())]
    # A reference definition in one message must not turn text of another into a link.
    document["messages"] += [{**shown, "id": 900_001, "text": "[victim]: javascript:alert(document.domain)"},
                             {**shown, "id": 900_002, "text": "click [victim] or [here][victim] ![x](javascript:1)"}]
    return document


def test_markdown_export_of_the_corpora_opens_no_link_in_either_renderer(ctx):
    import markdown as python_markdown
    from markdown_it import MarkdownIt

    output = to_markdown(_corpus_document(ctx))
    for name, render in (("markdown-it-py", MarkdownIt("commonmark").render),
                         ("Python-Markdown", python_markdown.markdown)):
        audit = _LinkAudit()
        audit.feed(render(output))
        audit.close()
        assert audit.problems == [], (name, audit.problems[:20])


def test_text_export_of_the_corpora_keeps_every_message(ctx):
    document = _corpus_document(ctx)
    output = to_text(document)
    for message in document["messages"][:200]:
        assert f"#{message['id']} · " in output
