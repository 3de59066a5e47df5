"""Interpreters in the room, over real sockets: who receives each translation, the refusals,
moderation of translations and of their originals, corrections, the work list, the
reader's choice, and the language each message records."""

from __future__ import annotations

import json
import uuid

import pytest
from sqlalchemy import select

from dialogue import record
from dialogue.extensions import db
from dialogue.models import Message, MessageRevision, SessionEvent, User, WatchedWord
from dialogue.moderation import words as watched_words
from dialogue.room.messages import send_message
from dialogue.transcripts import build, formats
from dialogue.transcripts.layout import statistics

from .factories import Person, gen_member, gen_room, gen_token
from .helpers import joined, release_database, send, stored

pytestmark = pytest.mark.live


def interpreter_of(room, name="Interpreter Nare") -> Person:
    user, membership = gen_member(room.session, "interpreter", side=None, name=name)
    db.session.commit()
    return Person(user, membership, gen_token(user))


def translate(client, room_id, message_id, body, lang="ru", client_id=None):
    return client.call("translate", {"session_id": room_id, "message_id": message_id, "lang": lang, "body": body,
                                     "client_id": client_id or uuid.uuid4().hex})


class Scene:
    """A live room: two participants (one per side), the observer, the moderator, the
    facilitator, an interpreter and an outsider, all connected; the first three joined."""

    def __init__(self, ctx, clients, **room):
        self.room = gen_room(participants=2, **room)
        self.interpreter_person = interpreter_of(self.room)
        self.a, _ = joined(clients, self.room.participants[0], self.room.id)
        self.b, _ = joined(clients, self.room.participants[1], self.room.id)
        self.observer, _ = joined(clients, self.room.observer, self.room.id)
        self.moderator, _ = joined(clients, self.room.moderator, self.room.id)
        self.facilitator, _ = joined(clients, self.room.facilitator, self.room.id)
        self.interpreter, self.interpreter_join = joined(clients, self.interpreter_person, self.room.id)
        self.outsider = clients(self.room.outsider)

    @property
    def readers(self):
        return [self.a, self.b, self.observer, self.moderator, self.facilitator, self.interpreter]


def test_a_translation_reaches_everyone_in_the_room_under_its_original(ctx, clients):
    scene = Scene(ctx, clients)
    assert scene.interpreter_join["me"]["role"] == "interpreter" and scene.interpreter_join["me"]["can_translate"]
    original = send(scene.a, scene.room.id, "Իմ տատիկը ծնվել է Բաքվում։", lang="hy")["message"]
    assert original["lang"] == "hy" and original["translation_of"] is None
    answer = translate(scene.interpreter, scene.room.id, original["id"], "Моя бабушка родилась в Баку.")
    assert answer["ok"], answer
    translation = answer["message"]
    assert translation["translation_of"] == original["id"] and translation["lang"] == "ru"
    assert translation["author"]["name"] == "Interpreter Nare" and translation["author"]["role"] == "interpreter"
    assert translation["status"] == "visible" and translation["seq"] > original["seq"]
    assert answer["warnings"] == []
    for client in scene.readers:
        got = client.wait_for("message", lambda m: m["id"] == translation["id"])
        assert got["body_html"] == "<p>Моя бабушка родилась в Баку.</p>" and got["translation_of"] == original["id"]
    assert [e for e, _ in scene.outsider.events if e == "message"] == []
    # A member joining later reads it in the history, after its original.
    history = scene.b.call("history", {"session_id": scene.room.id})["messages"]
    order = [m["id"] for m in history]
    assert order.index(original["id"]) < order.index(translation["id"])
    # Translations are not messages of the conversation: the balance counts the original only.
    balance = scene.facilitator.call("balance", {"session_id": scene.room.id})
    assert sum(side["messages"] for side in balance["balance"]["sides"].values()) == 1


