"""Members are named by per-session member ids (protocol version 2): nothing a member receives
in one session, its events, its pages or its transcript, links a person to their name in
another session."""

from __future__ import annotations

import json
import string

import pytest

from dialogue.extensions import db
from dialogue.models import new_public_id
from dialogue.sessions import actions as dialogues
from dialogue.transcripts import publishing

from .factories import Person, gen_member, gen_session, gen_token, gen_user
from .helpers import joined, release_database, send
from .test_auth import sign_in

pytestmark = pytest.mark.live


def test_a_pseudonym_cannot_be_linked_across_sessions(ctx, clients, app):
    host = gen_user("facilitator")
    anna = gen_user("participant", real_name="Anna Hakobyan")
    witness = gen_user("participant", real_name="Witness Real")
    hidden = gen_session(host, title="Pseudonymous", pseudonymous=True)
    open_session = gen_session(host, title="Named")
    people = {}
    for session, anna_name in ((hidden, None), (open_session, "Anna H")):
        _, anna_member = gen_member(session, "participant", side="a", name=anna_name, user=anna)
        _, witness_member = gen_member(session, "participant", side="b", name="Witness", user=witness)
        people[session.id] = (anna_member, witness_member)
    db.session.commit()
    tokens = {user.id: gen_token(user) for user in (host, anna, witness)}
    seen: dict[str, list] = {}
    for session in (hidden, open_session):
        anna_member, witness_member = people[session.id]
        host_person = Person(host, None, tokens[host.id])
        facilitator, _ = joined(clients, host_person, session.id)
        speaker, _ = joined(clients, Person(anna, anna_member, tokens[anna.id]), session.id)
        watcher, answer = joined(clients, Person(witness, witness_member, tokens[witness.id]), session.id)
        assert send(speaker, session.id, "I remember the orchards.")["ok"]
        assert facilitator.call("session_control", {"session_id": session.id, "action": "floor_mode",
                                                    "floor_mode": "queue"})["ok"]
        assert speaker.call("hand", {"session_id": session.id, "raised": True})["ok"]
        assert facilitator.call("floor", {"session_id": session.id, "member_id": anna_member.public_id})["ok"]
        assert send(speaker, session.id, "And the river.")["ok"]
        assert facilitator.call("sanction", {"session_id": session.id, "member_id": anna_member.public_id,
                                             "action": "warn", "reason": "A gentle reminder"})["ok"]
        balance = facilitator.call("balance", {"session_id": session.id})
        watcher.wait_for("message", lambda m: m["body_html"] == "<p>And the river.</p>")
        watcher.wait_for("session", lambda s: s["floor"] is not None)
        release_database()
        publishing.publish(host, session.id, "pseudonym")
        web = app.test_client()
        assert sign_in(web, witness.email).status_code == 302
        page = web.get(f"/s/{session.id}").get_data(as_text=True)
        transcript = web.get(f"/api/sessions/{session.id}/transcript?format=json").get_data(as_text=True)
        seen[session.id] = [answer, watcher.events, facilitator.events, balance, page, transcript]

    anna_hidden, _ = people[hidden.id]
    anna_open, _ = people[open_session.id]
    assert anna_hidden.public_id != anna_open.public_id
    assert anna_hidden.display_name != "Anna H", "the pseudonymous session gave a neutral name"
    everything = {session_id: json.dumps(values, ensure_ascii=False, default=str) for session_id, values in seen.items()}
    # Nothing of Anna in the named session appears in the pseudonymous one, and the reverse.
    for marker in (anna_open.public_id, "Anna H", anna.real_name, anna.email):
        assert marker not in everything[hidden.id], marker
    for marker in (anna_hidden.public_id, anna_hidden.display_name, anna.real_name, anna.email):
        assert marker not in everything[open_session.id], marker
    # And no member object, hand or floor anywhere carries the account id.
    for session_id, (answer, events, host_events, balance, _page, _transcript) in seen.items():
        anna_member = people[session_id][0]
        authors = {m["author"]["id"] for m in answer["messages"]} | {
            data["author"]["id"] for name, data in events if name in ("message", "message_updated")}
        online = {m["id"] for name, data in events if name == "presence" for m in data["online"]}
        hands = {h for name, data in host_events if name == "session" for h in data["hands"]}
        floors = {data["floor"]["member_id"] for name, data in host_events if name == "session" and data["floor"]}
        listed = {p["id"] for p in balance["balance"]["participants"]}
        for ids in (authors, online, hands, floors, listed):
            assert anna.id not in ids and str(anna.id) not in ids
            assert all(isinstance(i, str) for i in ids)
        assert anna_member.public_id in authors & online & hands & floors & listed


def test_requests_name_members_by_member_id_only(ctx, clients):
    host = gen_user("facilitator")
    session = gen_session(host, title="Ids")
    alice_user, alice = gen_member(session, "participant", side="a")
    db.session.commit()
    facilitator, _ = joined(clients, Person(host, None, gen_token(host)), session.id)
    for payload in ({"member_id": alice_user.id}, {"member_id": str(alice_user.id)}, {"user_id": alice_user.id}):
        answer = facilitator.call("sanction", {"session_id": session.id, "action": "warn", "reason": "r", **payload})
        assert answer["ok"] is False and answer["error"]["code"] in ("invalid", "not_found"), payload
    answer = facilitator.call("floor", {"session_id": session.id, "user_id": alice_user.id})
    assert answer["error"]["code"] == "invalid"
    release_database()
    assert dialogues.members(session)[0].public_id != str(alice_user.id)
    assert facilitator.call("sanction", {"session_id": session.id, "member_id": alice.public_id,
                                         "action": "warn", "reason": "r"})["ok"]


def test_public_ids_never_start_like_a_command_line_option():
    ids = [new_public_id() for _ in range(2000)]
    assert all(len(value) == 16 and value[0].isalnum() for value in ids)
    assert all(set(value) <= set(string.ascii_letters + string.digits + "-_") for value in ids)
    assert len(set(ids)) == len(ids)
