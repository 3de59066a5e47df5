"""Facilitation over real sockets: phases, the floor, pauses, observers, balance, consent,
identity protection and the staff back-channel."""

from __future__ import annotations

import re
from collections import Counter

import pytest
import requests
from sqlalchemy import select

from dialogue.errors import DialogueError
from dialogue.extensions import db
from dialogue.facilitation import agenda, consent, floor
from dialogue.facilitation import state as session_state
from dialogue.facilitation.control import control as dialogues_control
from dialogue.models import AgendaPhase, Consent, Membership, Message
from dialogue.moderation import settings as moderation_settings
from dialogue.sessions import actions as dialogues

from .factories import PASSWORD, gen_room, gen_session, gen_user
from .helpers import joined, release_database, send, stored
from .test_auth import post_form, sign_in

pytestmark = pytest.mark.live


def control(client, room, action, **extra):
    answer = client.call("session_control", {"session_id": room.id, "action": action, **extra})
    assert answer["ok"], answer
    return answer["session"]


def test_phase_changes_reach_everyone_with_prompt_and_deadline(ctx, clients):
    room = gen_room(participants=2)
    agenda.apply_template(room.facilitator.user, room.id, "memory")
    release_database()
    host, answer = joined(clients, room.facilitator, room.id)
    assert answer["session"]["phase"] is None
    others = [joined(clients, p, room.id)[0] for p in (*room.participants, room.observer, room.moderator)]
    outsider = clients(room.outsider)
    state = control(host, room, "next_phase")
    assert state["phase"]["index"] == 0 and state["phase"]["title"] == "Introductions"
    for client in others:
        phase = client.wait_for("session", lambda s: s["phase"] is not None)["phase"]
        assert phase["title"] == "Introductions" and "who you are" in phase["prompt"]
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", phase["ends_at"])
        assert phase["count"] == 5
    assert outsider.of("session") == []
    written = send(others[0], room.id, "I am from Gyumri.")["message"]
    assert written["phase"] == 0
    control(host, room, "next_phase")
    assert send(others[1], room.id, "My grandmother remembered Baku.")["message"]["phase"] == 1
    assert control(host, room, "previous_phase")["phase"]["index"] == 0
    # Moving past either end changes nothing and answers invalid.
    refused = host.call("session_control", {"session_id": room.id, "action": "previous_phase"})
    assert refused["error"]["code"] == "invalid"
    for _ in range(4):
        control(host, room, "next_phase")
    past = host.call("session_control", {"session_id": room.id, "action": "next_phase"})
    assert past["error"]["code"] == "invalid"
    assert host.call("history", {"session_id": room.id})["ok"]
    release_database()
    assert stored(select(Message.phase_index).where(Message.session_id == room.id).order_by(Message.id)) == [0, 1]
    assert [p.title for p in session_state.phases(room.session)][-1] == "Ways forward"


def test_queue_mode_only_the_floor_holder_writes_and_a_timed_floor_returns(ctx, clients):
    room = gen_room(participants=2)
    alice, bora = room.participants
    host, _ = joined(clients, room.facilitator, room.id)
    moderator, _ = joined(clients, room.moderator, room.id)
    a, _ = joined(clients, alice, room.id)
    b, _ = joined(clients, bora, room.id)
    control(host, room, "floor_mode", floor_mode="queue")
    assert send(a, room.id, "may I?")["error"]["code"] == "not_your_turn"
    assert send(host, room.id, "Facilitators always may.")["ok"]
    assert send(moderator, room.id, "So do moderators.")["ok"]
    assert a.call("hand", {"session_id": room.id, "raised": True}) == {"ok": True}
    assert b.call("hand", {"session_id": room.id, "raised": True}) == {"ok": True}
    hands = b.wait_for("session", lambda s: len(s["hands"]) == 2)["hands"]
    assert hands == [alice.member_id, bora.member_id], "hands are listed in the order they went up"
    given = b.mark()
    assert host.call("floor", {"session_id": room.id, "member_id": alice.member_id, "seconds": 5}) == {"ok": True}
    state = b.wait_for("session", lambda s: s["floor"] is not None, since=given)
    assert state["floor"]["member_id"] == alice.member_id and state["hands"] == [bora.member_id]
    assert send(a, room.id, "Thank you for the floor.")["ok"]
    assert send(b, room.id, "me too")["error"]["code"] == "not_your_turn"
    # The timed floor comes back by itself.
    b.wait_for("session", lambda s: s["floor"] is None, timeout=15, since=given)
    assert send(a, room.id, "one more")["error"]["code"] == "not_your_turn"
    # Taking the floor back, and lowering one's hand.
    host.call("floor", {"session_id": room.id, "member_id": bora.member_id})
    assert send(b, room.id, "now me")["ok"]
    host.call("floor", {"session_id": room.id, "member_id": None})
    assert send(b, room.id, "again")["error"]["code"] == "not_your_turn"
    control(host, room, "floor_mode", floor_mode="open")
    assert send(a, room.id, "open again")["ok"]


