"""WSGI entry point for gunicorn (run `dialogue db upgrade` first).

    gunicorn -k geventwebsocket.gunicorn.workers.GeventWebSocketWorker -w 1 -b 127.0.0.1:5000 dialogue.wsgi:app

gunicorn's gevent worker patches the standard library before this module is imported.
"""

from . import create_app
from .extensions import socketio
from .room.sweep import floors_forever, sweep_forever

app = create_app()
# What `dialogue serve` runs beside the server: the socket sweep, timed floors and nudges.
socketio.start_background_task(sweep_forever, app)
socketio.start_background_task(floors_forever, app)
