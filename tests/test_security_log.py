"""The security log: sign-ins, refusals, tokens, deactivations, exports, publications and
erasures are recorded append-only with a truncated network address; only admins read it,
and its CSV cannot run as a spreadsheet formula."""

from __future__ import annotations

import csv
import io

from sqlalchemy import select

from dialogue.auth import accounts
from dialogue.auth.security_log import network_of
from dialogue.extensions import db
from dialogue.models import SecurityEvent
from dialogue.transcripts import publishing

from .factories import gen_room, gen_token, gen_user
from .test_auth import sign_in


def _kinds(**where) -> list[str]:
    query = select(SecurityEvent.kind).order_by(SecurityEvent.id)
    for name, value in where.items():
        query = query.where(getattr(SecurityEvent, name) == value)
    db.session.expire_all()
    return list(db.session.scalars(query))


def test_networks_are_truncated():
    assert network_of("203.0.113.77") == "203.0.113.0/24"
    assert network_of("2001:db8:85a3:8d3:1319:8a2e:370:7348") == "2001:db8:85a3::/48"
    assert network_of("not an address") is None and network_of(None) is None


def test_account_events_are_logged(ctx, http, app):
    user = gen_user("participant")
    assert sign_in(http, user.email, "a wrong password").status_code == 400
    assert sign_in(http, "nobody-here@example.org", "whatever it is").status_code == 400
    assert sign_in(http, user.email).status_code == 302
    token, _plaintext = accounts.create_api_token(user, "=HYPERLINK(\"http://evil.example\")")
    accounts.revoke_api_token(user, token.id)
    accounts.deactivate_user(user)
    kinds = _kinds(subject_id=user.id)
    assert kinds == ["login_failed", "login", "token_created", "token_revoked", "deactivated"]
    unknown = db.session.scalars(select(SecurityEvent).where(SecurityEvent.kind == "login_failed",
                                                             SecurityEvent.subject_id.is_(None))).all()
    assert unknown and all("nobody-here" not in str(e.details) for e in unknown), "typed addresses are not kept"
    login = db.session.scalar(select(SecurityEvent).where(SecurityEvent.kind == "login",
                                                          SecurityEvent.subject_id == user.id))
    assert login.network == "127.0.0.0/24", "the test client's address, cut to its network"


def test_exports_publications_and_erasures_are_logged(ctx, app):
    room = gen_room(participants=2)
    host = room.facilitator
    publishing.publish(host.user, room.id, "side")
    web = app.test_client()
    headers = {"Authorization": f"Bearer {host.token}"}
    assert web.get(f"/api/sessions/{room.id}/transcript?version=staff", headers=headers).status_code == 200
    assert web.get(f"/sessions/{room.id}/audit?format=csv", headers=headers).status_code == 200
    assert web.get("/settings/my-data", headers=headers).status_code == 200
    accounts.forget_user(room.participants[0].user)
    assert _kinds(actor_id=host.id)[-4:] == ["published", "transcript_exported", "audit_exported", "data_exported"]
    exported = db.session.scalar(select(SecurityEvent).where(SecurityEvent.kind == "transcript_exported")
                                 .order_by(SecurityEvent.id.desc()))
    assert exported.session_id == room.id and exported.details["version"] == "staff"
    assert "erased" in _kinds(subject_id=room.participants[0].id)


def test_only_admins_read_the_log_and_its_csv_is_formula_safe(ctx, app):
    admin, participant = gen_user("admin"), gen_user("participant")
    accounts.create_api_token(participant, "=cmd|' /C calc'!A0")
    web = app.test_client()
    assert web.get("/admin/security", headers={"Authorization": f"Bearer {gen_token(participant)}"}).status_code == 403
    admin_headers = {"Authorization": f"Bearer {gen_token(admin)}"}
    page = web.get("/admin/security?kind=token_created", headers=admin_headers)
    assert page.status_code == 200 and "=cmd|" in page.get_data(as_text=True)
    assert "<script" not in page.get_data(as_text=True)
    exported = web.get("/admin/security?format=csv&kind=token_created", headers=admin_headers)
    rows = list(csv.reader(io.StringIO(exported.get_data(as_text=True))))
    assert rows[0] == ["time", "kind", "actor", "subject", "session", "network", "details"]
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows[1:] for cell in row)
    assert any("=cmd|" in row[-1] for row in rows[1:])
