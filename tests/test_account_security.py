"""Passwords, two-factor sign-in for staff, login expiry and rotation, signed-in devices."""

from __future__ import annotations

import re
import threading
import time
from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import select

from dialogue.auth import accounts, passwords
from dialogue.errors import DialogueError
from dialogue.extensions import db
from dialogue.models import LoginSession, SecurityEvent, User, utcnow

from .factories import PASSWORD, gen_user
from .test_auth import csrf_token, post_form, sign_in


def login_id_of(http) -> str | None:
    with http.session_transaction() as session:
        return session.get("login_id")


def fresh(model, key):
    db.session.expire_all()
    return db.session.get(model, key)


# --- passwords ---------------------------------------------------------------------------------

@pytest.mark.parametrize("password,says", [
    ("short pass", "at least 12"),
    ("qwertyuiop123", "most common"),  # on Django's list
    ("QWERTYUIOP123", "most common"),  # compared lower-cased
    ("leyla.aliyeva@example.org", "e-mail address or your name"),
    ("leyla.aliyeva", "e-mail address or your name"),
    ("Leyla Aliyeva Q", "e-mail address or your name"),
])
def test_weak_passwords_are_refused_with_the_reason(ctx, password, says):
    with pytest.raises(DialogueError) as refused:
        accounts.create_user("Leyla.Aliyeva@example.org", "Leyla Aliyeva Q", password)
    answer = refused.value.to_answer()["error"]
    assert refused.value.code == "invalid" and refused.value.extra["field"] == "password"
    assert says in answer["message"]
    assert db.session.scalar(select(User).where(User.email == "leyla.aliyeva@example.org")) is None


def test_the_shipped_list_is_the_common_passwords():
    common = passwords.common_passwords()
    assert len(common) > 19_000 and "password" in common and "correct horse battery" not in common
    assert passwords.MIN_PASSWORD_LENGTH == 12


def test_hashing_verifies_directly_and_through_the_thread_pool(monkeypatch):
    hashed = accounts.hash_password("a long enough password")
    assert hashed.startswith("scrypt:") and accounts.password_matches(hashed, "a long enough password")
    assert not accounts.password_matches(hashed, "another long password")
    # As under `dialogue serve`: the work goes to gevent's thread pool, with the same results.
    monkeypatch.setattr(accounts.monkey, "is_module_patched", lambda name: True)
    assert accounts._off_the_loop(threading.get_ident) != threading.get_ident(), "ran in the pool"
    pooled = accounts.hash_password("a long enough password")
    assert pooled != hashed and accounts.password_matches(pooled, "a long enough password")
    assert not accounts.password_matches(pooled, None)


def test_hashing_stays_on_the_loop_inside_a_transaction(ctx, monkeypatch):
    """A greenlet holding SQLite's write lock must not step aside: inside a transaction the
    hash is computed where the caller is."""
    monkeypatch.setattr(accounts.monkey, "is_module_patched", lambda name: True)
    db.session.commit()
    assert accounts._off_the_loop(threading.get_ident) != threading.get_ident()
    db.session.scalar(select(User.id).limit(1))
    assert accounts._off_the_loop(threading.get_ident) == threading.get_ident()
    db.session.commit()
    user = gen_user()
    assert accounts.authenticate(user.email, PASSWORD).id == user.id


def test_registration_refuses_a_common_password(ctx, http):
    from dialogue.sessions import actions as dialogues

    from .factories import gen_session

    session = gen_session()
    _invitation, token = dialogues.create_invitation(session.created_by, session, side="a")
    register = f"/register?next=/invite/{token}"
    response = http.post(register, data={"csrf_token": csrf_token(http, register), "real_name": "Aram",
                                         "email": "aram.new@example.org", "password": "qwertyuiop123"})
    assert response.status_code == 400 and "most common" in response.get_data(as_text=True)


def test_changing_the_password_rotates_this_login_and_ends_the_others(ctx, app, http):
    user = gen_user()
    other = app.test_client()
    sign_in(http, user.email)
    sign_in(other, user.email)
    before = login_id_of(http)
    wrong = post_form(http, "/settings/password", {"password-current_password": "not my password",
                                                   "password-new_password": "a brand new passphrase"},
                      form_page="/settings")
    assert wrong.status_code == 400 and "not your current password" in wrong.get_data(as_text=True)
    weak = post_form(http, "/settings/password", {"password-current_password": PASSWORD,
                                                  "password-new_password": "password1234"}, form_page="/settings")
    assert weak.status_code == 400 and "most common" in weak.get_data(as_text=True)
    done = post_form(http, "/settings/password", {"password-current_password": PASSWORD,
                                                  "password-new_password": "a brand new passphrase"},
                     form_page="/settings")
    assert done.status_code == 302
    after = login_id_of(http)
    assert after != before and fresh(LoginSession, before).revoked_at is not None
    assert http.get("/").status_code == 200, "this browser stays signed in, under a new login"
    assert other.get("/").status_code == 302, "every other login ended"
    assert accounts.authenticate(user.email, "a brand new passphrase") is not None
    assert accounts.authenticate(user.email, PASSWORD) is None
    assert db.session.scalar(select(SecurityEvent.kind).where(SecurityEvent.subject_id == user.id,
                                                              SecurityEvent.kind == "password_changed"))


