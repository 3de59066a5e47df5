"""WSGI entry point for gunicorn (run `dialogue db upgrade` first).

    gunicorn -k dialogue.httpserver.Worker -w 1 -b 127.0.0.1:5000 dialogue.wsgi:app

(With another worker and `--access-logfile`, add `--logger-class
dialogue.access_log.RedactingLogger` so that invitation tokens stay out of the access log.)

gunicorn's gevent worker (with the bounded request handler of dialogue.httpserver) patches
the standard library before this module is imported. The process starts as `dialogue serve` does (dialogue.server.start), except that it checks the
schema instead of upgrading it.
"""

from . import server
from .app import create_app

app = create_app()
server.start(app)
