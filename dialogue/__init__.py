"""The dialogue platform: moderated, facilitated real-time dialogue with a trustworthy record.

`create_app` lives in dialogue.app. It is looked up here on first use rather than imported
with the package, so that `dialogue serve` (dialogue.console) can patch the standard library
for gevent before any of the platform's modules, and the libraries they use, are imported.
"""

from __future__ import annotations

__all__ = ["create_app", "init_socketio"]


def __getattr__(name: str):
    if name in __all__:
        # Inside a function on purpose: importing the package must stay free of side effects.
        from . import app

        return getattr(app, name)
    raise AttributeError(f"module 'dialogue' has no attribute {name!r}")
