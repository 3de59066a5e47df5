"""The protocol's error codes and the exception that carries one to the client."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

ERROR_CODES = (
    "unauthorized",
    "forbidden",
    "not_found",
    "invalid",
    "empty",
    "too_long",
    "rate_limited",
    "session_not_live",
    "muted",
    "not_your_turn",
    "blocked",
    "conflict",
    "internal",
)

DEFAULT_MESSAGES = {
    "unauthorized": _l("You need to sign in first."),
    "forbidden": _l("You are not allowed to do that."),
    "not_found": _l("That does not exist, or you cannot see it."),
    "invalid": _l("The request is not valid."),
    "empty": _l("The message is empty."),
    "too_long": _l("That is too long."),
    "rate_limited": _l("You are doing that too often; wait a moment."),
    "session_not_live": _l("The session is not live, so messages cannot be sent now."),
    "muted": _l("You are muted for now."),
    "not_your_turn": _l("Wait for the floor before writing."),
    "blocked": _l("The message contains words that are not allowed here."),
    "conflict": _l("That has already been done."),
    "internal": _l("Something went wrong on the server; nothing was changed."),
}

HTTP_STATUS = {
    "unauthorized": 401,
    "forbidden": 403,
    "not_found": 404,
    "invalid": 400,
    "empty": 400,
    "too_long": 413,
    "rate_limited": 429,
    "session_not_live": 409,
    "muted": 403,
    "not_your_turn": 409,
    "blocked": 422,
    "conflict": 409,
    "internal": 500,
}


class DialogueError(Exception):
    """A refusal with a protocol error code and a sentence a person can read."""

    def __init__(self, code: str, message: str | None = None, **extra):
        assert code in ERROR_CODES, code
        super().__init__(code)
        self.code = code
        self.message = message
        self.extra = extra

    def to_answer(self) -> dict:
        """Return the acknowledgement object for this refusal."""
        error = {"code": self.code, "message": str(self.message or DEFAULT_MESSAGES[self.code])}
        error.update(self.extra)
        return {"ok": False, "error": error}

    @property
    def http_status(self) -> int:
        return HTTP_STATUS[self.code]
