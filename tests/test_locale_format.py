"""The page's language and time zone: the session's language when the reader chose none,
<html lang> with its direction, dates and numbers by Babel in the reader's locale and time
zone (the account's, else the session's, else UTC), and the choices of both in the account's
settings and on a session's manage page."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from dialogue.extensions import db
from dialogue.localization import text_direction, zone_or_none
from dialogue.models import DialogueSession, User
from dialogue.sessions import actions as dialogues

from .factories import gen_session, gen_user
from .test_auth import csrf_token, sign_in

ROOT = Path(__file__).resolve().parent.parent
CREATED = datetime(2024, 3, 5, 10, 0, tzinfo=UTC)


@pytest.fixture(scope="module", autouse=True)
def compiled():
    """The catalogs compiled, as `make install` leaves them."""
    subprocess.run([str(Path(sys.executable).parent / "pybabel"), "compile", "-d",
                    str(ROOT / "dialogue" / "translations")], check=True, capture_output=True)


def html_tag(page: str) -> str:
    return re.search(r"<html[^>]*>", page).group(0)


def invitation_link(session) -> str:
    _invitation, token = dialogues.create_invitation(session.created_by, session, role="participant", side="a")
    db.session.commit()
    return f"/invite/{token}"


@pytest.mark.parametrize("language", ["hy", "az", "ru"])
def test_an_invitation_page_is_in_the_sessions_language_when_the_reader_chose_none(ctx, http, language):
    session = gen_session(language=language)
    link = invitation_link(session)
    tag = html_tag(http.get(link, headers={"Accept-Language": ""}).get_data(as_text=True))
    assert f'lang="{language}"' in tag and 'dir="ltr"' in tag
    # So is the account page the invitation leads to.
    register = http.get(f"/register?next={link}").get_data(as_text=True)
    assert f'lang="{language}"' in html_tag(register)
    # A language the reader's browser asks for still wins, and so does the picker's cookie.
    assert 'lang="ru"' in html_tag(http.get(link, headers={"Accept-Language": "ru"}).get_data(as_text=True)) \
        or language == "ru"
    assert 'lang="en"' in html_tag(http.get(link, headers={"Accept-Language": "en-GB"}).get_data(as_text=True))
    http.set_cookie("lang", "hy")
    assert 'lang="hy"' in html_tag(http.get(link, headers={"Accept-Language": ""}).get_data(as_text=True))


@pytest.mark.parametrize("header", ["??;q=x", "tlh", "de-DE,fr;q=0.9", ";;;,,q=", "x" * 300])
def test_a_malformed_accept_language_or_cookie_falls_back_to_the_session(ctx, app, header):
    session = gen_session(language="az")
    link = invitation_link(session)
    client = app.test_client()
    client.set_cookie("lang", "../../etc")
    response = client.get(link, headers={"Accept-Language": header})
    assert response.status_code == 200 and 'lang="az"' in html_tag(response.get_data(as_text=True))
    # Pages about no session: English.
    assert 'lang="en"' in html_tag(client.get("/login", headers={"Accept-Language": header}).get_data(as_text=True))
    # An unknown invitation is about no session either.
    assert 'lang="en"' in html_tag(client.get("/invite/nothing-here", headers={"Accept-Language": ""})
                                   .get_data(as_text=True))


@pytest.mark.parametrize("language", ["en", "hy", "az", "ru"])
def test_every_language_has_its_lang_and_direction(http, language):
    page = http.get("/login", headers={"Accept-Language": language}).get_data(as_text=True)
    assert f'<html lang="{language}" dir="ltr" data-time-zone="UTC">' in page


def test_direction_comes_from_babel():
    assert text_direction("ar") == "rtl" and text_direction("he") == "rtl"
    assert [text_direction(code) for code in ("en", "hy", "az", "ru", None, "not a locale")] == ["ltr"] * 6


def test_zone_names_are_only_those_of_the_tz_database():
    assert zone_or_none("Asia/Yerevan").key == "Asia/Yerevan"
    assert [zone_or_none(name) for name in (None, "", "Mars/Olympus", "../../etc/passwd", "asia/baku", 4)] \
        == [None] * 6


def _manage(ctx, *, user_zone: str | None, session_zone: str, locale: str | None = None):
    session = gen_session(state="draft")
    session.created_at = CREATED
    session.time_zone = session_zone
    host = db.session.get(User, session.created_by_id)
    host.time_zone = user_zone
    host.locale = locale
    db.session.commit()
    client = ctx.test_client()
    sign_in(client, host.email)
    page = client.get(f"/sessions/{session.id}/manage", headers={"Accept-Language": "en"}).get_data(as_text=True)
    created = re.search(r'<dt>[^<]*</dt><dd><time datetime="2024-03-05T10:00:00\+00:00">([^<]+)</time>', page)
    return page, " ".join(created.group(1).split())


def test_times_are_in_the_accounts_zone_else_the_sessions(ctx):
    page, shown = _manage(ctx, user_zone="Asia/Yerevan", session_zone="America/New_York")
    assert shown == "Mar 5, 2024, 2:00:00 PM GMT+04:00" and 'data-time-zone="Asia/Yerevan"' in html_tag(page)
    page, shown = _manage(ctx, user_zone="Asia/Baku", session_zone="UTC")
    assert shown == "Mar 5, 2024, 2:00:00 PM GMT+04:00" and 'data-time-zone="Asia/Baku"' in html_tag(page)
    page, shown = _manage(ctx, user_zone=None, session_zone="America/New_York")
    assert shown == "Mar 5, 2024, 5:00:00 AM GMT-05:00" and 'data-time-zone="America/New_York"' in html_tag(page)
    # A zone the tz database does not know (written by hand into the database) is ignored.
    page, shown = _manage(ctx, user_zone="Mars/Olympus", session_zone="Europe/Moscow")
    assert shown == "Mar 5, 2024, 1:00:00 PM GMT+03:00"
    page, shown = _manage(ctx, user_zone=None, session_zone="Nowhere/Special")
    assert shown == "Mar 5, 2024, 10:00:00 AM GMT+00:00" and 'data-time-zone="UTC"' in html_tag(page)


def test_dates_and_numbers_follow_the_locale(ctx):
    page, shown = _manage(ctx, user_zone="Europe/Moscow", session_zone="UTC", locale="ru")
    assert 'lang="ru"' in html_tag(page)
    assert "5 мар. 2024" in shown and "13:00:00" in shown and "GMT+03:00" in shown
    page, shown = _manage(ctx, user_zone="Asia/Yerevan", session_zone="UTC", locale="hy")
    assert "2024" in shown and "14:00:00" in shown and re.search("[\u0531-\u0587]", shown)
    # A malformed language in the profile is ignored (here: Accept-Language, English).
    page, shown = _manage(ctx, user_zone=None, session_zone="UTC", locale="../x")
    assert 'lang="en"' in html_tag(page) and shown == "Mar 5, 2024, 10:00:00 AM GMT+00:00"


def test_the_settings_keep_a_time_zone_and_refuse_an_unknown_one(ctx, app):
    user = gen_user()
    db.session.commit()
    client = app.test_client()
    sign_in(client, user.email)
    page = client.get("/settings").get_data(as_text=True)
    assert '<option value="Asia/Baku">' in page and '<option value="Asia/Yerevan">' in page

    def choose(zone):
        return client.post("/settings/time-zone", data={"zone-time_zone": zone,
                                                        "csrf_token": csrf_token(client, "/settings")})

    assert choose("Asia/Yerevan").status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).time_zone == "Asia/Yerevan"
    assert 'data-time-zone="Asia/Yerevan"' in client.get("/settings").get_data(as_text=True)
    refused = choose("Mars/Olympus")
    assert refused.status_code == 400
    assert "Choose a time zone from the list" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, user.id).time_zone == "Asia/Yerevan"
    assert choose("").status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).time_zone is None


def test_the_manage_page_changes_the_sessions_language_and_time_zone(ctx, app):
    session = gen_session(state="draft")
    db.session.commit()
    client = app.test_client()
    sign_in(client, session.created_by.email)
    path = f"/sessions/{session.id}/manage"
    page = client.get(path, headers={"Accept-Language": "en"}).get_data(as_text=True)
    for name in ("Հայերեն", "Azərbaycan dili", "Русский", "English"):
        assert f">{name}</option>" in page
    assert '<option selected value="UTC">UTC</option>' in page

    def save(language, zone):
        return client.post(f"/sessions/{session.id}/settings", headers={"Accept-Language": "en"}, data={
            "settings-language": language, "settings-time_zone": zone, "csrf_token": csrf_token(client, path)})

    assert save("hy", "Asia/Yerevan").status_code == 302
    db.session.expire_all()
    saved = db.session.get(DialogueSession, session.id)
    assert (saved.language, saved.time_zone) == ("hy", "Asia/Yerevan")
    refused = save("az", "Nowhere/Special")
    assert refused.status_code == 400 and "Choose a time zone from the list" in refused.get_data(as_text=True)
    assert save("xx", "UTC").status_code == 400
    db.session.expire_all()
    saved = db.session.get(DialogueSession, session.id)
    assert (saved.language, saved.time_zone) == ("hy", "Asia/Yerevan")


def test_the_new_session_form_names_each_language_in_itself(ctx, app):
    host = gen_user("facilitator")
    db.session.commit()
    client = app.test_client()
    sign_in(client, host.email)
    page = client.get("/sessions/new").get_data(as_text=True)
    for code, name in (("hy", "Հայերեն"), ("az", "Azərbaycan dili"), ("ru", "Русский"), ("en", "English")):
        assert re.search(rf'<option[^>]*value="{code}"[^>]*>{name}</option>', page)


def test_zone_lists_offer_both_countries_first_and_the_new_session_form_sets_one(ctx, app):
    host = gen_user("facilitator")
    host.time_zone = "Asia/Baku"
    db.session.commit()
    session = gen_session(host)
    db.session.commit()
    client = app.test_client()
    sign_in(client, host.email)

    def zones(page: str, select_id: str) -> list[str]:
        select = re.search(rf'<select[^>]*id="{select_id}"[^>]*>(.*?)</select>', page, re.S).group(1)
        return [value for value in re.findall(r'<option[^>]*value="([^"]*)"', select) if value]

    new = client.get("/sessions/new").get_data(as_text=True)
    settings = client.get("/settings").get_data(as_text=True)
    manage = client.get(f"/sessions/{session.id}/manage").get_data(as_text=True)
    for page, select_id in ((new, "time_zone"), (settings, "zone-time_zone"), (manage, "settings-time_zone")):
        listed = zones(page, select_id)
        assert listed[:3] == ["Asia/Baku", "Asia/Yerevan", "UTC"], (select_id, listed[:5])
        assert len(listed) == len(set(listed)) and "Europe/Moscow" in listed
    # The new-session form starts from the creator's own zone.
    assert re.search(r'<option selected value="Asia/Baku">|<option value="Asia/Baku" selected>', new)

    def create(zone: str | None):
        data = {"title": "Zones", "side_a_label": "Armenia", "side_b_label": "Azerbaijan", "language": "en",
                "facilitator_name": "Host", "ground_rules": "Be kind.",
                "csrf_token": csrf_token(client, "/sessions/new")}
        if zone is not None:
            data["time_zone"] = zone
        return client.post("/sessions/new", data=data)

    made = create("Asia/Yerevan")
    assert made.status_code == 302
    created = db.session.get(DialogueSession, made.headers["Location"].split("/")[-2])
    assert created.time_zone == "Asia/Yerevan"
    assert db.session.get(DialogueSession, create(None).headers["Location"].split("/")[-2]).time_zone == "UTC"
    refused = create("Mars/Olympus_Mons")
    assert refused.status_code == 400 and "Choose a time zone from the list" in refused.get_data(as_text=True)


def test_the_armenian_font_is_served_from_the_site_with_its_license(http):
    css = http.get("/static/css/app.css").get_data(as_text=True)
    assert '@font-face' in css and "noto-sans-armenian-armenian-400-normal.woff2" in css
    assert "U+0530-058F" in css and "//fonts." not in css
    font = http.get("/static/fonts/noto-sans-armenian-armenian-400-normal.woff2")
    assert font.status_code == 200 and font.data[:4] == b"wOF2"
    assert "font-src 'self'" in font.headers["Content-Security-Policy"]
    # Static files are revalidated (their URLs carry no version): a copy in the cache is reused.
    again = http.get("/static/fonts/noto-sans-armenian-armenian-400-normal.woff2",
                     headers={"If-None-Match": font.headers["ETag"]})
    assert again.status_code == 304
    assert "Open Font License" in http.get("/static/fonts/NotoSansArmenian-OFL.txt").get_data(as_text=True)
