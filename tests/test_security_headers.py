"""Every response carries the security headers, once each: Flask's pages, static files and
error pages, and the Socket.IO transport's responses, which python-engineio answers outside
Flask's request handling (dialogue.web.SecurityHeaders wraps them all)."""

from __future__ import annotations

import pytest
import requests

from dialogue import create_app, init_socketio
from dialogue.web import CSP, SecurityHeaders, security_headers

from .conftest import TEST_SECRET

EXPECTED = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


def assert_security_headers(response: requests.Response, what: str) -> None:
    raw = response.raw.headers  # every header line as sent, repeats included
    for name, value in EXPECTED.items():
        assert raw.getlist(name) == [value], f"{what}: {name} is {raw.getlist(name)}"
    policy = dict(part.strip().split(" ", 1) for part in raw["Content-Security-Policy"].split(";"))
    assert policy["connect-src"] == "'self'" and policy["frame-ancestors"] == "'none'", what
    assert "Strict-Transport-Security" not in raw, what  # only behind HTTPS


def test_the_header_set_is_defined_once():
    assert dict(security_headers({})) == EXPECTED
    assert dict(security_headers({"SESSION_COOKIE_SECURE": True}))["Strict-Transport-Security"] \
        == "max-age=31536000"


@pytest.mark.live
def test_every_response_of_a_real_server_carries_the_headers_once(live_server):
    url = live_server.url
    handshake = requests.get(f"{url}/socket.io/?EIO=4&transport=polling", timeout=5)
    assert handshake.status_code == 200 and handshake.text.startswith('0{"sid":'), handshake.text
    assert_security_headers(handshake, "the Engine.IO polling handshake")

    cases = [
        ("a page", "GET", "/login", {}, 200),
        ("a static file", "GET", "/static/js/common.js", {}, 200),
        ("a page that does not exist", "GET", "/no-such-page", {}, 404),
        ("a JSON answer", "GET", "/healthz", {}, 200),
        ("a polling post to an unknown sid", "POST", "/socket.io/?EIO=4&transport=polling&sid=nobody",
         {"data": "40"}, 400),
        ("a handshake from a foreign origin", "GET", "/socket.io/?EIO=4&transport=polling",
         {"headers": {"Origin": "https://elsewhere.invalid"}}, 400),
        ("a WebSocket transport request that is no upgrade", "GET", "/socket.io/?EIO=4&transport=websocket",
         {}, 400),
        ("an unknown Engine.IO transport", "GET", "/socket.io/?EIO=4&transport=carrier-pigeon", {}, 400),
    ]
    for what, method, path, options, status in cases:
        response = requests.request(method, url + path, timeout=5, **options)
        assert response.status_code == status, (what, response.status_code, response.text[:200])
        assert_security_headers(response, what)


def test_a_header_the_response_has_is_left_as_it_is():
    def inner(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain"), ("referrer-policy", "same-origin")])
        return [b"ok"]

    sent = {}

    def start_response(status, headers, exc_info=None):
        sent["headers"] = headers

    SecurityHeaders(inner, {"SESSION_COOKIE_SECURE": True})({}, start_response)
    names = [name.lower() for name, _ in sent["headers"]]
    assert len(names) == len(set(names))
    assert ("referrer-policy", "same-origin") in sent["headers"]
    assert ("Strict-Transport-Security", "max-age=31536000") in sent["headers"]


def test_the_test_client_sees_each_header_once_and_binding_again_wraps_once(tmp_path, app):
    other = create_app({"TESTING": True, "SECRET_KEY": TEST_SECRET, "INSTANCE_PATH": str(tmp_path),
                        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'db.sqlite3'}",
                        "DIALOGUE_REDIS_URL": None})
    try:
        init_socketio(other)  # as the tests do when they build another app
        layers, layer = 0, other.wsgi_app
        while layer is not None:
            layers += isinstance(layer, SecurityHeaders)
            layer = getattr(layer, "app", None) if isinstance(layer, SecurityHeaders) \
                else getattr(layer, "wsgi_app", None)
        assert isinstance(other.wsgi_app, SecurityHeaders) and layers == 1
        for path in ("/login", "/socket.io/?EIO=4&transport=websocket"):
            response = other.test_client().get(path)
            for name, value in EXPECTED.items():
                assert response.headers.getlist(name) == [value], (path, name)
    finally:
        init_socketio(app)