def test_alternate_mode_offers_the_floor_side_after_side(ctx, clients):
    room = gen_room(participants=4)
    a1, b1, a2, b2 = room.participants  # sides a, b, a, b
    host, _ = joined(clients, room.facilitator, room.id)
    sockets = {p.member_id: joined(clients, p, room.id)[0] for p in room.participants}
    control(host, room, "floor_mode", floor_mode="alternate")
    # a1 has already spoken in open mode before; a2 has not.
    for person in (a1, a2, b1):
        assert sockets[person.member_id].call("hand", {"session_id": room.id, "raised": True})["ok"]
    state = host.wait_for("session", lambda s: s["floor"] is not None)
    first = state["floor"]["member_id"]
    assert first in (a1.member_id, a2.member_id), "the first hand's side goes first"
    sockets[b2.member_id].call("hand", {"session_id": room.id, "raised": True})
    order = [first]
    for _ in range(3):
        holder = order[-1]
        assert send(sockets[holder], room.id, f"speaking {len(order)}")["ok"]
        position = host.mark()
        sockets[holder].call("hand", {"session_id": room.id, "raised": False})  # gives the floor back
        state = host.wait_for("session", lambda s, h=holder: s["floor"] is not None and s["floor"]["member_id"] != h,
                              since=position)
        order.append(state["floor"]["member_id"])
    side = {p.member_id: p.membership.side for p in room.participants}
    assert [side[i] for i in order] == ["a", "b", "a", "b"], "the floor alternates between the sides"
    assert sorted(order) == sorted(p.member_id for p in room.participants)


def test_paused_sessions_refuse_sending(ctx, clients):
    room = gen_room(participants=1)
    host, _ = joined(clients, room.facilitator, room.id)
    a, _ = joined(clients, room.participants[0], room.id)
    assert control(host, room, "pause")["state"] == "paused"
    assert a.wait_for("session", lambda s: s["state"] == "paused")
    assert send(a, room.id, "hello?")["error"]["code"] == "session_not_live"
    assert send(host, room.id, "even facilitators wait")["error"]["code"] == "session_not_live"
    assert control(host, room, "resume")["state"] == "live"
    assert send(a, room.id, "hello")["ok"]
    assert host.call("session_control", {"session_id": room.id, "action": "resume"})["error"]["code"] == "conflict"


def test_observers_cannot_write_flag_or_raise_hands(ctx, clients):
    room = gen_room(participants=1)
    observer, answer = joined(clients, room.observer, room.id)
    assert answer["me"]["role"] == "observer"
    assert send(observer, room.id, "hello")["error"]["code"] == "forbidden"
    assert observer.call("hand", {"session_id": room.id, "raised": True})["error"]["code"] == "forbidden"
    host, _ = joined(clients, room.facilitator, room.id)
    assert host.call("floor", {"session_id": room.id, "member_id": room.observer.member_id})["error"]["code"] == "invalid"
    assert host.call("floor", {"session_id": room.id, "member_id": "someone-else"})["error"]["code"] == "invalid"


