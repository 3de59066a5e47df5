"""Numbers too large (or too far below zero) for a row id (beyond PostgreSQL's 32-bit integer,
within JSON's 64 bits)
in every event that names a row or a position: each is answered as an unknown row or an
invalid value, never as a server failure, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import pytest

from dialogue.models import MAX_ROW_ID

from .factories import gen_room
from .helpers import joined

pytestmark = pytest.mark.live

HUGE = [MAX_ROW_ID + 1, 10**12, 2**63 - 1, -(MAX_ROW_ID + 2), -(2**63 - 1)]


@pytest.mark.parametrize("number", HUGE)
def test_huge_ids_are_unknown_rows_not_failures(ctx, clients, number):
    room = gen_room(participants=2)
    author, _ = joined(clients, room.participants[0], room.id)
    moderator, _ = joined(clients, room.moderator, room.id)
    host, _ = joined(clients, room.facilitator, room.id)
    interpreter = author  # a participant's translate is refused before any lookup matters
    cases = [
        (author, "send", {"session_id": room.id, "client_id": "c-huge", "body": "Hello", "reply_to": number}),
        (author, "flag", {"message_id": number, "reason": "spam"}),
        (author, "edit", {"message_id": number, "body": "Nothing"}),
        (author, "delete", {"message_id": number}),
        (moderator, "claim", {"item_id": number}),
        (moderator, "release", {"item_id": number}),
        (moderator, "decide", {"item_id": number, "action": "approve"}),
        (moderator, "decide", {"item_ids": [number], "action": "approve"}),
        (moderator, "undo", {"item_id": number}),
        (moderator, "moderate", {"message_id": number, "action": "hide", "reason": "Why"}),
        (interpreter, "translate", {"session_id": room.id, "message_id": number, "lang": "az", "body": "Salam"}),
        (author, "history", {"session_id": room.id, "since_seq": number}),
        (author, "search", {"session_id": room.id, "q": "Hello", "before": number}),
        (author, "join", {"session_id": room.id, "since_seq": number}),
        (moderator, "untranslated", {"session_id": room.id, "lang": "az", "before": number}),
        # Numbers that are not ids but are stored or computed with: limits of their own.
        (moderator, "sanction", {"session_id": room.id, "member_id": room.participants[1].member_id,
                                 "action": "mute", "minutes": number, "reason": "Calm"}),
        (host, "floor", {"session_id": room.id, "member_id": room.participants[1].member_id, "seconds": number}),
        (host, "session_settings", {"session_id": room.id, "flag_threshold": number}),
        (host, "session_settings", {"session_id": room.id, "share_alert_percent": number}),
        (host, "session_settings", {"session_id": room.id, "nudge_minutes": number}),
    ]
    for client, event, payload in cases:
        answer = client.call(event, payload)
        results = answer.get("results") if answer.get("ok") else None
        if results is not None:  # a bulk decision answers per item
            answer = results[0]
        if answer.get("ok"):
            assert event in ("history", "join", "search"), (event, payload, answer)
            continue  # a position beyond the end is simply nothing more
        assert answer["error"]["code"] in ("not_found", "invalid", "forbidden"), (event, payload, answer)
