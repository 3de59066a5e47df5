"""Random and malformed payloads for every client-to-server event (Hypothesis): each is
answered with a clean refusal or a correct result, never an internal error, and the
connection stays up."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dialogue.errors import ERROR_CODES
from dialogue.extensions import db, socketio

from .conftest import queueless
from .factories import gen_room
from .test_permission_matrix import MATRIX

# The fields each event reads, so that generated payloads reach past the first checks.
FIELDS = ["session_id", "since_seq", "client_id", "body", "reply_to", "channel", "message_id", "reason", "note",
          "item_id", "item_ids", "action", "member_id", "minutes", "moderation", "flag_threshold", "two_key",
          "nudge_after_minutes", "share_alert_percent", "floor_mode", "raised", "seconds", "naming", "include",
          "hidden", "user_id"]

scalars = st.one_of(
    st.none(), st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=False),
    st.text(max_size=80),
    st.sampled_from(["", " ", "\x00", "\ud800", "live", "start", "next_phase", "warn", "mute", "remove", "approve",
                     "reject", "redact", "pre", "post", "queue", "alternate", "named", "none", "staff", "room",
                     "off_topic", "other", "𝕜𝕚𝕝𝕝", "<script>alert(1)</script>", "' OR 1=1 --", "9" * 30]),
)
values = st.recursive(scalars, lambda children: st.lists(children, max_size=4)
                      | st.dictionaries(st.text(max_size=8), children, max_size=4), max_leaves=10)


@pytest.fixture(scope="module")
def app(app):
    """The app without a message queue, which Flask-SocketIO's test client cannot work with."""
    with queueless(app) as other:
        yield other


@pytest.fixture(scope="module")
def room_facts(app):
    with app.app_context():
        room = gen_room(participants=2)
        facts = {"session_id": room.id, "tokens": [room.facilitator.token, room.participants[0].token],
                 "member_id": room.participants[1].member_id}
        db.session.commit()
        db.session.remove()
    return facts


@pytest.mark.parametrize("event", sorted(MATRIX))
def test_random_payloads_are_answered_cleanly(app, room_facts, event):
    real = st.fixed_dictionaries({}, optional={
        "session_id": st.one_of(st.just(room_facts["session_id"]), values),
        "member_id": st.one_of(st.just(room_facts["member_id"]), values),
        **{name: values for name in FIELDS if name not in ("session_id", "member_id")}})
    payloads = st.one_of(real, values, st.dictionaries(st.text(max_size=12), values, max_size=6))

    @settings(max_examples=40, deadline=None, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(payload=payloads, as_staff=st.booleans())
    def check(payload, as_staff):
        with app.app_context():
            token = room_facts["tokens"][0 if as_staff else 1]
            client = socketio.test_client(app, auth={"token": token})
            try:
                answer = client.emit(event, payload, callback=True)
                assert client.is_connected()
            finally:
                client.disconnect()
                db.session.remove()
        assert isinstance(answer, dict) and isinstance(answer.get("ok"), bool), answer
        if not answer["ok"]:
            assert answer["error"]["code"] in ERROR_CODES and answer["error"]["code"] != "internal", (payload, answer)
            assert isinstance(answer["error"]["message"], str) and answer["error"]["message"]

    check()
