"""The Socket.IO plumbing every feature uses: connecting and authenticating sockets,
`client_event`, presence, and the sweep of sockets that lost their right to be connected."""

from . import connection  # noqa: F401  (importing it registers connect, disconnect and the catch-all)