def test_controls_from_non_facilitators_are_forbidden(ctx, clients):
    room = gen_room(participants=1)
    for person in (room.participants[0], room.moderator, room.observer):
        client, _ = joined(clients, person, room.id)
        for action in ("pause", "next_phase", "lock"):
            assert client.call("session_control", {"session_id": room.id, "action": action})["error"]["code"] == "forbidden"
        assert client.call("floor", {"session_id": room.id, "member_id": None})["error"]["code"] == "forbidden"


def test_balance_figures_equal_an_independent_count(ctx, clients):
    room = gen_room(participants=4)
    host, _ = joined(clients, room.facilitator, room.id)
    sockets = [joined(clients, p, room.id)[0] for p in room.participants]
    texts = ["one two three", "four", "five six", "seven eight nine ten", "eleven"]
    for index, body in enumerate(texts):
        assert send(sockets[index % 3], room.id, body)["ok"]  # the fourth participant stays silent
    send(host, room.id, "staff words are not counted")
    figures = host.call("balance", {"session_id": room.id})["balance"]
    release_database()
    rows = stored(select(Message).where(Message.session_id == room.id, Message.channel == "room"))
    side_of = {m.user_id: m.side for m in stored(select(Membership).where(Membership.session_id == room.id,
                                                                            Membership.role == "participant"))}
    expected_messages, expected_words = Counter(), Counter()
    for message in rows:
        if message.author_id in side_of:
            label = room.session.side_label(side_of[message.author_id])
            expected_messages[label] += 1
            expected_words[label] += len(message.body_source.split())
    for label in ("Armenia", "Azerbaijan"):
        assert figures["sides"][label] == {"messages": expected_messages[label], "words": expected_words[label]}
    per_person = {p["id"]: p["messages"] for p in figures["participants"]}
    assert per_person == {p.member_id: sum(1 for m in rows if m.author_id == p.id) for p in room.participants}
    assert figures["silent"] == [room.participants[3].member_id]
    # Members see the side balance only when the facilitator turns the bar on.
    assert sockets[0].call("balance", {"session_id": room.id})["error"]["code"] == "forbidden"
    control(host, room, "show_balance")
    assert sockets[0].wait_for("session", lambda s: s["show_balance"])["balance"] == figures["sides"]
    assert sockets[0].call("balance", {"session_id": room.id})["balance"] == {"sides": figures["sides"]}


def test_consent_choices_and_their_history(ctx, clients):
    room = gen_room(participants=2)
    alice, bora = room.participants
    a, answer = joined(clients, alice, room.id)
    assert answer["me"]["consent"]["naming"] == "pseudonym"
    assert a.call("consent", {"session_id": room.id, "naming": "side", "include": True})["consent"]["naming"] == "side"
    assert a.call("consent", {"session_id": room.id, "naming": "none", "include": False})["ok"]
    other = a.call("consent", {"session_id": room.id, "naming": "named", "include": True, "member_id": bora.member_id})
    assert other["error"]["code"] == "forbidden"
    assert a.call("consent", {"session_id": room.id, "naming": "famous", "include": True})["error"]["code"] == "invalid"
    release_database()
    history = stored(select(Consent).where(Consent.session_id == room.id, Consent.user_id == alice.id)
                     .order_by(Consent.id))
    assert [(c.naming, c.include) for c in history] == [("pseudonym", True), ("side", True), ("none", False)]
    assert all(later.created_at >= earlier.created_at for earlier, later in zip(history, history[1:], strict=False))
    current = consent.current_consent(room.id, alice.id)
    assert (current.naming, current.include) == ("none", False)
    assert consent.current_consent(room.id, room.outsider.id) is None


