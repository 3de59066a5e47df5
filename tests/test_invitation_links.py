"""Invitation links: their limits (use count, days, revocation) and where their tokens must
never show up (Referer headers, access logs)."""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import select

from dialogue import access_log
from dialogue.models import Invitation, utcnow

from .factories import gen_session, gen_user
from .test_auth import csrf_token, sign_in
from .test_sessions import CONSENT, create_invitation_link


def _path(link: str) -> str:
    return link.replace("http://localhost", "")


def test_the_facilitator_sets_the_use_limit_and_the_days(ctx, app):
    from dialogue.extensions import db

    session = gen_session()
    host = app.test_client()
    sign_in(host, session.created_by.email)
    path = _path(create_invitation_link(host, session.id, max_uses="2", days="3"))
    invitation = db.session.scalars(select(Invitation).where(Invitation.session_id == session.id)).one()
    assert invitation.max_uses == 2
    assert abs(invitation.expires_at - (utcnow() + timedelta(days=3))) < timedelta(minutes=1)
    for name in ("Cedar", "Walnut"):
        guest = app.test_client()
        sign_in(guest, gen_user().email)
        token = csrf_token(guest, path)
        assert guest.post(path, data={"csrf_token": token, "display_name": name, "accept_rules": "y", **CONSENT}).status_code == 302
    late = app.test_client()
    sign_in(late, gen_user().email)
    assert late.get(path).status_code == 404, "used up after two"
    db.session.expire_all()
    assert db.session.get(Invitation, invitation.id).uses == 2


def test_pages_that_carry_the_token_send_no_referrer(ctx, app, http):
    session = gen_session()
    host = app.test_client()
    sign_in(host, session.created_by.email)
    token = csrf_token(host, f"/sessions/{session.id}/manage")
    created = host.post(f"/sessions/{session.id}/invitations", data={
        "csrf_token": token, "role": "participant", "side": "a", "max_uses": "1", "days": "7", "label": ""})
    assert created.status_code == 200 and "/invite/" in created.get_data(as_text=True)
    assert created.headers["Referrer-Policy"] == "no-referrer"
    path = _path(create_invitation_link(host, session.id))
    pages = [http.get(path), http.get(f"/register?next={path}"), http.get(f"/login?next={path}")]
    sign_in(http, gen_user().email, next_url=path)
    pages.append(http.get(path))  # the join page
    for page in pages:
        assert page.status_code == 200
        assert page.headers["Referrer-Policy"] == "no-referrer", page.request.path


def test_tokens_are_redacted_from_log_lines():
    line = ('127.0.0.1 - - "GET /invite/AbC-12_x9?x=1 HTTP/1.1" 200 "/login?next=%2Finvite%2FZz_9-Q&y=2" '
            '/register?next=/invite/Qq1')
    cleaned = access_log.redact(line)
    assert "AbC-12_x9" not in cleaned and "Zz_9-Q" not in cleaned and "Qq1" not in cleaned
    assert "/invite/…?x=1" in cleaned and "%2Finvite%2F…&y=2" in cleaned


def test_the_websocket_handlers_request_log_is_redacted(caplog):
    access_log.install()
    access_log.install()  # once is enough, twice does no harm
    assert len([f for f in logging.getLogger("geventwebsocket.handler").filters
                if isinstance(f, access_log.RedactingFilter)]) == 1
    with caplog.at_level(logging.INFO):
        logging.getLogger("geventwebsocket.handler").info('%s "%s"', "127.0.0.1", "GET /invite/secret-token HTTP/1.1")
    assert "secret-token" not in caplog.text and "/invite/…" in caplog.text


def test_the_application_log_never_carries_a_token(caplog):
    """An error on an invitation's page is logged by Flask and by dialogue.web with its path:
    the application's logger is redacted too."""
    import logging

    from dialogue import access_log

    access_log.install()
    with caplog.at_level(logging.ERROR, logger="dialogue.app"):
        logging.getLogger("dialogue.app").error("Unhandled error on %s", "/invite/Secret-Token_123")
    assert "Secret-Token_123" not in caplog.text and "/invite/…" in caplog.text