# --- two-factor sign-in ------------------------------------------------------------------------

def code_at(secret: str, step_offset: int = 0) -> str:
    totp = pyotp.TOTP(secret)
    return totp.at(time.time() + step_offset * totp.interval)


def enrol(http, user: User) -> str:
    """Set up two-factor sign-in through the pages; return the secret."""
    assert post_form(http, "/settings/two-factor/start", {}, form_page="/settings/two-factor").status_code == 302
    page = http.get("/settings/two-factor").get_data(as_text=True)
    secret = re.search(r'id="totp-secret"[^>]*value="([A-Z2-7]+)"', page).group(1)
    assert f"otpauth://totp/Dialogue:{user.email.replace('@', '%40')}?secret={secret}" in page
    done = post_form(http, "/settings/two-factor/confirm", {"code": code_at(secret)},
                     form_page="/settings/two-factor")
    assert done.status_code == 302 and done.headers["Location"] == "/settings"
    return secret


def test_staff_enrol_and_then_sign_in_with_a_code(ctx, app, http):
    user = gen_user("moderator")
    other = app.test_client()
    sign_in(http, user.email)
    sign_in(other, user.email)
    before = login_id_of(http)
    secret = enrol(http, user)
    assert fresh(User, user.id).totp_enabled_at is not None
    assert login_id_of(http) != before and http.get("/settings").status_code == 200
    assert other.get("/").status_code == 302, "turning two-factor on ends the other logins"

    browser = app.test_client()
    step = sign_in(browser, user.email, next_url="/settings")
    assert step.status_code == 302 and step.headers["Location"] == "/login/code"
    assert browser.get("/").status_code == 302, "after the password alone the browser is not signed in"
    assert login_id_of(browser) is None
    wrong = post_form(browser, "/login/code", {"code": "000000" if code_at(secret, 1) != "000000" else "111111"})
    assert wrong.status_code == 400 and "not right" in wrong.get_data(as_text=True)
    done = post_form(browser, "/login/code", {"code": code_at(secret, 1)})
    assert done.status_code == 302 and done.headers["Location"] == "/settings"
    assert browser.get("/").status_code == 200
    kinds = set(db.session.scalars(select(SecurityEvent.kind).where(SecurityEvent.subject_id == user.id)))
    assert {"two_factor_enabled", "two_factor_failed", "login"} <= kinds


def test_a_used_code_cannot_be_replayed(ctx, app, http):
    user = gen_user("facilitator")
    sign_in(http, user.email)
    secret = enrol(http, user)
    first = app.test_client()
    sign_in(first, user.email)
    code = code_at(secret, 1)
    assert post_form(first, "/login/code", {"code": code}).status_code == 302
    second = app.test_client()
    sign_in(second, user.email)
    replay = post_form(second, "/login/code", {"code": code})
    assert replay.status_code == 400 and second.get("/").status_code == 302
    # Nor an earlier one: the code enrolment used is older still.
    assert post_form(second, "/login/code", {"code": code_at(secret)}).status_code == 400


def test_participants_have_no_two_factor_page(ctx, http):
    sign_in(http, gen_user().email)
    assert http.get("/settings/two-factor").status_code == 403
    assert post_form(http, "/settings/two-factor/start", {}, form_page="/settings").status_code == 403
    assert "Two-factor sign-in" not in http.get("/settings").get_data(as_text=True)


def test_disabling_needs_a_current_code(ctx, app, http):
    user = gen_user("admin")
    sign_in(http, user.email)
    secret = enrol(http, user)
    refused = post_form(http, "/settings/two-factor/disable", {"code": "123456"}, form_page="/settings")
    assert refused.status_code == 302 and fresh(User, user.id).totp_enabled_at is not None
    done = post_form(http, "/settings/two-factor/disable", {"code": code_at(secret, 1)}, form_page="/settings")
    assert done.status_code == 302 and done.headers["Location"] == "/settings"
    user = fresh(User, user.id)
    assert user.totp_enabled_at is None and user.totp_secret is None
    assert http.get("/settings").status_code == 200
    plain = app.test_client()
    assert sign_in(plain, user.email).headers["Location"] == "/", "one step again"


