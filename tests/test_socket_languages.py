"""Against a real server: Socket.IO refusals say their message in the member's language (the
account's choice, else the browser's language cookie, else the handshake's Accept-Language),
read again at every event; codes stay as they are."""

from __future__ import annotations

import re

import pytest
import socketio
from babel.messages.pofile import read_po

from dialogue.auth import accounts
from dialogue.errors import DEFAULT_MESSAGES

from .factories import gen_room, gen_token, gen_user
from .helpers import RecordingClient, release_database
from .test_account_live import browser_session
from .test_languages import (
    TRANSLATIONS,
    compiled,  # noqa: F401  (the fixture: the catalogs compiled)
)

pytestmark = pytest.mark.live

NOT_A_STRING = "session_id must be a string."
NOT_AN_OBJECT = "The event needs one JSON object."
_catalogs: dict = {}


def said(language: str, source: str) -> str:
    """`source` as the catalog of `language` says it (English: as it is)."""
    source = str(source)
    if language == "en":
        return source
    if language not in _catalogs:
        with open(TRANSLATIONS / language / "LC_MESSAGES" / "messages.po", "rb") as handle:
            _catalogs[language] = read_po(handle)
    return _catalogs[language][source].string


def not_found(client) -> dict:
    return client.call("join", {"session_id": "zq-no-such-session"})["error"]


def invalid(client) -> dict:
    return client.call("join", {"session_id": 7})["error"]


def not_an_object(client) -> dict:
    return client.call("join", [1, 2])["error"]


def unknown(client) -> dict:
    return client.call("no_such_event", {})["error"]


def _expect(client, language: str) -> None:
    missing = not_found(client)
    assert missing == {"code": "not_found", "message": said(language, DEFAULT_MESSAGES["not_found"])}
    assert invalid(client) == {"code": "invalid", "message": said(language, NOT_A_STRING)}
    assert not_an_object(client) == {"code": "invalid", "message": said(language, NOT_AN_OBJECT)}
    answer = unknown(client)
    assert answer["code"] == "invalid"
    if language != "en":
        assert answer["message"] != "Unknown event 'no_such_event'.", answer


def test_a_token_client_hears_its_account_language_and_a_change_at_the_next_event(ctx, clients):
    user = gen_user()
    accounts.set_locale(user, "ru")
    token = gen_token(user)
    release_database()
    client = clients(token, headers={"Accept-Language": "az"})  # the account's choice comes first
    _expect(client, "ru")
    assert said("ru", DEFAULT_MESSAGES["not_found"]) != str(DEFAULT_MESSAGES["not_found"])

    accounts.set_locale(user, "hy")
    release_database()
    _expect(client, "hy")  # the same socket, no reconnecting


def test_a_token_client_without_a_choice_follows_accept_language_or_english(ctx, clients):
    user = gen_user()
    token = gen_token(user)
    release_database()
    _expect(clients(token, headers={"Accept-Language": "ru-RU,ru;q=0.9"}), "ru")
    _expect(clients(token), "en")
    _expect(clients(token, headers={"Accept-Language": "de, tlh;q=0.5"}), "en")


def test_a_browser_socket_follows_the_language_cookie_then_the_picker(ctx, live_server, clients):
    room = gen_room(participants=1)
    person = room.participants[0]
    release_database()
    web = browser_session(live_server.url, person.user.email)
    web.cookies.set("lang", "az")
    cookie = "; ".join(f"{name}={value}" for name, value in web.cookies.items())
    browser = clients(None, headers={"Cookie": cookie, "Accept-Language": "ru"})
    _expect(browser, "az")
    assert browser.call("join", {"session_id": room.id})["ok"]

    # The account chooses Armenian with the picker on another page: the socket follows.
    page = web.get(f"{live_server.url}/settings", timeout=5).text
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    answer = web.post(f"{live_server.url}/language", data={"language": "hy", "next": "/", "csrf_token": csrf},
                      allow_redirects=False, timeout=5)
    assert answer.status_code == 302
    _expect(browser, "hy")


def test_two_sockets_on_one_server_keep_their_own_languages(ctx, clients):
    russian, azerbaijani = gen_user(), gen_user()
    accounts.set_locale(russian, "ru")
    accounts.set_locale(azerbaijani, "az")
    tokens = gen_token(russian), gen_token(azerbaijani)
    release_database()
    first, second = clients(tokens[0]), clients(tokens[1])
    english = clients(gen_token(gen_user()))
    for _ in range(3):  # interleaved, so that a language left behind would show
        assert not_found(first)["message"] == said("ru", DEFAULT_MESSAGES["not_found"])
        assert not_found(second)["message"] == said("az", DEFAULT_MESSAGES["not_found"])
        assert not_found(english)["message"] == str(DEFAULT_MESSAGES["not_found"])
        assert invalid(second)["message"] == said("az", NOT_A_STRING)
        assert invalid(first)["message"] == said("ru", NOT_A_STRING)


def test_a_refused_handshake_stays_machine_readable(live_server):
    refused = RecordingClient(live_server.url, "dlg_not-a-real-token", headers={"Accept-Language": "ru"})
    with pytest.raises(socketio.exceptions.ConnectionError):
        refused.connect()
    assert refused.connect_error["data"] == {"code": "unauthorized"}
