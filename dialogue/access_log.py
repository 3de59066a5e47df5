"""Access logs that never carry an invitation link's token.

An invitation token is a key to a dialogue session: whoever reads it in a log could join.
It travels in the path of `/invite/<token>` and, URL-encoded, in the `next` parameter of the
sign-in and registration pages reached from there (and in a Referer header, were a browser
to send one: pages say `Referrer-Policy: no-referrer`).

`dialogue serve` writes no access log, and neither does gunicorn with the gevent-websocket
worker; that worker's handler logs each request line at INFO on the `geventwebsocket.handler`
logger, which reaches output as soon as logging is configured at INFO: `install()` (every
server process runs it) redacts those lines. For gunicorn's own access log (other workers,
`--access-logfile`), use `--logger-class dialogue.access_log.RedactingLogger`.
"""

from __future__ import annotations

import logging
import re

from gunicorn.glogging import Logger

_PLAIN = re.compile(r"(/invite/)[^/?#&\s\"']+")
_ENCODED = re.compile(r"(%2Finvite%2F)[^&#\s\"']+", re.IGNORECASE)
REDACTED = "…"


def redact(text: str) -> str:
    """`text` with every invitation token (plain or URL-encoded in a parameter) replaced by …"""
    return _ENCODED.sub(r"\g<1>" + REDACTED, _PLAIN.sub(r"\g<1>" + REDACTED, text))


class RedactingLogger(Logger):
    """gunicorn's logger, with invitation tokens taken out of every access-log field."""

    def atoms(self, resp, req, environ, request_time):
        return {key: redact(value) if isinstance(value, str) else value
                for key, value in super().atoms(resp, req, environ, request_time).items()}


class RedactingFilter(logging.Filter):
    """Takes invitation tokens out of a log record's message before any handler sees it."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


# The loggers that may name a request's path: gevent-websocket's request lines, and the
# application's own (Flask logs an unhandled error with its path, and so does dialogue.web).
LOGGERS = ("geventwebsocket.handler", "dialogue.app")


def install() -> None:
    """Redact the request lines and the application's errors (once per process)."""
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactingFilter) for f in logger.filters):
            logger.addFilter(RedactingFilter())