def test_translation_refusals(ctx, clients):
    scene = Scene(ctx, clients)
    room_id = scene.room.id
    original = send(scene.a, room_id, "A message in English", lang="en")["message"]
    cases = [
        (scene.b, {"message_id": original["id"], "lang": "ru", "body": "Текст"}, "forbidden"),
        (scene.observer, {"message_id": original["id"], "lang": "ru", "body": "Текст"}, "forbidden"),
        (scene.interpreter, {"message_id": original["id"], "lang": "xx", "body": "Текст"}, "invalid"),
        (scene.interpreter, {"message_id": original["id"], "lang": "ru", "body": "   "}, "empty"),
        (scene.interpreter, {"message_id": original["id"], "lang": "ru", "body": "я" * 4001}, "too_long"),
        (scene.interpreter, {"message_id": original["id"], "lang": "en", "body": "Same language"}, "invalid"),
        (scene.interpreter, {"message_id": 987654321, "lang": "ru", "body": "Текст"}, "not_found"),
        (scene.interpreter, {"message_id": "nonsense", "lang": "ru", "body": "Текст"}, "not_found"),
        (scene.interpreter, {"message_id": True, "lang": "ru", "body": "Текст"}, "invalid"),
    ]
    for client, fields, code in cases:
        answer = client.call("translate", {"session_id": room_id, "client_id": uuid.uuid4().hex, **fields})
        assert answer["ok"] is False and answer["error"]["code"] == code, (fields, answer)
    # A message the interpreter cannot see (held for review) is not_found; so is one of another session.
    watched_words.add_word(None, "zebra-crossing-word", "hold", language="en")
    release_database()
    try:
        held = send(scene.a, room_id, "zebra-crossing-word here")["message"]
        assert held["status"] == "held"
        assert translate(scene.interpreter, room_id, held["id"], "Текст")["error"]["code"] == "not_found"
    finally:
        watched_words.remove_word(None, db.session.scalar(select(WatchedWord.id).where(
            WatchedWord.term == "zebra-crossing-word")))
        release_database()
    other = gen_room(participants=1)
    elsewhere, _created = send_message(other.participants[0].user, other.id, uuid.uuid4().hex, "Elsewhere")
    release_database()
    assert translate(scene.interpreter, room_id, elsewhere.id, "Текст")["error"]["code"] == "not_found"
    # A translation is not translated again; a second translation into the same language is a conflict;
    # the same client_id returns the first translation and stores nothing new.
    first = translate(scene.interpreter, room_id, original["id"], "Сообщение по-английски", client_id="tr-1")
    assert first["ok"]
    again = translate(scene.interpreter, room_id, original["id"], "Сообщение по-английски", client_id="tr-1")
    assert again["ok"] and again["message"]["id"] == first["message"]["id"]
    assert translate(scene.interpreter, room_id, original["id"], "Другое")["error"]["code"] == "conflict"
    assert translate(scene.interpreter, room_id, first["message"]["id"], "Թարգմանություն",
                     lang="hy")["error"]["code"] == "invalid"
    assert len(stored(select(Message.id).where(Message.translation_of_id == original["id"]))) == 1


def test_interpreters_translate_whoever_holds_the_floor(ctx, clients):
    scene = Scene(ctx, clients)
    original = send(scene.a, scene.room.id, "Before the floor closes", lang="en")["message"]
    assert scene.facilitator.call("session_control", {"session_id": scene.room.id, "action": "floor_mode",
                                                      "floor_mode": "queue"})["ok"]
    assert send(scene.b, scene.room.id, "Not my turn")["error"]["code"] == "not_your_turn"
    assert translate(scene.interpreter, scene.room.id, original["id"], "Пока слово не закрыто")["ok"]


def test_held_translations_and_the_fate_of_originals(ctx, clients):
    scene = Scene(ctx, clients)
    room_id = scene.room.id
    # A translation with identifying information is held: only the interpreter and the staff see it.
    original = send(scene.a, room_id, "Write to me later, please.", lang="en")["message"]
    held = translate(scene.interpreter, room_id, original["id"], "Напишите мне: anna.k@example.org")["message"]
    assert held["status"] == "held"
    item = scene.moderator.wait_for("queue_item", lambda i: i["message"]["id"] == held["id"])
    assert item["original"]["id"] == original["id"]
    assert {"kind": "identifying_info", "found": ["email"]} in item["reasons"]
    marker = send(scene.facilitator, room_id, "marker")["message"]
    for client in (scene.a, scene.b, scene.observer):
        client.wait_for("message", lambda m: m["id"] == marker["id"])
        assert [m for m in client.of("message") if m["id"] == held["id"]] == []
    assert scene.facilitator.wait_for("message", lambda m: m["id"] == held["id"])["status"] == "held"
    # Redacted with its original: the translation's text goes too, for everyone.
    shown = translate(scene.interpreter, room_id, original["id"], "Anlaşılan, sonra yazın.", lang="az")["message"]
    for client in scene.readers:
        client.wait_for("message", lambda m: m["id"] == shown["id"])
    assert scene.b.call("flag", {"message_id": original["id"], "reason": "off_topic"})["ok"]
    items = {i["message"]["id"]: i for i in scene.moderator.call("queue", {"session_id": room_id})["items"]}
    assert scene.moderator.call("decide", {"item_id": items[original["id"]]["id"], "action": "redact",
                                           "reason": "Could identify a person"})["ok"]
    for client in scene.readers:
        got = client.wait_for("message_updated", lambda m: m["id"] == shown["id"] and m["status"] == "redacted")
        assert got["body_html"] == ""
    rows = stored(select(Message).where(Message.translation_of_id == original["id"]))
    assert all(row.body_source == "" for row in rows)


