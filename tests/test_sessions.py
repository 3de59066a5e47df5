"""Facilitators' pages and invitations: creating sessions, inviting, joining, removing."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from dialogue.auth import accounts
from dialogue.errors import DialogueError
from dialogue.extensions import db
from dialogue.models import DialogueSession, Invitation, Membership, utcnow
from dialogue.moderation import settings as moderation_settings
from dialogue.sessions import actions as dialogues

from .factories import PASSWORD, gen_member, gen_room, gen_session, gen_user
from .test_auth import csrf_token, post_form, sign_in

# The join form's answers to its two consent questions (neither is chosen beforehand).
CONSENT = {"naming": "pseudonym", "include": "yes"}


def create_invitation_link(http, session_id: str, **fields) -> str:
    token = csrf_token(http, f"/sessions/{session_id}/manage")
    data = {"role": "participant", "side": "a", "max_uses": "1", "days": "7", "label": "", **fields}
    page = http.post(f"/sessions/{session_id}/invitations", data={**data, "csrf_token": token})
    assert page.status_code == 200, page.get_data(as_text=True)[:500]
    return re.search(r'(http://localhost/invite/[A-Za-z0-9_\-]+)', page.get_data(as_text=True)).group(1)


def test_facilitator_creates_a_session_with_defaults(ctx, http):
    facilitator = gen_user("facilitator")
    sign_in(http, facilitator.email)
    token = csrf_token(http, "/sessions/new")
    form = http.get("/sessions/new").get_data(as_text=True)
    assert "Armenia" in form and "Azerbaijan" in form and "Speak for yourself" in form
    response = http.post("/sessions/new", data={
        "csrf_token": token, "title": "Memory and recognition", "description": "A first meeting",
        "side_a_label": "Armenia", "side_b_label": "Azerbaijan", "language": "en",
        "facilitator_name": "Host", "ground_rules": "Be kind."})
    assert response.status_code == 302
    session_id = response.headers["Location"].split("/")[2]
    session = db.session.get(DialogueSession, session_id)
    assert session.state == "draft" and session.ground_rules == "Be kind."
    assert len(session_id) >= 16, "session ids are not guessable"
    membership = db.session.scalars(select(Membership).where(Membership.session_id == session_id)).one()
    assert (membership.user_id, membership.role, membership.display_name) == (facilitator.id, "facilitator", "Host")


def test_sides_must_differ_and_title_is_required(ctx, http):
    facilitator = gen_user("facilitator")
    sign_in(http, facilitator.email)
    token = csrf_token(http, "/sessions/new")
    response = http.post("/sessions/new", data={
        "csrf_token": token, "title": "x", "side_a_label": "Same", "side_b_label": "same",
        "language": "en", "facilitator_name": "Host", "ground_rules": "r"})
    assert response.status_code == 400 and "different labels" in response.get_data(as_text=True)


@pytest.mark.parametrize("role", ["participant", "observer", "moderator"])
def test_only_facilitators_and_admins_create_sessions(ctx, http, role):
    sign_in(http, gen_user(role).email)
    assert http.get("/sessions/new").status_code == 403


def test_manage_page_is_for_the_sessions_facilitators(ctx, http):
    room = gen_room(participants=2)
    sign_in(http, room.participants[0].user.email)
    assert http.get(f"/sessions/{room.id}/manage").status_code == 403
    other = gen_user("facilitator")
    other_http = http.application.test_client()
    sign_in(other_http, other.email)
    assert other_http.get(f"/sessions/{room.id}/manage").status_code == 403
    host = http.application.test_client()
    sign_in(host, room.facilitator.user.email)
    page = host.get(f"/sessions/{room.id}/manage").get_data(as_text=True)
    for person in room.participants:
        assert person.user.real_name in page and person.user.email in page


def test_invitation_to_membership_for_a_new_person(ctx, http, app):
    session = gen_session(state="live")
    host = app.test_client()
    sign_in(host, session.created_by.email)
    link = create_invitation_link(host, session.id, side="b", label="Baku group")
    path = link.replace("http://localhost", "")

    welcome = http.get(path)
    assert welcome.status_code == 200 and session.title in welcome.get_data(as_text=True)
    register = f"/register?next={path}"
    token = csrf_token(http, register)
    response = http.post(register, data={"csrf_token": token, "real_name": "Leyla Q", "email": "leyla@example.org",
                                         "password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"].startswith("/login?next=")
    assert sign_in(http, "leyla@example.org", next_url=path).headers["Location"] == path
    join_page = http.get(path).get_data(as_text=True)
    assert "Participant" in join_page and session.ground_rules.splitlines()[0][:30] in join_page
    token = csrf_token(http, path)
    # Consent is an active choice: nothing is chosen beforehand, and joining needs both answers.
    assert 'type="radio"' in join_page and "checked" not in join_page
    unchosen = http.post(path, data={"csrf_token": token, "display_name": "Sunrise", "accept_rules": "y"})
    page = unchosen.get_data(as_text=True)
    assert unchosen.status_code == 400 and "Choose how you want to be named" in page
    assert "Choose whether your words may appear" in page
    half = http.post(path, data={"csrf_token": token, "display_name": "Sunrise", "accept_rules": "y",
                                 "naming": "side", "include": "maybe"})
    assert half.status_code == 400 and "Choose whether your words may appear" in half.get_data(as_text=True)
    assert db.session.scalar(select(Membership).where(Membership.session_id == session.id)
                             .where(Membership.display_name == "Sunrise")) is None
    refused = http.post(path, data={"csrf_token": token, "display_name": "Sunrise", **CONSENT})
    assert refused.status_code == 400 and "accept the ground rules" in refused.get_data(as_text=True)
    joined = http.post(path, data={"csrf_token": token, "display_name": "Sunrise", "accept_rules": "y", **CONSENT})
    assert joined.status_code == 302 and joined.headers["Location"] == f"/s/{session.id}"
    membership = db.session.scalars(select(Membership).where(Membership.session_id == session.id,
                                                            Membership.display_name == "Sunrise")).one()
    assert (membership.side, membership.role) == ("b", "participant")
    room_page = http.get(f"/s/{session.id}")
    assert room_page.status_code == 200
    assert session.created_by.email not in room_page.get_data(as_text=True)
    # Single use: a second person is turned away.
    late = app.test_client()
    sign_in(late, gen_user().email)
    assert late.get(path).status_code == 404


def test_multi_use_invitation_and_names_are_unique_per_session(ctx, app):
    session = gen_session()
    host = app.test_client()
    sign_in(host, session.created_by.email)
    path = create_invitation_link(host, session.id, max_uses="", side="a").replace("http://localhost", "")
    first, second = app.test_client(), app.test_client()
    for client in (first, second):
        sign_in(client, gen_user().email)
    token = csrf_token(first, path)
    assert first.post(path, data={"csrf_token": token, "display_name": "River", "accept_rules": "y", **CONSENT}).status_code == 302
    token = csrf_token(second, path)
    taken = second.post(path, data={"csrf_token": token, "display_name": "RIVER", "accept_rules": "y", **CONSENT})
    assert taken.status_code == 400 and "already uses that name" in taken.get_data(as_text=True)
    assert second.post(path, data={"csrf_token": token, "display_name": "Lake", "accept_rules": "y", **CONSENT}).status_code == 302


def test_expired_and_revoked_invitations_do_not_work(ctx, app, http):
    session = gen_session()
    invitation, token = dialogues.create_invitation(session.created_by, session, side="a")
    sign_in(http, gen_user().email)
    assert http.get(f"/invite/{token}").status_code == 200
    invitation.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert http.get(f"/invite/{token}").status_code == 404
    invitation.expires_at = utcnow() + timedelta(days=1)
    db.session.commit()
    host = app.test_client()
    sign_in(host, session.created_by.email)
    post_form(host, f"/invitations/{invitation.id}/revoke", {}, form_page=f"/sessions/{session.id}/manage")
    db.session.expire_all()
    assert db.session.get(Invitation, invitation.id).revoked_at is not None
    assert http.get(f"/invite/{token}").status_code == 404
    assert http.get("/invite/not-a-token").status_code == 404


def test_invitations_are_stored_hashed(ctx):
    session = gen_session()
    invitation, token = dialogues.create_invitation(session.created_by, session, side="a")
    assert token not in invitation.token_hash


def test_participants_need_a_side_and_only_facilitators_invite(ctx):
    room = gen_room(participants=1)
    with pytest.raises(DialogueError) as refused:
        dialogues.create_invitation(room.facilitator.user, room.session, side=None)
    assert refused.value.code == "invalid"
    with pytest.raises(DialogueError) as forbidden:
        dialogues.create_invitation(room.participants[0].user, room.session, side="a")
    assert forbidden.value.code == "forbidden"


def test_start_and_end_from_the_manage_page(ctx, app):
    session = gen_session(state="draft")
    host = app.test_client()
    sign_in(host, session.created_by.email)
    manage = f"/sessions/{session.id}/manage"
    assert post_form(host, f"/sessions/{session.id}/state/start", {}, form_page=manage).status_code == 302
    db.session.expire_all()
    assert db.session.get(DialogueSession, session.id).state == "live"
    # Without script, ending asks on a page of its own first: one click ends nothing.
    asked = post_form(host, f"/sessions/{session.id}/state/end", {}, form_page=manage)
    page = asked.get_data(as_text=True)
    assert asked.status_code == 200 and 'name="confirmed" value="yes"' in page and "the record closes" in page
    db.session.expire_all()
    assert db.session.get(DialogueSession, session.id).state == "live"
    ended = post_form(host, f"/sessions/{session.id}/state/end", {"confirmed": "yes"}, form_page=manage)
    assert ended.status_code == 302
    db.session.expire_all()
    assert db.session.get(DialogueSession, session.id).state == "ended"
    again = post_form(host, f"/sessions/{session.id}/state/start", {}, form_page=manage)
    assert again.status_code == 409 and "Traceback" not in again.get_data(as_text=True)


def test_an_unconfirmed_end_asks_only_those_who_may_end(ctx, app):
    room = gen_room(participants=1)
    participant = app.test_client()
    sign_in(participant, room.participants[0].user.email)
    token = csrf_token(participant, f"/s/{room.id}")
    assert participant.post(f"/sessions/{room.id}/state/end", data={"csrf_token": token}).status_code == 403


def test_reopening_from_the_manage_page(ctx, app):
    session = gen_session(state="live")
    host = app.test_client()
    sign_in(host, session.created_by.email)
    manage = f"/sessions/{session.id}/manage"
    post_form(host, f"/sessions/{session.id}/state/end", {"confirmed": "yes"}, form_page=manage)
    page = host.get(manage).get_data(as_text=True)
    assert 'id="reopen-form"' in page and "Reopen (until" in page
    assert post_form(host, f"/sessions/{session.id}/state/reopen", {}, form_page=manage).status_code == 302
    db.session.expire_all()
    reopened = db.session.get(DialogueSession, session.id)
    assert reopened.state == "live" and reopened.ended_at is None
    assert 'id="reopen-form"' not in host.get(manage).get_data(as_text=True)


def test_room_page_is_for_members_and_admins(ctx, app):
    room = gen_room(participants=1)
    for person, status in ((room.participants[0], 200), (room.observer, 200), (room.outsider, 403)):
        client = app.test_client()
        sign_in(client, person.user.email)
        assert client.get(f"/s/{room.id}").status_code == status
    admin = app.test_client()
    sign_in(admin, gen_user("admin").email)
    assert admin.get(f"/s/{room.id}").status_code == 200


def test_removing_a_member_from_the_manage_page(ctx, app):
    room = gen_room(participants=2)
    host = app.test_client()
    sign_in(host, room.facilitator.user.email)
    target = room.participants[0].membership
    # Without script, removing asks on a page of its own first, keeping the reason.
    asked = post_form(host, f"/members/{target.id}/remove", {"reason": "broke the rules"},
                      form_page=f"/sessions/{room.id}/manage")
    page = asked.get_data(as_text=True)
    assert asked.status_code == 200 and 'value="broke the rules"' in page and 'name="confirmed"' in page
    db.session.expire_all()
    assert db.session.get(Membership, target.id).revoked_at is None
    response = post_form(host, f"/members/{target.id}/remove", {"reason": "broke the rules", "confirmed": "yes"},
                         form_page=f"/sessions/{room.id}/manage")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Membership, target.id).revoked_at is not None
    gone = app.test_client()
    sign_in(gone, room.participants[0].user.email)
    assert gone.get(f"/s/{room.id}").status_code == 403


def test_home_lists_my_sessions(ctx, app):
    room = gen_room(participants=1)
    _user, _membership = gen_member(gen_session(title="Another dialogue"), user=room.participants[0].user)
    client = app.test_client()
    sign_in(client, room.participants[0].user.email)
    page = client.get("/").get_data(as_text=True)
    assert "Memory and recognition" in page and "Another dialogue" in page


def test_register_needs_a_valid_invitation(ctx, app):
    client = app.test_client()
    assert client.get("/register?next=/invite/made-up-token").status_code == 404
    assert client.get("/register?next=/settings").status_code == 404
    assert client.get("/register").status_code == 404


def test_removal_from_the_manage_page_follows_the_two_key_rule(ctx, app):

    room = gen_room(participants=2)
    moderation_settings.update_settings(room.facilitator.user, room.id, {"two_key": True})
    host = app.test_client()
    sign_in(host, room.facilitator.user.email)
    target = room.participants[0].membership
    response = post_form(host, f"/members/{target.id}/remove", {"reason": "Threats", "confirmed": "yes"},
                         form_page=f"/sessions/{room.id}/manage")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Membership, target.id).revoked_at is None, "a second key is needed"
    from dialogue.models import AuditEntry

    assert db.session.scalar(select(AuditEntry.action).where(AuditEntry.session_id == room.id)
                             .order_by(AuditEntry.id.desc()).limit(1)) == "propose_remove"


def test_registration_answers_alike_for_known_and_unknown_addresses(ctx, app):
    """Holding an invitation link must not tell who has an account on the platform."""
    session = gen_session(state="live")
    _invitation, token = dialogues.create_invitation(session.created_by, session, side="a", max_uses=None)
    register = f"/register?next=/invite/{token}"
    known = gen_user("participant")

    def attempt(email: str):
        client = app.test_client()
        response = client.post(register, data={"csrf_token": csrf_token(client, register), "real_name": "Someone",
                                               "email": email, "password": "another password 123"})
        following = client.get(response.headers["Location"]).get_data(as_text=True)
        return response, re.sub(r'value="[^"]+"', "", following)

    taken, taken_page = attempt(known.email)
    fresh, fresh_page = attempt(f"new-{uuid.uuid4().hex[:8]}@example.org")
    assert (taken.status_code, taken.headers["Location"]) == (fresh.status_code, fresh.headers["Location"])
    assert taken_page == fresh_page, "the next page says the same"
    assert "already exists" not in taken_page
    db.session.expire_all()
    assert accounts.authenticate(known.email, PASSWORD) is not None, "the existing account is untouched"
    assert accounts.authenticate(known.email, "another password 123") is None


@pytest.mark.parametrize("days", ["٣", "³", "1_0", "+3", "9" * 40])
def test_invitation_numbers_not_in_ascii_digits_are_refused(ctx, http, days):
    """`int()` reads other scripts' digits and underscores; the form takes ASCII digits only."""
    session = gen_session(state="live")
    sign_in(http, session.created_by.email)
    manage = f"/sessions/{session.id}/manage"
    response = post_form(http, f"/sessions/{session.id}/invitations", {
        "role": "participant", "side": "a", "max_uses": "1", "days": days}, form_page=manage, follow_redirects=True)
    assert "Not a valid integer value." in response.get_data(as_text=True)
    assert db.session.scalar(select(Invitation.id).where(Invitation.session_id == session.id)) is None