def test_staff_back_channel_never_reaches_participants(ctx, clients):
    room = gen_room(participants=2)
    host, _ = joined(clients, room.facilitator, room.id)
    moderator, _ = joined(clients, room.moderator, room.id)
    a, _ = joined(clients, room.participants[0], room.id)
    observer, _ = joined(clients, room.observer, room.id)
    note = send(host, room.id, "Watch the tone in this phase.", channel="staff")["message"]
    assert note["channel"] == "staff"
    assert moderator.wait_for("message", lambda m: m["id"] == note["id"])["body_html"]
    assert send(a, room.id, "can I whisper?", channel="staff")["error"]["code"] == "forbidden"
    marker = send(host, room.id, "Welcome back.")["message"]
    a.wait_for("message", lambda m: m["id"] == marker["id"])
    observer.wait_for("message", lambda m: m["id"] == marker["id"])
    for client in (a, observer):
        assert all(m["channel"] == "room" for m in client.of("message"))
        history = client.call("history", {"session_id": room.id})["messages"]
        assert note["id"] not in [m["id"] for m in history]
    assert note["id"] in [m["id"] for m in moderator.call("history", {"session_id": room.id})["messages"]]


def test_locked_sessions_take_no_new_members(ctx, clients):
    room = gen_room(participants=1)
    host, _ = joined(clients, room.facilitator, room.id)
    _invitation, token = dialogues.create_invitation(room.facilitator.user, room.session, side="b")
    control(host, room, "lock")
    newcomer = gen_user()
    db.session.expire_all()  # the server locked it: read the session afresh
    with pytest.raises(DialogueError) as refused:
        dialogues.accept_invitation(newcomer, token, "Late", True)
    assert refused.value.code == "forbidden"
    control(host, room, "unlock")
    db.session.expire_all()
    assert dialogues.accept_invitation(newcomer, token, "Late", True).role == "participant"


def test_hidden_presence(ctx, clients):
    room = gen_room(participants=2)
    alice, bora = room.participants
    a, _ = joined(clients, alice, room.id)
    b, _ = joined(clients, bora, room.id)
    b.wait_for("presence", lambda p: {m["id"] for m in p["online"]} == {alice.member_id, bora.member_id})
    assert a.call("presence_settings", {"session_id": room.id, "hidden": True}) == {"ok": True}
    b.wait_for("presence", lambda p: [m["id"] for m in p["online"]] == [bora.member_id])


def test_a_pseudonymous_session_never_shows_another_members_identity(ctx, clients, live_server):
    """Walk every event and page a participant receives; no other member's real name, e-mail
    or IP address may appear."""
    facilitator = gen_user("facilitator", real_name="Anahit Petrosyan")
    session = gen_session(facilitator, pseudonymous=True, title="Pseudonymous dialogue")
    people = []
    for side, real in (("a", "Armen Hakobyan"), ("b", "Leyla Mammadova"), ("b", "Rashad Aliyev")):
        user = gen_user(real_name=real)
        membership = dialogues.add_member(session, user, display_name=real, role="participant", side=side)
        assert membership.display_name.startswith("Participant ") and real not in membership.display_name
        from .factories import Person, gen_token

        people.append(Person(user, membership, gen_token(user)))
    moderator = gen_user("moderator", real_name="Samvel Grigoryan")
    dialogues.add_member(session, moderator, display_name="Moderator", role="moderator", side=None)

    agenda.apply_template(facilitator, session.id, "workshop")
    release_database()
    viewer, *others = people
    watcher, join_answer = joined(clients, viewer, session.id)
    other_sockets = [joined(clients, p, session.id)[0] for p in others]
    from .factories import gen_token
    from .helpers import RecordingClient

    host = RecordingClient(live_server.url, gen_token(facilitator)).connect()
    try:
        host.call("join", {"session_id": session.id})
        control(host, session, "next_phase")
        control(host, session, "floor_mode", floor_mode="queue")
        other_sockets[0].call("hand", {"session_id": session.id, "raised": True})
        host.call("floor", {"session_id": session.id, "member_id": others[0].member_id, "seconds": 60})
        send(other_sockets[0], session.id, "A view from the other side.")
        control(host, session, "floor_mode", floor_mode="open")
        control(host, session, "show_balance")
        send(host, session.id, "Thank you.")
        send(host, session.id, "staff only", channel="staff")
        moderation_settings.update_settings(facilitator, session.id, {"moderation": "pre"})
        release_database()
        sent = send(watcher, session.id, "my own held message")["message"]
        watcher.call("history", {"session_id": session.id})
        watcher.call("balance", {"session_id": session.id})
        watcher.wait_for("notice")
        seen = repr(watcher.events) + repr(join_answer)
        viewer_email = viewer.user.email
        release_database()
        web = requests.Session()
        page = web.get(f"{live_server.url}/login", timeout=5).text
        csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        web.post(f"{live_server.url}/login", data={"email": viewer_email, "password": PASSWORD,
                                                   "csrf_token": csrf}, timeout=5)
        for path in ("/", f"/s/{session.id}", "/settings"):
            response = web.get(live_server.url + path, timeout=5)
            assert response.status_code == 200, path
            seen += response.text
        assert sent["status"] == "held"
    finally:
        host.close()
    for person in (*others, ):
        assert person.user.real_name not in seen and person.user.email not in seen
    for user in (facilitator, moderator):
        assert user.real_name not in seen and user.email not in seen
    assert "127.0.0.1" not in seen.replace(live_server.url, "")
    assert others[0].membership.display_name in seen, "the walk did see the other members"