def test_a_hidden_original_hides_its_translations_from_members_until_approved(ctx, clients):
    scene = Scene(ctx, clients)
    room_id = scene.room.id
    original = send(scene.a, room_id, "Something contested", lang="en")["message"]
    shown = translate(scene.interpreter, room_id, original["id"], "Нечто спорное")["message"]
    assert scene.b.call("flag", {"message_id": original["id"], "reason": "hate"})["ok"]
    items = {i["message"]["id"]: i for i in scene.moderator.call("queue", {"session_id": room_id})["items"]}
    assert scene.moderator.call("decide", {"item_id": items[original["id"]]["id"], "action": "reject",
                                           "reason": "Against the ground rules"})["ok"]
    for client in (scene.a, scene.b, scene.observer, scene.interpreter):
        got = client.wait_for("message_updated", lambda m: m["id"] == shown["id"] and m["status"] == "hidden")
        assert got["body_html"] == ""
    staff_copy = scene.moderator.wait_for("message_updated", lambda m: m["id"] == shown["id"])
    assert staff_copy["body_html"] == "<p>Нечто спорное</p>"
    history = {m["id"]: m for m in scene.b.call("history", {"session_id": room_id})["messages"]}
    assert history[shown["id"]]["status"] == "hidden" and history[shown["id"]]["body_html"] == ""


def test_an_interpreter_corrects_a_translation_and_the_record_keeps_both(ctx, clients):
    scene = Scene(ctx, clients)
    room_id = scene.room.id
    original = send(scene.a, room_id, "We remember different things.", lang="en")["message"]
    first = translate(scene.interpreter, room_id, original["id"], "Мы помним разное")["message"]
    other = interpreter_of(scene.room, "Interpreter Aysel")
    other_client, _ = joined(clients, other, room_id)
    refused = other_client.call("translation_edit", {"message_id": first["id"], "body": "Мы помним другое"})
    assert refused["error"]["code"] == "forbidden"
    assert scene.interpreter.call("translation_edit", {"message_id": first["id"], "body": " "})["error"]["code"] == "empty"
    corrected = scene.interpreter.call("translation_edit", {"message_id": first["id"],
                                                            "body": "Мы помним разные вещи."})
    assert corrected["ok"], corrected
    assert corrected["message"]["edited_at"] and corrected["message"]["seq"] > first["seq"]
    for client in scene.readers:
        got = client.wait_for("message_updated", lambda m: m["id"] == first["id"])
        assert got["body_html"] == "<p>Мы помним разные вещи.</p>"
    revisions = stored(select(MessageRevision).where(MessageRevision.message_id == first["id"]))
    assert [r.body_source for r in revisions] == ["Мы помним разное"]
    kinds = stored(select(SessionEvent.kind).where(SessionEvent.session_id == room_id).order_by(SessionEvent.position))
    assert kinds.count("message_edited") == 1
    session = scene.room.session
    db.session.refresh(session)
    document = json.loads("".join(build.stream_json(session, version="staff")))
    assert record.verify(document)[0], record.verify(document)
    entry = next(m for m in document["messages"] if m["id"] == first["id"])
    assert entry["text"] == "Мы помним разные вещи." and entry["translation_of"] == original["id"]
    assert entry["edited_at"] and entry["earlier_wordings"] == ["Мы помним разное"]
    participants = build.build(session)
    assert "earlier_wordings" not in next(m for m in participants["messages"] if m["id"] == first["id"])


def test_transcripts_carry_translations_beside_their_originals(ctx, clients):
    scene = Scene(ctx, clients)
    room_id = scene.room.id
    original = send(scene.a, room_id, "Our grandparents were neighbours.", lang="en")["message"]
    translation = translate(scene.interpreter, room_id, original["id"], "Наши бабушки и дедушки были соседями.")
    assert translation["ok"]
    for attribution in ("pseudonym", "none"):
        consent = scene.a.call("consent", {"session_id": room_id, "naming": "pseudonym", "include": True})
        assert consent["ok"]
        scene.interpreter.call("consent", {"session_id": room_id, "naming": "pseudonym", "include": True})
        session = scene.room.session
        db.session.refresh(session)
        document = build.build(session, attribution=attribution)
        markdown = formats.to_markdown(document)
        text = formats.to_text(document)
        html = formats.to_html(document)
        assert markdown.index("Our grandparents") < markdown.index("Наши бабушки")
        assert "Interpretation: Russian" in markdown and "Interpretation: Russian" in text
        assert text.index("Our grandparents") < text.index("Наши бабушки")
        assert 'class="translation"' in html and 'lang="ru"' in html
        assert html.index("Our grandparents") < html.index("Наши бабушки")
        # The statistics count the conversation's one message, not its translation.
        assert sum(document_stats(document).values()) == 1
    # The author withdraws: the original leaves the participants' record, and its translation with it.
    assert scene.a.call("consent", {"session_id": room_id, "naming": "pseudonym", "include": False})["ok"]
    session = scene.room.session
    db.session.refresh(session)
    document = build.build(session)
    left = {m["id"]: m.get("left_out") for m in document["messages"]}
    assert left[original["id"]] == "consent" and left[translation["message"]["id"]] == "consent"
    assert document["left_out"]["consent"] == 1
    assert "Наши бабушки" not in formats.to_markdown(document)


