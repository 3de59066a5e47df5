"""Signing in and out, the `next` parameter, session fixation, API tokens in settings."""

from __future__ import annotations

import re

import pytest

from dialogue.auth import accounts
from dialogue.errors import DialogueError
from dialogue.extensions import db
from dialogue.models import ApiToken, LoginSession

from .factories import PASSWORD, gen_user


def csrf_token(http, path: str) -> str:
    page = http.get(path)
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.get_data(as_text=True))
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def post_form(http, path: str, data: dict, form_page: str = "/login", **kwargs):
    """POST a form with a fresh CSRF token taken from a page that has one."""
    token = csrf_token(http, form_page)
    return http.post(path, data={**data, "csrf_token": token}, **kwargs)


def sign_in(http, email: str, password: str = PASSWORD, next_url: str = ""):
    return post_form(http, "/login", {"email": email, "password": password, "next": next_url})


def test_login_page_has_the_protocol_fields(http):
    html = http.get("/login").get_data(as_text=True)
    assert 'name="email"' in html and 'name="password"' in html


def test_login_and_logout(ctx, http):
    user = gen_user()
    assert http.get("/").status_code == 302
    response = sign_in(http, user.email)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert http.get("/").status_code == 200
    post_form(http, "/logout", {}, form_page="/")
    assert http.get("/").status_code == 302


def test_wrong_password_shows_an_error_next_to_the_field(ctx, http):
    user = gen_user()
    response = sign_in(http, user.email, "wrong password!")
    assert response.status_code == 400
    assert "do not match" in response.get_data(as_text=True)


@pytest.mark.parametrize("address", ["someone@localhost", "no-at-sign", "two words@example.org", "@example.org"])
def test_a_malformed_address_is_refused_like_a_wrong_password(ctx, http, address):
    response = sign_in(http, address)
    assert response.status_code == 400
    assert "do not match" in response.get_data(as_text=True)
    with pytest.raises(DialogueError) as refused:
        accounts.normalise_email(address)
    assert refused.value.to_answer()["error"]["message"] == "That is not an e-mail address."


def test_deactivated_account_cannot_sign_in_and_is_signed_out(ctx, http):
    user = gen_user()
    sign_in(http, user.email)
    accounts.deactivate_user(user)
    assert http.get("/").status_code == 302
    assert sign_in(http, user.email).status_code == 400


@pytest.mark.parametrize("target,expected", [
    ("/settings", "/settings"),
    ("https://evil.example/", "/"),
    ("//evil.example/", "/"),
    ("/\\evil.example", "/"),
    ("\\\\evil.example", "/"),
    ("http:evil.example", "/"),
    ("javascript:alert(1)", "/"),
    (" //evil.example", "/"),
    ("/%0d%0aSet-Cookie:x", "/%0d%0aSet-Cookie:x"),
])
def test_next_never_leaves_the_site(ctx, http, target, expected):
    user = gen_user()
    response = sign_in(http, user.email, next_url=target)
    assert response.status_code == 302
    assert response.headers["Location"] == expected


def test_session_changes_at_login(ctx, http):
    """A login id planted before sign-in is not the one used afterwards (no fixation)."""
    user = gen_user()
    with http.session_transaction() as session:
        session["login_id"] = "planted"
        session["anything"] = "left over"
    sign_in(http, user.email)
    with http.session_transaction() as session:
        assert session["login_id"] != "planted" and "anything" not in session
        login_id = session["login_id"]
    assert db.session.get(LoginSession, login_id).user_id == user.id


def test_logged_out_cookie_cannot_be_replayed(ctx, http, app):
    user = gen_user()
    sign_in(http, user.email)
    with http.session_transaction() as session:
        stolen = dict(session)
    post_form(http, "/logout", {}, form_page="/")
    replay = app.test_client()
    with replay.session_transaction() as session:
        session.update(stolen)
    assert replay.get("/").status_code == 302


def test_api_tokens_are_shown_once_stored_hashed_and_revocable(ctx, http):
    user = gen_user()
    sign_in(http, user.email)
    token = csrf_token(http, "/settings")
    page = http.post("/settings", data={"name": "my laptop", "csrf_token": token}).get_data(as_text=True)
    plaintext = re.search(r"(dlg_[A-Za-z0-9_\-]{20,})", page).group(1)
    stored = db.session.scalars(db.select(ApiToken).where(ApiToken.user_id == user.id)).one()
    assert plaintext not in (stored.token_hash, stored.prefix) and len(stored.token_hash) == 64
    assert plaintext not in http.get("/settings").get_data(as_text=True)
    assert accounts.resolve_token(plaintext).id == stored.id
    response = post_form(http, f"/settings/tokens/{stored.id}/revoke", {}, form_page="/settings")
    assert response.status_code == 302
    db.session.expire_all()
    assert accounts.resolve_token(plaintext) is None


def test_cli_created_token_authenticates(ctx, app):
    user = gen_user()
    result = app.test_cli_runner().invoke(args=["tokens", "create", user.email, "--name", "bot"])
    assert result.exit_code == 0, result.output
    assert accounts.resolve_token(result.output.strip()).user_id == user.id


def test_cli_creates_users(ctx, app):
    result = app.test_cli_runner().invoke(args=["users", "create", "--email", "New.Person@Example.org",
                                                "--name", "New Person", "--role", "facilitator",
                                                "--password", "a long enough password"])
    assert result.exit_code == 0, result.output
    assert accounts.authenticate("new.person@example.org", "a long enough password").role == "facilitator"
    again = app.test_cli_runner().invoke(args=["users", "create", "--email", "new.person@example.org",
                                               "--password", "a long enough password"])
    assert again.exit_code != 0 and "already exists" in again.output


def test_pages_never_show_a_stack_trace(ctx, http, app):
    response = http.get("/s/does-not-exist")
    assert response.status_code in (302, 404)
    assert "Traceback" not in response.get_data(as_text=True)
    assert http.get("/no/such/page").status_code == 404


def test_security_headers(http):
    response = http.get("/login")
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