def test_interpreters_are_invited_like_everyone_and_get_the_interpreters_room(ctx, app):
    session = gen_session(state="live")
    host = app.test_client()
    sign_in(host, session.created_by.email)
    assert 'value="interpreter"' in host.get(f"/sessions/{session.id}/manage").get_data(as_text=True)
    path = create_invitation_link(host, session.id, role="interpreter", side="").replace("http://localhost", "")
    person = app.test_client()
    sign_in(person, gen_user().email)
    token = csrf_token(person, path)
    joined = person.post(path, data={"csrf_token": token, "display_name": "Nare", "accept_rules": "y", **CONSENT})
    assert joined.status_code == 302, joined.get_data(as_text=True)[:300]
    membership = db.session.scalars(select(Membership).where(Membership.session_id == session.id,
                                                            Membership.display_name == "Nare")).one()
    assert (membership.role, membership.side) == ("interpreter", None)
    room = person.get(f"/s/{session.id}").get_data(as_text=True)
    assert 'data-can-translate="1"' in room and 'id="untranslated"' in room and 'id="room-glossary"' in room
    assert 'id="composer"' not in room, "interpreters translate; they do not write messages of their own"
    participant_room = host.get(f"/s/{session.id}").get_data(as_text=True)
    assert 'id="composer-lang"' in participant_room
