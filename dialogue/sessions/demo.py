"""The demo session of `dialogue demo` (docs/protocol.md section 17): new accounts, the
memory-and-reconciliation agenda with its first phase open, a short sample exchange between
the two sides, an interpreter's translations, and one message held for the moderator.

Everything goes through the platform's own actions, so the sample messages are sanitized,
screened and chained like any other, and the held one is held by the screening itself.
"""

from __future__ import annotations

import secrets

from .. import permissions
from ..auth import accounts
from ..facilitation import agenda
from ..facilitation.control import control
from ..models import User
from ..room.messages import send_message
from ..room.translations import translate
from . import actions as dialogues

TITLE = "Memory, recognition and reconciliation (demo)"

DESCRIPTION = (
    "A demonstration of a facilitated dialogue on memory, recognition and reconciliation. "
    "People from both societies share what the war has meant for their families, listen to "
    "each other, and look for what they can recognise together. Nothing here is real."
)

TEMPLATE = "memory"

WELCOME = ("Welcome, everyone. In this first phase, say who you are, as much as you wish to share, "
           "and what brought you here. Speak for yourself, and listen before you answer.")

# The sample exchange: (side, language, text, English translation or None). The sides
# alternate and each says the same kind of thing: a family memory, then thanks and the wish
# to listen. No claims about the conflict, nothing either side could read as aimed at it.
EXCHANGE = (
    ("a", "en", "I teach at a school. My grandmother often spoke of the neighbours she grew up with, "
                "and I came to hear how families on the other side remember those years.", None),
    ("b", "en", "I am an engineer. My father still talks about the friends he had as a boy. "
                "I came because I want to listen, not to argue.", None),
    ("a", "hy", "Շնորհակալ եմ, որ կիսվեցիք։ Ես էլ այստեղ եմ՝ լսելու համար։",
     "Thank you for sharing. I am here to listen too."),
    ("b", "az", "Paylaşdığınız üçün sağ olun. Mən də dinləmək üçün buradayam.",
     "Thank you for sharing. I am here to listen too."),
)

# Identifying information (a phone number) is held by the screening for a moderator to
# decide; the session stays in post-moderation.
HELD = ("b", "If anyone would like to keep talking after the session, my number is 012 345 6789.")


def create_demo(participants: int, base_url: str) -> dict:
    """Create demo accounts and a live session; return the logins as protocol.md's demo JSON."""
    suffix = secrets.token_hex(4)

    def person(role: str, name: str, platform_role: str) -> tuple[User, dict]:
        password = secrets.token_urlsafe(12)
        email = f"demo-{name.lower().replace(' ', '-')}-{suffix}@example.org"
        user = accounts.create_user(email, f"Demo {name}", password, platform_role)
        _token, plaintext = accounts.create_api_token(user, "demo")
        return user, {"id": user.id, "member_id": None, "name": name, "email": email, "password": password,
                      "token": plaintext, "role": role, "side": None}

    facilitator, facilitator_json = person("facilitator", "Facilitator", "facilitator")
    session = dialogues.create_session(facilitator, title=TITLE, description=DESCRIPTION,
                                       facilitator_name="Facilitator")
    facilitator_json["member_id"] = permissions.current_membership(facilitator, session).public_id
    moderator, moderator_json = person("moderator", "Moderator", "moderator")
    moderator_json["member_id"] = dialogues.add_member(session, moderator, display_name="Moderator",
                                                       role="moderator", side=None).public_id
    interpreter, interpreter_json = person("interpreter", "Interpreter", "participant")
    interpreter_json["member_id"] = dialogues.add_member(session, interpreter, display_name="Interpreter",
                                                         role="interpreter", side=None).public_id
    people, by_side = [], {"a": [], "b": []}
    for index in range(participants):
        side = "ab"[index % 2]
        name = f"Participant {index + 1}"
        user, info = person("participant", name, "participant")
        info["member_id"] = dialogues.add_member(session, user, display_name=name, role="participant",
                                                 side=side).public_id
        info["side"] = session.side_label(side)
        people.append(info)
        by_side[side].append(user)

    agenda.apply_template(facilitator, session.id, TEMPLATE)
    dialogues.change_state(facilitator, session.id, "start")
    control(facilitator, session.id, "next_phase")
    _sample_exchange(session.id, facilitator, interpreter, by_side)
    return {"session_id": session.id, "url": f"{base_url}/s/{session.id}",
            "facilitator": facilitator_json, "moderator": moderator_json, "interpreter": interpreter_json,
            "participants": people}


def _sample_exchange(session_id: str, facilitator: User, interpreter: User, by_side: dict[str, list[User]]) -> None:
    """The facilitator's welcome, the two sides' sample messages (each side's speakers in
    turn), the interpreter's translations into English, and the held message."""
    turns = {"a": 0, "b": 0}

    def speaker(side: str) -> User:
        users = by_side[side]
        user = users[turns[side] % len(users)]
        turns[side] += 1
        return user

    send_message(facilitator, session_id, "demo-welcome", WELCOME, lang="en")
    for number, (side, lang, text, english) in enumerate(EXCHANGE, start=1):
        message, _created = send_message(speaker(side), session_id, f"demo-{number}", text, lang=lang)
        if english is not None:
            translate(interpreter, session_id, message.id, "en", english, f"demo-translation-{number}")
    side, text = HELD
    send_message(speaker(side), session_id, "demo-held", text, lang="en")