def test_required_setting_sends_staff_to_enrol_first(ctx, app, http, monkeypatch):
    monkeypatch.setitem(app.config, "DIALOGUE_REQUIRE_STAFF_TWO_FACTOR", True)
    user = gen_user("facilitator")
    sign_in(http, user.email)
    for path in ("/", "/settings", "/sessions/new", "/admin/security"):
        response = http.get(path)
        assert response.status_code == 302 and response.headers["Location"] == "/settings/two-factor", path
    assert http.get("/settings/two-factor").status_code == 200
    assert http.get("/static/css/app.css").status_code == 200
    participant = app.test_client()
    sign_in(participant, gen_user().email)
    assert participant.get("/").status_code == 200, "only staff accounts must"
    secret = enrol(http, user)
    assert http.get("/").status_code == 200
    refused = post_form(http, "/settings/two-factor/disable", {"code": code_at(secret, 1)}, form_page="/settings")
    assert refused.status_code == 302 and fresh(User, user.id).totp_enabled_at is not None
    assert post_form(http, "/logout", {}, form_page="/settings/two-factor").status_code == 302


# --- logins: expiry, last use, devices, privilege changes --------------------------------------

def test_logins_expire_after_inactivity_and_after_their_lifetime(ctx, app, http):
    user = gen_user()
    sign_in(http, user.email)
    login = fresh(LoginSession, login_id_of(http))
    idle = app.config["DIALOGUE_LOGIN_IDLE_MINUTES"]
    login.last_seen_at = utcnow() - timedelta(minutes=idle - 1)
    db.session.commit()
    assert http.get("/").status_code == 200
    assert fresh(LoginSession, login.id).last_seen_at > utcnow() - timedelta(minutes=1), "use noted"
    login = fresh(LoginSession, login.id)
    login.last_seen_at = utcnow() - timedelta(minutes=idle + 1)
    db.session.commit()
    assert http.get("/").status_code == 302, "idle too long"

    sign_in(http, user.email)
    login = fresh(LoginSession, login_id_of(http))
    login.created_at = utcnow() - timedelta(hours=app.config["DIALOGUE_LOGIN_MAX_HOURS"], seconds=1)
    db.session.commit()
    assert http.get("/").status_code == 302, "too old, however recently used"
    assert not accounts.login_is_valid(login.id, user.id)


def test_last_use_is_written_at_most_once_a_minute(ctx, http):
    user = gen_user()
    sign_in(http, user.email)
    login = fresh(LoginSession, login_id_of(http))
    recent = utcnow() - timedelta(seconds=20)
    login.last_seen_at = recent
    db.session.commit()
    http.get("/")
    assert fresh(LoginSession, login.id).last_seen_at == recent.replace(microsecond=recent.microsecond)


def test_devices_are_listed_and_ended_one_by_one_or_all_others(ctx, app, http):
    user = gen_user()
    sign_in(http, user.email)
    phones = [app.test_client() for _ in range(3)]
    for index, phone in enumerate(phones):
        phone.environ_base.update({"HTTP_USER_AGENT": f"Phone browser {index}", "REMOTE_ADDR": "203.0.113.77"})
        sign_in(phone, user.email)
    page = http.get("/settings").get_data(as_text=True)
    assert "This device" in page and "Phone browser 2" in page and "203.0.113.0/24" in page
    assert "203.0.113.77" not in page
    assert login_id_of(phones[0]) not in page, "pages name logins by a digest, never by the cookie's id"
    handle = accounts.login_handle(fresh(LoginSession, login_id_of(phones[0])))
    assert post_form(http, f"/settings/logins/{handle}/end", {}, form_page="/settings").status_code == 302
    assert phones[0].get("/").status_code == 302 and phones[1].get("/").status_code == 200
    # Someone else's login is not found.
    stranger = app.test_client()
    sign_in(stranger, gen_user().email)
    handle = accounts.login_handle(fresh(LoginSession, login_id_of(phones[1])))
    assert post_form(stranger, f"/settings/logins/{handle}/end", {}, form_page="/settings").status_code == 404
    assert phones[1].get("/").status_code == 200
    response = post_form(http, "/settings/logins/end-others", {}, form_page="/settings")
    assert response.status_code == 302
    assert "2 other devices were signed out" in http.get("/settings").get_data(as_text=True)
    assert [phone.get("/").status_code for phone in phones] == [302, 302, 302]
    assert http.get("/").status_code == 200


def test_a_role_change_ends_every_login_of_the_account(ctx, app, http):
    user = gen_user("moderator")
    sign_in(http, user.email)
    result = app.test_cli_runner().invoke(args=["users", "role", user.email, "participant"])
    assert result.exit_code == 0, result.output
    assert fresh(User, user.id).role == "participant"
    assert http.get("/").status_code == 302
    entry = db.session.scalar(select(SecurityEvent).where(SecurityEvent.kind == "role_changed",
                                                          SecurityEvent.subject_id == user.id))
    assert entry.details == {"before": "moderator", "after": "participant"}
    with pytest.raises(DialogueError):
        accounts.change_role(gen_user("facilitator"), user, "admin")
