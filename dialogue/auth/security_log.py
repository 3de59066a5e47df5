"""The security log: what happened to accounts and to the record, by whom, from which network.

Entries are appended in the transaction of the change they describe (so they commit with it)
and never changed. Only admins read them (`/admin/security`). The client's address is cut to
its network before it is stored, and kept nowhere else.
"""

from __future__ import annotations

import ipaddress
import json

from flask import has_request_context, request
from sqlalchemy import select

from ..extensions import db
from ..models import SecurityEvent, User, iso
from ..spreadsheet import csv_text

KINDS = ("login", "login_failed", "logout", "registration_refused", "token_created", "token_revoked", "deactivated", "reactivated",
         "erased", "transcript_exported", "data_exported", "audit_exported", "published",
         "password_changed", "two_factor_enabled", "two_factor_disabled", "two_factor_failed", "login_ended",
         "role_changed")
COLUMNS = ("time", "kind", "actor", "subject", "session", "network", "details")


def network_of(address: str | None) -> str | None:
    """The network an address belongs to: IPv4 /24, IPv6 /48; None for anything else."""
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return None
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


def record(kind: str, *, actor: User | None = None, subject: User | None = None, session_id: str | None = None,
           **details) -> None:
    """Append an entry in the caller's transaction (it commits with the change it describes)."""
    assert kind in KINDS, kind
    network = network_of(request.remote_addr) if has_request_context() else None
    db.session.add(SecurityEvent(kind=kind, actor_id=actor.id if actor else None,
                                 subject_id=subject.id if subject else None, session_id=session_id,
                                 network=network, details=details))


def note(kind: str, **fields) -> None:
    """Record an event that is not part of another change (an export) and commit it."""
    record(kind, **fields)
    db.session.commit()


def entries(*, kind: str | None = None, actor_id: int | None = None, limit: int | None = 500) -> list[SecurityEvent]:
    """The log, newest first, optionally one kind or one actor's entries."""
    query = select(SecurityEvent)
    if kind:
        query = query.where(SecurityEvent.kind == kind)
    if actor_id is not None:
        query = query.where(SecurityEvent.actor_id == actor_id)
    query = query.order_by(SecurityEvent.id.desc())
    return list(db.session.scalars(query.limit(limit) if limit else query))


def as_csv(rows: list[SecurityEvent]) -> str:
    """The log as CSV, oldest first, every cell safe from spreadsheet formulas."""
    return csv_text(COLUMNS, ((iso(e.created_at), e.kind, e.actor_id, e.subject_id, e.session_id, e.network,
                               json.dumps(e.details or {}, ensure_ascii=False, sort_keys=True))
                              for e in sorted(rows, key=lambda e: e.id)))