def test_gentle_nudges(ctx, clients):
    from datetime import timedelta

    from dialogue.models import DialogueSession, utcnow

    room = gen_room(participants=3)
    quiet, talker, away = room.participants
    host, _ = joined(clients, room.facilitator, room.id)
    q, _ = joined(clients, quiet, room.id)
    t, _ = joined(clients, talker, room.id)
    answer = host.call("session_settings", {"session_id": room.id, "nudge_after_minutes": 5,
                                            "share_alert_percent": 70})
    assert answer["ok"]
    for index in range(4):
        assert send(t, room.id, f"talking {index}")["ok"]
    # Ten minutes pass for everyone but the talker, who just spoke.
    release_database()
    earlier = utcnow() - timedelta(minutes=10)
    session = db.session.get(DialogueSession, room.id)
    session.started_at = earlier
    for membership in db.session.scalars(select(Membership).where(Membership.session_id == room.id)):
        membership.joined_at = earlier
    db.session.commit()
    nudge = q.wait_for("notice", lambda n: n["kind"] == "nudge", timeout=10)
    assert nudge["minutes"] == 5 and nudge["reason"]
    alert = host.wait_for("notice", lambda n: n["kind"] == "balance", timeout=10)
    assert alert == {"kind": "balance", "side": room.session.side_label(talker.membership.side), "share": 100,
                     "threshold": 70}
    marker = send(host, room.id, "marker")["message"]
    t.wait_for("message", lambda m: m["id"] == marker["id"])
    assert t.of("notice") == [], "the talker is not nudged, and participants get no balance alert"
    assert [n["kind"] for n in q.of("notice")] == ["nudge"], "one nudge per silence, and no staff alerts"
    release_database()
    nudged = dict(db.session.execute(select(Membership.user_id, Membership.nudged_at)
                                     .where(Membership.session_id == room.id)).all())
    db.session.commit()
    assert nudged[quiet.id] is not None and nudged[away.id] is None, "only members in the room are nudged"
    assert host.call("session_settings", {"session_id": room.id, "share_alert_percent": 20})["error"]["code"] == "invalid"


def test_a_pause_stops_the_clocks_and_the_staff_can_still_talk(ctx, clients):
    from datetime import timedelta

    from dialogue.models import DialogueSession, utcnow

    room = gen_room(participants=1)
    agenda.set_agenda(room.facilitator.user, room.id, [{"title": "Only phase", "minutes": 30}])
    release_database()
    host, _ = joined(clients, room.facilitator, room.id)
    a, _ = joined(clients, room.participants[0], room.id)
    control(host, room, "next_phase")
    control(host, room, "floor_mode", floor_mode="queue")
    host.call("floor", {"session_id": room.id, "member_id": room.participants[0].member_id, "seconds": 60})
    before = control(host, room, "pause")
    assert before["agenda_length"] == 1 and before["floor"] is not None
    assert send(host, room.id, "Let us take a breath.", channel="staff")["ok"], "the back-channel stays open"
    # A long pause: ten minutes ago; the floor's time would be up by now, but a paused floor stands still.
    release_database()
    session = db.session.get(DialogueSession, room.id)
    session.paused_at = utcnow() - timedelta(minutes=10)
    session.floor_ends_at = utcnow() - timedelta(minutes=9)
    db.session.commit()
    assert floor.expire_floors() == 0
    after = control(host, room, "resume")
    assert after["floor"] is not None and after["floor"]["member_id"] == room.participants[0].member_id
    from dialogue.protocol import iso

    assert after["floor"]["ends_at"] > iso(utcnow()), "the floor's remaining time was kept"
    assert after["phase"]["ends_at"] > before["phase"]["ends_at"], "the phase's end moved on by the pause"
    control(host, room, "end")
    assert a.call("hand", {"session_id": room.id, "raised": True})["error"]["code"] == "session_not_live"


