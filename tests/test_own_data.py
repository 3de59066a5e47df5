"""A member's own data: downloaded from the settings page, and erased at their request while
the record they were part of stays whole (same chain, same final digest)."""

from __future__ import annotations

import json
import re
import uuid

from sqlalchemy import select

from dialogue.auth import accounts
from dialogue.extensions import db
from dialogue.facilitation import consent
from dialogue.models import ApiToken, Membership, User
from dialogue.moderation import flags
from dialogue.record import verify
from dialogue.room import messages
from dialogue.transcripts import build as transcript_build

from .factories import PASSWORD, gen_room
from .test_auth import sign_in


def _form_token(page: str, prefix: str = "") -> str:
    return re.search(rf'name="{prefix}csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def test_a_member_downloads_everything_held_about_them(ctx, http):
    room = gen_room(participants=2)
    alice, bora = room.participants
    mine, _ = messages.send_message(alice.user, room.id, uuid.uuid4().hex, "What I remember")
    theirs, _ = messages.send_message(bora.user, room.id, uuid.uuid4().hex, "And what I remember")
    flags.flag(alice.user, theirs.id, "off_topic")
    consent.record_consent(alice.user, room.id, "side", True)
    assert sign_in(http, alice.user.email).status_code == 302
    assert "/settings/my-data" in http.get("/settings").get_data(as_text=True)
    response = http.get("/settings/my-data")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    data = response.get_json()
    assert data["account"]["email"] == alice.user.email and data["account"]["real_name"] == alice.user.real_name
    assert [(m["session_id"], m["member_id"], m["display_name"]) for m in data["memberships"]] == [
        (room.id, alice.member_id, alice.name)]
    assert [(c["naming"], c["include"]) for c in data["consents"]] == [("pseudonym", True), ("side", True)]
    assert [(m["id"], m["text"]) for m in data["messages"]] == [(mine.id, "What I remember")]
    assert [(f["message_id"], f["reason"]) for f in data["flags"]] == [(theirs.id, "off_topic")]
    assert data["api_tokens"] and data["logins"]
    assert set(data["logins"][0]) == {"at", "last_seen_at", "ended_at", "device", "network"}
    # Nothing of anyone else's.
    raw = json.dumps(data, ensure_ascii=False)
    assert bora.user.email not in raw and bora.user.real_name not in raw and "And what I remember" not in raw


def test_forgetting_erases_the_person_and_keeps_the_record_whole(ctx, http, app):
    room = gen_room(participants=2)
    alice, bora = room.participants
    consent.record_consent(alice.user, room.id, "named", True)
    messages.send_message(alice.user, room.id, uuid.uuid4().hex, "Words that stay in the record")
    messages.send_message(bora.user, room.id, uuid.uuid4().hex, "A reply")
    before = transcript_build.build(room.session, attribution="named", version="staff")
    assert alice.user.real_name in json.dumps(before, ensure_ascii=False)
    email, real_name, shown = alice.user.email, alice.user.real_name, alice.name

    assert sign_in(http, email).status_code == 302
    page = http.get("/settings").get_data(as_text=True)
    refused = http.post("/settings/forget", data={"forget-password": "wrong password", "forget-understood": "y",
                                                  "forget-csrf_token": _form_token(page, "forget-")})
    assert refused.status_code == 302 and db.session.get(User, alice.id).erased_at is None
    done = http.post("/settings/forget", data={"forget-password": PASSWORD, "forget-understood": "y",
                                               "forget-csrf_token": _form_token(page, "forget-")})
    assert done.status_code == 302 and "/login" in done.headers["Location"]

    db.session.expire_all()
    user = db.session.get(User, alice.id)
    assert user.erased_at is not None and not user.active and user.real_name == "" and email != user.email
    assert accounts.authenticate(email, PASSWORD) is None
    assert http.get("/settings").status_code == 302, "the browser is signed out"
    assert all(t.revoked_at for t in db.session.scalars(select(ApiToken).where(ApiToken.user_id == alice.id)))
    membership = db.session.scalar(select(Membership).where(Membership.user_id == alice.id))
    assert membership.display_name.startswith("Former member") and membership.display_name != shown

    after = transcript_build.build(db.session.get(type(room.session), room.id), attribution="named", version="staff")
    ok, summary = verify(json.loads(json.dumps(after)))
    assert ok, summary
    assert after["final_digest"] == before["final_digest"] and after["chain"] == before["chain"]
    raw = json.dumps(after, ensure_ascii=False)
    assert real_name not in raw and email not in raw and shown not in raw
    texts = {m.get("text"): m.get("author") for m in after["messages"]}
    assert texts["Words that stay in the record"] == membership.display_name


def test_the_settings_page_has_every_setting_and_each_sessions_messages(ctx, http):
    room = gen_room(participants=2)
    alice = room.participants[0]
    messages.send_message(alice.user, room.id, uuid.uuid4().hex, "Mine to take away")
    db.session.commit()
    assert sign_in(http, alice.user.email).status_code == 302
    page = http.get("/settings").get_data(as_text=True)
    headings = re.findall(r'<h2 id="([\w-]+)"', page)
    expected = ["account-heading", "language-heading", "time-zone-heading", "notifications-heading",
                "password-heading", "two-factor-heading", "devices-heading", "data-heading", "advanced-heading",
                "forget-heading"]
    assert headings == [h for h in expected if h != "two-factor-heading" or h in headings], headings
    # API tokens are under "Advanced", after everything a member needs day to day.
    advanced = page.index('id="advanced-heading"')
    assert advanced < page.index('id="tokens-heading"') and page.index('id="data-heading"') < advanced
    # One's messages, session by session.
    link = f"/api/sessions/{room.id}/my-messages"
    assert link in page and alice.membership.display_name in page
    download = http.get(link)
    assert download.status_code == 200 and download.get_json()["messages"][0]["text"] == "Mine to take away"
    # The language, from the settings page, back to it.
    chosen = http.post("/language", data={"language": "ru", "next": "/settings#language",
                                          "csrf_token": _form_token(page)})
    assert chosen.status_code == 302 and chosen.headers["Location"].endswith("/settings#language")
    db.session.expire_all()
    assert db.session.get(User, alice.id).locale == "ru"
    page = http.get("/settings").get_data(as_text=True)
    assert re.search(r'<option value="ru" lang="ru" selected>', page)
    # The choice of translations, as in the room.
    saved = http.post("/settings/translations", data={"translations-view": "none",
                                                     "translations-csrf_token": _form_token(page, "translations-")})
    assert saved.status_code == 302 and saved.headers["Location"].endswith("/settings#language")
    db.session.expire_all()
    assert db.session.get(User, alice.id).translation_view == "none"
    refused = http.post("/settings/translations", data={"translations-view": "everything",
                                                       "translations-csrf_token": _form_token(page, "translations-")})
    assert refused.status_code == 400
    db.session.expire_all()
    assert db.session.get(User, alice.id).translation_view == "none"
