"""The interface in the platform's four languages: chosen by the account, the picker's
cookie or Accept-Language; <html lang> follows; plural forms follow each language."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from flask_babel import force_locale, ngettext

from dialogue.extensions import db
from dialogue.models import User

from .factories import gen_user
from .test_auth import csrf_token, sign_in

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "dialogue" / "translations"


@pytest.fixture(scope="module", autouse=True)
def compiled():
    """The catalogs compiled, as `make install` leaves them (pytest may run without make)."""
    subprocess.run([str(Path(sys.executable).parent / "pybabel"), "compile", "-d", str(TRANSLATIONS)],
                   check=True, capture_output=True)


def translation(language: str, source: str) -> str:
    with open(TRANSLATIONS / language / "LC_MESSAGES" / "messages.po", "rb") as handle:
        return read_po(handle)[source].string


@pytest.mark.parametrize("language", ["hy", "az", "ru"])
def test_the_browser_language_is_followed(http, language):
    page = http.get("/login", headers={"Accept-Language": f"{language},en;q=0.5"}).get_data(as_text=True)
    assert f'<html lang="{language}" dir="ltr"' in page
    assert translation(language, "Sign in") in page


@pytest.mark.parametrize("header", ["??;q=x", "tlh", "", "de-DE,fr;q=0.9"])
def test_an_unusable_accept_language_falls_back_to_english(http, header):
    response = http.get("/login", headers={"Accept-Language": header})
    assert response.status_code == 200 and '<html lang="en" dir="ltr"' in response.get_data(as_text=True)


def test_the_picker_keeps_the_choice_for_the_browser_and_the_account(ctx, app, http):
    page = lambda client: client.get("/login", headers={"Accept-Language": "ru"}).get_data(as_text=True)  # noqa: E731
    answer = http.post("/language", data={"language": "hy", "next": "/login", "csrf_token": csrf_token(http, "/login")})
    assert answer.status_code == 302 and answer.headers["Location"] == "/login"
    assert '<html lang="hy" dir="ltr"' in page(http), "the picker's choice wins over Accept-Language"
    http.post("/language", data={"language": "xx", "next": "/login", "csrf_token": csrf_token(http, "/login")})
    assert '<html lang="hy" dir="ltr"' in page(http), "an unsupported language changes nothing"

    user = gen_user()
    db.session.commit()
    signed_in = app.test_client()
    sign_in(signed_in, user.email)
    signed_in.post("/language", data={"language": "az", "next": "/", "csrf_token": csrf_token(signed_in, "/settings")})
    db.session.expire_all()
    assert db.session.get(User, user.id).locale == "az"
    elsewhere = app.test_client()
    sign_in(elsewhere, user.email)
    assert '<html lang="az" dir="ltr"' in elsewhere.get("/settings", headers={"Accept-Language": "ru"}).get_data(as_text=True)


def test_russian_plural_forms_for_one_two_and_five(app):
    with app.test_request_context("/"), force_locale("ru"):
        said = [ngettext("%(num)d message was removed by moderators.",
                         "%(num)d messages were removed by moderators.", n) for n in (1, 2, 5)]
    assert said == ["1 сообщение удалено модераторами.", "2 сообщения удалены модераторами.",
                    "5 сообщений удалено модераторами."]