def test_a_removed_participant_leaves_the_hands_and_the_floor(ctx, clients):
    room, alice, bora, host, _a, b = _two_hands_up(clients)
    host.call("floor", {"session_id": room.id, "member_id": alice.member_id})
    position = b.mark()
    assert host.call("sanction", {"session_id": room.id, "member_id": alice.member_id, "action": "remove",
                                  "reason": "Threats"})["ok"]
    state = b.wait_for("session", lambda s: s["floor"] is None, since=position)
    assert state["hands"] == [bora.member_id]


def test_the_rooms_phase_titles_are_those_opened_never_those_to_come(ctx):
    room = gen_room(participants=1)
    host = room.facilitator.user
    agenda.set_agenda(host, room.id, [{"title": "Introductions"}, {"title": "Memories"}, {"title": "Secret plan"}])
    session = db.session.get(type(room.session), room.id)
    assert session_state.opened_phase_titles(session) == []
    for _ in range(2):
        dialogues_control(host, room.id, "next_phase")
    assert session_state.opened_phase_titles(session) == ["Introductions", "Memories"]
    # Back to the first phase, and the agenda rewritten: the titles are those the room saw.
    dialogues_control(host, room.id, "previous_phase")
    agenda.set_agenda(host, room.id, [{"title": "Renamed"}, {"title": "Also renamed"}, {"title": "Still secret"}])
    assert session_state.opened_phase_titles(session) == ["Introductions", "Memories"]
    dialogues_control(host, room.id, "next_phase")
    assert session_state.opened_phase_titles(session) == ["Introductions", "Also renamed"]


def _two_hands_up(clients):
    """A session in queue mode where both participants have raised their hands."""
    room = gen_room(participants=2)
    alice, bora = room.participants
    host, _ = joined(clients, room.facilitator, room.id)
    a, _ = joined(clients, alice, room.id)
    b, _ = joined(clients, bora, room.id)
    control(host, room, "floor_mode", floor_mode="queue")
    for client in (a, b):
        assert client.call("hand", {"session_id": room.id, "raised": True}) == {"ok": True}
    b.wait_for("session", lambda s: len(s["hands"]) == 2)
    return room, alice, bora, host, a, b


def test_switching_to_the_open_floor_lowers_every_hand(ctx, clients):
    room, _alice, _bora, host, a, b = _two_hands_up(clients)
    positions = {client: client.mark() for client in (a, b)}
    control(host, room, "floor_mode", floor_mode="open")
    for client in (a, b):
        state = client.wait_for("session", lambda s: s["floor_mode"] == "open", since=positions[client])
        assert state["hands"] == [] and state["floor"] is None, "no hand is left up with nothing to lower it"
    assert session_state.hands(db.session.get(type(room.session), room.id)) == []