def document_stats(document):
    return statistics(document)["messages"]["by_side"]


def test_the_interpreters_work_list_and_the_readers_choice(ctx, clients):
    scene = Scene(ctx, clients)
    room_id = scene.room.id
    first = send(scene.a, room_id, "First", lang="en")["message"]
    second = send(scene.b, room_id, "Второе", lang="ru")["message"]
    third = send(scene.a, room_id, "Third", lang="en")["message"]
    work = scene.interpreter.call("untranslated", {"session_id": room_id, "lang": "ru"})
    ids_ru = [m["id"] for m in work["messages"]]
    assert ids_ru[:2] == [third["id"], first["id"]] and second["id"] not in ids_ru, "newest first, not already Russian"
    assert translate(scene.interpreter, room_id, third["id"], "Третье")["ok"]
    ids_ru = [m["id"] for m in scene.interpreter.call("untranslated", {"session_id": room_id, "lang": "ru"})["messages"]]
    assert third["id"] not in ids_ru and first["id"] in ids_ru
    assert scene.interpreter.call("untranslated", {"session_id": room_id, "lang": "fr"})["error"]["code"] == "invalid"
    assert scene.a.call("untranslated", {"session_id": room_id, "lang": "ru"})["error"]["code"] == "forbidden"
    # Each reader's choice of translations is kept in their profile and comes back on join.
    assert scene.a.call("preferences", {"translation_view": "none"}) == {"ok": True, "translation_view": "none"}
    assert scene.a.call("preferences", {"translation_view": "some"})["error"]["code"] == "invalid"
    release_database()
    assert stored(select(User.translation_view).where(User.id == scene.room.participants[0].id)) == ["none"]
    again = scene.a.call("join", {"session_id": room_id})
    assert again["me"]["translation_view"] == "none" and again["me"]["can_translate"] is False


def test_a_message_records_its_language(ctx, clients):
    scene = Scene(ctx, clients)
    room_id = scene.room.id
    assert send(scene.a, room_id, "Բարև", lang="hy")["message"]["lang"] == "hy"
    assert send(scene.a, room_id, "Hello", lang="klingon")["error"]["code"] == "invalid"
    assert send(scene.a, room_id, "Hello", lang=7)["error"]["code"] == "invalid"
    # Without one, the writer's interface language; else the session's.
    user = db.session.get(User, scene.room.participants[1].id)
    user.locale = "az"
    db.session.commit()
    assert send(scene.b, room_id, "Salam")["message"]["lang"] == "az"
    assert send(scene.a, room_id, "Hi")["message"]["lang"] == scene.room.session.language
    chained = stored(select(SessionEvent.payload).where(SessionEvent.session_id == room_id,
                                                        SessionEvent.kind == "message_created"))
    assert {"hy", "az"} <= {payload.get("lang") for payload in chained}


def test_the_translate_answer_warns_of_names_the_glossary_agreed_otherwise(ctx, clients):
    scene = Scene(ctx, clients)
    room_id = scene.room.id
    original = send(scene.a, room_id, "Իմ ընտանիքը Երևանից է։", lang="hy")["message"]
    # New sessions start from the platform's list, which agrees "Yerevan" in English.
    answer = translate(scene.interpreter, room_id, original["id"], "My family is from Irevan.", lang="en")
    assert answer["ok"], answer
    assert [(w["found"], w["agreed"]) for w in answer["warnings"]] == [("Irevan", "Yerevan")]
    assert answer["message"]["status"] == "visible", "a warning never refuses the translation"
    corrected = scene.interpreter.call("translation_edit", {"message_id": answer["message"]["id"],
                                                            "body": "My family is from Yerevan."})
    assert corrected["ok"] and corrected["warnings"] == []
