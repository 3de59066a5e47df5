"""The names a session suggests: numbered from 1 for its first participant, whoever else
(facilitators, moderators, interpreters, observers) joined before."""

from __future__ import annotations

from dialogue.sessions import actions as dialogues
from dialogue.sessions.names import suggest_name

from .factories import gen_member, gen_session, gen_user
from .test_auth import sign_in


def test_the_first_participant_is_offered_participant_1(ctx, app):
    session = gen_session()
    invitation, token = dialogues.create_invitation(session.created_by, session, side="a", max_uses=None)
    guest = app.test_client()
    sign_in(guest, gen_user().email)
    # Only the facilitator is a member: the first participant is Participant 1, not 2.
    assert 'value="Participant 1"' in guest.get(f"/invite/{token}").get_data(as_text=True)
    # Staff, interpreters and observers do not take a participant's number.
    for role in ("moderator", "interpreter", "observer"):
        gen_member(session, role, side=None)
    assert suggest_name(session, "b") == "Participant 1"
    assert 'value="Participant 1"' in guest.get(f"/invite/{token}").get_data(as_text=True)
    gen_member(session, "participant", side="a", name="Participant 1")
    gen_member(session, "participant", side="b", name="Sunrise")
    assert suggest_name(session, "a") == "Participant 3"
    # Per session: another session starts again at 1.
    assert suggest_name(gen_session(), "a") == "Participant 1"