def test_a_muted_participant_leaves_the_queue_and_cannot_be_given_the_floor(ctx, clients):
    room, alice, bora, host, a, b = _two_hands_up(clients)
    assert host.call("floor", {"session_id": room.id, "member_id": alice.member_id}) == {"ok": True}
    position = b.mark()
    assert host.call("sanction", {"session_id": room.id, "member_id": alice.member_id, "action": "mute",
                                  "minutes": 10, "reason": "Calm down"})["ok"]
    state = b.wait_for("session", lambda s: s["floor"] is None, since=position)
    assert state["hands"] == [bora.member_id], "the muted member holds neither the floor nor a place in the queue"
    # While muted: no hand goes up, and the floor is refused to them.
    refused = a.call("hand", {"session_id": room.id, "raised": True})
    assert refused["ok"] is False and refused["error"]["code"] == "muted" and refused["error"]["until"]
    given = host.call("floor", {"session_id": room.id, "member_id": alice.member_id})
    assert given["ok"] is False and given["error"]["code"] == "invalid" and "muted" in given["error"]["message"]
    assert a.call("hand", {"session_id": room.id, "raised": False}) == {"ok": True}, "lowering is always allowed"
    # Unmuted, they may queue again.
    assert host.call("sanction", {"session_id": room.id, "member_id": alice.member_id, "action": "unmute"})["ok"]
    assert a.call("hand", {"session_id": room.id, "raised": True}) == {"ok": True}


def test_alternate_mode_passes_over_a_muted_participant(ctx, clients):
    room = gen_room(participants=3)
    alice, bora, third = room.participants  # sides a, b, a
    host, _ = joined(clients, room.facilitator, room.id)
    clients_by = {person.member_id: joined(clients, person, room.id)[0] for person in (alice, bora, third)}
    control(host, room, "floor_mode", floor_mode="queue")
    for person in (alice, third):
        assert clients_by[person.member_id].call("hand", {"session_id": room.id, "raised": True}) == {"ok": True}
    assert host.call("sanction", {"session_id": room.id, "member_id": alice.member_id, "action": "mute",
                                  "minutes": 5, "reason": "Calm down"})["ok"]
    position = clients_by[bora.member_id].mark()
    control(host, room, "floor_mode", floor_mode="alternate")
    state = clients_by[bora.member_id].wait_for("session", lambda s: s["floor_mode"] == "alternate", since=position)
    assert state["floor"] is not None and state["floor"]["member_id"] == third.member_id


@pytest.mark.parametrize("minutes", ["²", "٣", "1_0", "+5", "-5", "5.0", "0", "601", "9" * 40, "ten"])
def test_a_time_box_that_is_not_a_whole_number_is_refused_with_the_forms_error(ctx, http, minutes):
    """The manage page's agenda form: digits `int()` cannot read (a superscript passes
    `isdigit()`), other scripts' digits, signs or numbers out of bounds answer 400 with the
    agenda's error and leave the agenda as it was."""
    room = gen_room(participants=1)
    agenda.set_agenda(room.facilitator.user, room.id, [{"title": "Kept", "minutes": 5}])
    sign_in(http, room.facilitator.user.email)
    manage = f"/sessions/{room.id}/manage"
    response = post_form(http, f"/sessions/{room.id}/agenda", {
        "title": ["Opening", "Memory"], "prompt": ["", ""], "minutes": ["10", minutes]}, form_page=manage)
    assert response.status_code == 400
    assert "A time box is from 1 to 600 minutes, or none." in response.get_data(as_text=True)
    kept = db.session.scalars(select(AgendaPhase).where(AgendaPhase.session_id == room.id)).all()
    assert [(phase.title, phase.minutes) for phase in kept] == [("Kept", 5)]


def test_a_time_box_in_digits_or_empty_is_saved(ctx, http):
    room = gen_room(participants=1)
    sign_in(http, room.facilitator.user.email)
    manage = f"/sessions/{room.id}/manage"
    response = post_form(http, f"/sessions/{room.id}/agenda", {
        "title": ["Opening", "Memory", "Close"], "prompt": ["", "", ""], "minutes": [" 10 ", "", "600"]},
        form_page=manage)
    assert response.status_code == 302
    saved = db.session.scalars(select(AgendaPhase).where(AgendaPhase.session_id == room.id)
                               .order_by(AgendaPhase.position)).all()
    assert [(phase.title, phase.minutes) for phase in saved] == [("Opening", 10), ("Memory", None), ("Close", 600)]
