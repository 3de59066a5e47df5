"""How the logs' stored codes read on a page: the details of audit and security log entries
(their keys and the codes among their values) and the reasons the system writes itself, in
the reader's language. What the logs store stays as it is (the CSV exports keep the codes)."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from .web import LANGUAGE_NAMES, ROLE_LABELS

FLAG_REASON_LABELS = {
    "incitement": _l("Incitement to violence"), "hate": _l("Hate against a people or group"),
    "personal_attack": _l("Personal attack"), "identifying_info": _l("Identifying information"),
    "off_topic": _l("Off topic"), "spam": _l("Spam"), "other": _l("Other"),
}

# Reasons the platform itself gives in the audit log (a person's reason is shown as written).
SYSTEM_REASONS = {"flag threshold": _l("Enough members flagged it")}

DETAIL_LABELS = {
    "action_on_match": _l("Action"), "added": _l("Added"), "after": _l("After"),
    "attribution": _l("Attribution"), "before": _l("Before"), "count": _l("Count"),
    "digest": _l("Digest"), "entries": _l("Entries"), "event": _l("Event"), "flag_threshold": _l("Flags"),
    "flags": _l("Flags"), "format": _l("Format"), "language": _l("Language"), "lines": _l("Lines"),
    "minutes": _l("Minutes"), "moderation": _l("Moderation"), "name": _l("Name"),
    "nudge_after_minutes": _l("Nudge after minutes"), "proposed_by": _l("Proposed by"),
    "public": _l("Public"), "reasons": _l("Reasons"), "share_alert_percent": _l("Share alert (%)"),
    "term": _l("Term"), "two_key": _l("Two moderators"), "version": _l("Version"),
    "whole_word": _l("Whole words"),
}

_ROLES = dict(ROLE_LABELS)
DETAIL_VALUES = {
    "moderation": {"pre": _l("Pre-moderation"), "post": _l("Post-moderation")},
    "reasons": {"premoderation": _l("Pre-moderation"), "watched_word": _l("Watched word"),
                "identifying_info": _l("Identifying information"), "flags": _l("Flags")},
    "event": {"send": _l("sending messages"), "edit": _l("editing messages"), "flag": _l("flagging messages"),
              "hand": _l("raising a hand")},
    "attribution": {"named": _l("By real name (where they agreed)"), "pseudonym": _l("By the names they show here"),
                    "side": _l("Only by side"), "none": _l("Not at all")},
    "version": {"participants": _l("Participants' version"), "staff": _l("Staff version")},
    "action_on_match": {"hold": _l("Hold for review"), "flag": _l("Post, and queue for review"),
                        "mask": _l("Post with the term masked"), "block": _l("Refuse the message")},
    "language": dict(LANGUAGE_NAMES),
    "before": _ROLES, "after": _ROLES,
}


def audit_reason(action: str, reason: str) -> str:
    """An audit entry's reason: a flag's reason by its label, the system's own in words."""
    if action == "flag":
        return str(FLAG_REASON_LABELS.get(reason, reason))
    return str(SYSTEM_REASONS.get(reason, reason))


def detail_label(key: str) -> str:
    return str(DETAIL_LABELS.get(key, key))


def detail_value(key: str, value) -> str:
    """One detail's value as text: yes or no, codes by their labels, lists joined."""
    if value is None:
        return "–"
    if value is True or value is False:
        return _("yes") if value else _("no")
    names = DETAIL_VALUES.get(key, {})
    if isinstance(value, list):
        return ", ".join(detail_value(key, item) for item in value)
    if isinstance(value, dict):
        return "; ".join(f"{detail_label(k)}={detail_value(k, v)}" for k, v in sorted(value.items()))
    return str(names.get(value, value)) if isinstance(value, str) else str(value)


def init_app(app) -> None:
    app.jinja_env.globals.update(audit_reason=audit_reason, detail_label=detail_label, detail_value=detail_value)
