"""A session's moderation and nudge settings, changed live by its facilitators."""

from __future__ import annotations

from flask_babel import gettext as _

from .. import permissions
from ..errors import DialogueError
from ..extensions import db
from ..facilitation.state import notify_state
from ..models import (
    DialogueSession,
    User,
)
from ..writes import session_write
from .audit import audit


def update_settings(user: User, session_id, settings: dict) -> DialogueSession:
    """Facilitators change settings live: moderation mode, flag threshold, two-key rule, nudges,
    the share alert, and whether the room shows that people are writing."""
    with session_write(session_id) as session:
        permissions.require_manage(user, session)
        changed = {}
        if "moderation" in settings:
            if settings["moderation"] not in ("post", "pre"):
                raise DialogueError("invalid", _("moderation must be post or pre."))
            changed["moderation"] = session.moderation_mode = settings["moderation"]
        if "flag_threshold" in settings:
            value = settings["flag_threshold"]
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 50:
                raise DialogueError("invalid", _("flag_threshold must be from 1 to 50."))
            changed["flag_threshold"] = session.flag_threshold = value
        if "two_key" in settings:
            if not isinstance(settings["two_key"], bool):
                raise DialogueError("invalid", _("two_key must be true or false."))
            changed["two_key"] = session.two_key = settings["two_key"]
        if "typing_indicator" in settings:
            if not isinstance(settings["typing_indicator"], bool):
                raise DialogueError("invalid", _("typing_indicator must be true or false."))
            changed["typing_indicator"] = session.typing_indicator = settings["typing_indicator"]
        for key, low, high in (("nudge_after_minutes", 1, 240), ("share_alert_percent", 51, 99)):
            if key in settings:
                value = settings[key]
                if value is not None and (isinstance(value, bool) or not isinstance(value, int)
                                          or not low <= value <= high):
                    raise DialogueError("invalid", _("%(key)s must be from %(low)d to %(high)d, or null.",
                                                     key=key, low=low, high=high))
                changed[key] = value
                setattr(session, key, value)
        if not changed:
            raise DialogueError("invalid", _("Nothing to change."))
        audit(session.id, user.id, "settings", target_type="session", target_id=session.id, **changed)
        notify_state(session)
        db.session.commit()
        return session
