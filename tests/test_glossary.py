"""The glossary of contested names: the warnings a translation gets when it uses a form other
than the agreed one, the glossary pages in the four languages, who may read and change a
session's glossary and the platform's list, the starter list, and the `glossary` event."""

from __future__ import annotations

import collections
import html

import pytest
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import delete, func, select

from dialogue.errors import DialogueError
from dialogue.extensions import db, socketio
from dialogue.facilitation import glossary
from dialogue.facilitation.forms import GLOSSARY_LANGUAGE_LABELS
from dialogue.facilitation.glossary import glossary_warnings, session_glossary_warnings
from dialogue.models import AuditEntry, DialogueSession, GlossaryEntry

from .conftest import queueless
from .factories import gen_room, gen_session, gen_token, gen_user
from .test_auth import csrf_token

LANGS = ("hy", "az", "ru", "en")
REGION = {
    "id": 1, "concept": "Nagorno-Karabakh",
    "forms": {"a": {"hy": "Արցախ", "az": "Artsax", "ru": "Арцах", "en": "Artsakh"},
              "b": {"hy": "Ղարաբաղ", "az": "Qarabağ", "ru": "Карабах", "en": "Karabakh"}},
    "neutral": {"hy": "Լեռնային Ղարաբաղ", "az": "Dağlıq Qarabağ", "ru": "Нагорный Карабах",
                "en": "Nagorno-Karabakh"},
}
LACHIN = {
    "id": 2, "concept": "Lachin",
    "forms": {"a": {"hy": "Բերձոր", "az": "Berdzor", "ru": "Бердзор", "en": "Berdzor"},
              "b": {"hy": "Լաչին", "az": "Laçın", "ru": "Лачин", "en": "Lachin"}},
    "neutral": {"en": "Lachin"},
}


@pytest.fixture(scope="module")
def app(app):
    """The app without a message queue, which Flask-SocketIO's test client cannot work with."""
    with queueless(app) as other:
        yield other


@pytest.fixture(scope="module")
def starter(app):
    """The starter list in the platform's list (once per database, as every server start does)."""
    with app.app_context():
        glossary.ensure_starter_glossary()
        db.session.remove()


# --- warnings ------------------------------------------------------------------------------

def test_a_non_agreed_russian_form_is_warned_with_the_entry_and_both_forms():
    assert glossary_warnings([REGION], "ru", "Мы говорили об Арцахе.") == [
        {"entry_id": 1, "concept": "Nagorno-Karabakh", "found": "Арцахе", "agreed": "Нагорный Карабах"}]


def test_inflected_forms_match_in_each_language():
    assert [w["found"] for w in glossary_warnings([REGION], "ru", "жители Карабаха")] == ["Карабаха"]
    assert [w["found"] for w in glossary_warnings([REGION], "az", "Qarabağda yaşayanlar")] == ["Qarabağda"]
    assert [w["found"] for w in glossary_warnings([REGION], "hy", "Արցախում ապրողները")] == ["Արցախում"]
    assert [w["agreed"] for w in glossary_warnings([REGION], "hy", "Ղարաբաղի մասին")] == ["Լեռնային Ղարաբաղ"]


def test_the_agreed_form_gives_no_warning_even_where_it_contains_another_form():
    assert glossary_warnings([REGION], "ru", "жители Нагорного Карабаха и Нагорный Карабах") == []
    assert glossary_warnings([REGION], "az", "Dağlıq Qarabağda") == []
    assert glossary_warnings([REGION], "hy", "Լեռնային Ղարաբաղում") == []
    assert glossary_warnings([REGION], "en", "Nagorno-Karabakh's future") == []
    # The agreed form and another form in one text: only the other one is warned.
    assert [w["found"] for w in glossary_warnings([REGION], "ru", "Нагорный Карабах, или Арцах")] == ["Арцах"]


def test_matching_folds_case_and_unicode_forms():
    assert [w["found"] for w in glossary_warnings([REGION], "az", "QARABAĞ")] == ["QARABAĞ"]
    assert [w["found"] for w in glossary_warnings([REGION], "ru", "КАРАБАХ")] == ["КАРАБАХ"]
    assert [w["found"] for w in glossary_warnings([LACHIN], "en", "BERDZOR")] == ["BERDZOR"]
    # Azerbaijani dotless ı and its capital I fold together (LAÇIN is Laçın).
    entry = {**LACHIN, "neutral": {"az": "Berdzor"}}
    assert [w["found"] for w in glossary_warnings([entry], "az", "LAÇINDA")] == ["LAÇINDA"]
    # Compatibility forms (here full-width Latin letters) fold to the plain ones.
    assert [w["found"] for w in glossary_warnings([LACHIN], "en", "in Ｂｅｒｄｚｏｒ")] == ["Ｂｅｒｄｚｏｒ"]


def test_only_word_starts_match():
    assert glossary_warnings([LACHIN], "en", "Mberdzor, unberdzored") == []
    assert [w["found"] for w in glossary_warnings([LACHIN], "en", "pro-Berdzor")] == ["Berdzor"]
    assert [w["found"] for w in glossary_warnings([LACHIN], "en", "(Berdzor)")] == ["Berdzor"]


def test_same_script_forms_of_other_languages_are_warned_too():
    # An Azerbaijani text using the English (Latin script) usage; a Russian one using no Latin form.
    assert [w["found"] for w in glossary_warnings([REGION], "az", "Artsakh haqqında")] == ["Artsakh"]
    assert glossary_warnings([REGION], "ru", "Artsakh") == []
    # Of overlapping forms the longest is found, once.
    assert [w["found"] for w in glossary_warnings([REGION], "az", "Nagorno-Karabakh")] == ["Nagorno-Karabakh"]


def test_no_agreed_form_or_no_use_gives_nothing():
    assert glossary_warnings([LACHIN], "ru", "Бердзор") == [], "no form agreed in Russian"
    assert glossary_warnings([LACHIN], "en", "Lachin and the road") == []
    assert glossary_warnings([REGION], "de", "Karabakh") == []
    assert glossary_warnings([], "en", "Karabakh") == []
    assert glossary_warnings([REGION], "en", "") == []


def test_each_found_word_is_reported_once_per_entry_in_the_order_of_the_text():
    warnings = glossary_warnings([REGION, LACHIN], "en", "Berdzor, Karabakh, karabakh, Berdzor")
    assert [(w["entry_id"], w["found"]) for w in warnings] == [(2, "Berdzor"), (1, "Karabakh")]


def test_an_interpreters_translation_in_a_session_is_warned(ctx, starter):
    session = gen_session()
    db.session.commit()
    assert glossary.glossary_object(session), "the session started from the starter list"
    warnings = session_glossary_warnings(session, "en", "My grandmother was born in Irevan, near Lake Goycha.")
    assert [(w["concept"], w["found"], w["agreed"]) for w in warnings] == [
        ("Yerevan", "Irevan", "Yerevan"), ("Lake Sevan", "Goycha", "Sevan")]
    region = next(e for e in glossary.glossary_object(session) if e["concept"] == "Nagorno-Karabakh")
    assert session_glossary_warnings(session, "ru", "в Арцахе") == [
        {"entry_id": region["id"], "concept": "Nagorno-Karabakh", "found": "Арцахе", "agreed": "Нагорный Карабах"}]
    assert session_glossary_warnings(session, "ru", "в Нагорном Карабахе") == []


# --- the starter list ----------------------------------------------------------------------

def test_the_starter_list_is_short_symmetric_and_complete():
    rows = glossary.starter_rows()
    assert 8 <= len(rows) <= 12
    where = collections.Counter(row["lies_in"] for row in rows)
    assert where["a"] == where["b"] >= 4 and where[""] == 1 and set(where) == {"a", "b", ""}
    for row in rows:
        for side in ("a", "b"):
            assert set(row["forms"][side]) == set(LANGS), (row["concept"], side)
        assert row["forms"]["a"] != row["forms"]["b"], row["concept"]
        assert row["neutral"].get("en"), row["concept"]
    assert len({row["concept"] for row in rows}) == len(rows)


def test_the_starter_list_is_loaded_once_per_database(ctx, starter):
    concepts = {row["concept"] for row in glossary.starter_rows()}
    platform = {entry["concept"] for entry in glossary.glossary_object(None)}
    assert concepts <= platform
    count = db.session.scalar(select(func.count(GlossaryEntry.id)).where(GlossaryEntry.session_id.is_(None)))
    assert glossary.ensure_starter_glossary() == 0
    assert db.session.scalar(select(func.count(GlossaryEntry.id)).where(GlossaryEntry.session_id.is_(None))) == count
    assert db.session.scalar(select(func.count(AuditEntry.id)).where(
        AuditEntry.action == glossary.STARTER_MARK)) == 1


def test_a_new_session_starts_from_a_copy_of_the_platform_list(ctx, starter):
    session = gen_session()
    db.session.commit()
    platform = glossary.glossary_object(None)
    copied = glossary.glossary_object(session)
    strip = lambda entries: [(e["concept"], e["forms"], e["neutral"], e["note"]) for e in entries]  # noqa: E731
    assert strip(copied) == strip(platform)
    assert {e["id"] for e in copied}.isdisjoint({e["id"] for e in platform})
    # The session's labels are its own.
    other = gen_session(side_a_label="Yerevan group", side_b_label="Baku group")
    db.session.commit()
    assert glossary.glossary_object(other)[0]["sides"] == [{"side": "a", "label": "Yerevan group"},
                                                            {"side": "b", "label": "Baku group"}]


def test_a_session_without_a_glossary_starts_from_the_platform_list_on_request(ctx, app, starter):
    room = gen_room(participants=1)
    db.session.execute(delete(GlossaryEntry).where(GlossaryEntry.session_id == room.id))
    db.session.commit()
    client = app.test_client()
    headers = {"Authorization": f"Bearer {room.facilitator.token}"}
    page = client.get(f"/sessions/{room.id}/glossary", headers=headers).get_data(as_text=True)
    assert "Start from the platform" in html.unescape(page)
    member_page = client.get(f"/sessions/{room.id}/glossary",
                             headers={"Authorization": f"Bearer {room.participants[0].token}"}).get_data(as_text=True)
    assert f"/sessions/{room.id}/glossary/start" not in member_page
    answer = client.post(f"/sessions/{room.id}/glossary/start", headers=headers,
                         data={"csrf_token": csrf_token(client, "/login")})
    assert answer.status_code == 302
    assert len(glossary.entries(room.id)) == len(glossary.entries(None))
    with pytest.raises(DialogueError) as refused:
        glossary.start_from_platform(room.facilitator.user, room.id)
    assert refused.value.code == "conflict"


# --- the pages -----------------------------------------------------------------------------

@pytest.mark.parametrize("language", LANGS)
def test_the_glossary_page_in_each_language_shows_every_form_in_all_four_languages(ctx, app, starter, language):
    room = gen_room(participants=1)
    token = room.participants[0].token
    page = app.test_client().get(f"/sessions/{room.id}/glossary", headers={
        "Authorization": f"Bearer {token}", "Accept-Language": language})
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert f'<html lang="{language}" dir="ltr"' in body
    for entry in glossary.glossary_object(room.session):
        for lang in LANGS:
            for side in ("a", "b"):
                assert f'<td lang="{lang}">{html.escape(entry["forms"][side][lang])}</td>' in body, (entry, lang)
            if entry["neutral"][lang]:
                assert f'<strong>{html.escape(entry["neutral"][lang])}</strong>' in body
    with force_locale(language):
        headers = [str(GLOSSARY_LANGUAGE_LABELS[lang]) for lang in LANGS] + [
            _("Usage in %(side)s", side="Armenia"), _("Usage in %(side)s", side="Azerbaijan"), _("Agreed form")]
    for header in headers:
        assert html.escape(header) in body, header
    assert "<form" not in body.split("<main", 1)[1].split("</main>")[0], "members get no editing forms"


def _gone(entry_id: int) -> bool:
    db.session.rollback()  # read the database, not the objects this test loaded before
    return db.session.scalar(select(GlossaryEntry.id).where(GlossaryEntry.id == entry_id)) is None


def _post(app, person, path: str, data: dict):
    client = app.test_client()
    return client.post(path, headers={"Authorization": f"Bearer {person.token}"},
                       data={**data, "csrf_token": csrf_token(client, "/login")})


def _entry_form(prefix: str, concept: str, **forms) -> dict:
    return {f"{prefix}-concept": concept, **{f"{prefix}-{name}": value for name, value in forms.items()}}


def test_facilitators_add_edit_reorder_and_delete_entries(ctx, app):
    room = gen_room(participants=1)
    facilitator = room.facilitator
    answer = _post(app, facilitator, f"/sessions/{room.id}/glossary",
                   _entry_form("new", "Gyumri", a_hy="Գյումրի", b_az="Gümrü", neutral_en="Gyumri", note="City."))
    assert answer.status_code == 302 and answer.headers["Location"].endswith(f"/sessions/{room.id}/glossary")
    entry = next(e for e in glossary.entries(room.id) if e.concept == "Gyumri")
    assert entry.forms == {"a": {"hy": "Գյումրի"}, "b": {"az": "Gümrü"}} and entry.neutral == {"en": "Gyumri"}
    assert entry.created_by_id == facilitator.id

    answer = _post(app, facilitator, f"/glossary/{entry.id}/edit",
                   _entry_form(f"entry-{entry.id}", "Gyumri (city)", a_hy="Գյումրի", a_ru="Гюмри", b_az="Gümrü"))
    assert answer.status_code == 302
    db.session.refresh(entry)
    assert entry.concept == "Gyumri (city)" and entry.forms["a"] == {"hy": "Գյումրի", "ru": "Гюмри"}
    assert entry.neutral == {}, "an emptied agreed form is no agreed form"

    before = [e.id for e in glossary.entries(room.id)]
    assert _post(app, facilitator, f"/glossary/{entry.id}/move", {"direction": "up"}).status_code == 302
    after = [e.id for e in glossary.entries(room.id)]
    if len(before) > 1:
        assert after.index(entry.id) == before.index(entry.id) - 1

    page = app.test_client().get(f"/sessions/{room.id}/glossary",
                                 headers={"Authorization": f"Bearer {facilitator.token}"}).get_data(as_text=True)
    assert f"/glossary/{entry.id}/edit" in page and f"/glossary/{entry.id}/delete" in page

    assert _post(app, facilitator, f"/glossary/{entry.id}/delete", {}).status_code == 302
    assert _gone(entry.id)


def test_a_form_without_any_form_of_the_name_is_refused(ctx, app):
    room = gen_room(participants=0)
    count = len(glossary.entries(room.id))
    answer = _post(app, room.facilitator, f"/sessions/{room.id}/glossary", _entry_form("new", "Nothing"))
    assert answer.status_code == 302
    assert len(glossary.entries(room.id)) == count
    with pytest.raises(DialogueError) as refused:
        glossary.add_entry(room.facilitator.user, room.id, {"concept": "Nothing", "forms": {"a": {"en": " "}}})
    assert refused.value.code == "empty"


@pytest.mark.parametrize("raw,code", [
    ({"concept": "", "forms": {"a": {"en": "X"}}}, "empty"),
    ({"concept": "X" * 201, "forms": {"a": {"en": "X"}}}, "too_long"),
    ({"concept": "X", "forms": {"a": {"de": "X"}}}, "invalid"),
    ({"concept": "X", "forms": {"c": {"en": "X"}}}, "invalid"),
    ({"concept": "X", "forms": {"a": {"en": 5}}}, "invalid"),
    ({"concept": "X", "forms": {"a": {"en": "X" * 201}}}, "too_long"),
    ({"concept": "X", "forms": {"a": {"en": "X"}}, "neutral": {"fr": "X"}}, "invalid"),
    ({"concept": "X", "forms": {"a": {"en": "X"}}, "note": "n" * 2001}, "too_long"),
    ({"concept": "X", "forms": []}, "invalid"),
    ("not an object", "invalid"),
    ({"concept": "X\x00", "forms": {"a": {"en": "X"}}}, "invalid"),
    ({"concept": "X", "forms": {"a": {"en": "X\ud800"}}}, "invalid"),
])
def test_entries_are_validated(raw, code):
    with pytest.raises(DialogueError) as refused:
        glossary.clean_entry(raw)
    assert refused.value.code == code


@pytest.mark.parametrize("who", ["participant", "observer", "moderator"])
def test_participants_observers_and_moderators_read_but_cannot_change(ctx, app, who):
    room = gen_room(participants=1)
    entry = glossary.add_entry(room.facilitator.user, room.id, {"concept": "Mine", "forms": {"a": {"en": "Mine"}}})
    person = {"participant": room.participants[0], "observer": room.observer, "moderator": room.moderator}[who]
    page = app.test_client().get(f"/sessions/{room.id}/glossary", headers={"Authorization": f"Bearer {person.token}"})
    assert page.status_code == 200 and "Mine" in page.get_data(as_text=True)
    assert _post(app, person, f"/sessions/{room.id}/glossary",
                 _entry_form("new", "Theirs", a_en="Theirs")).status_code == 403
    assert _post(app, person, f"/glossary/{entry.id}/edit",
                 _entry_form(f"entry-{entry.id}", "Changed", a_en="Changed")).status_code == 403
    assert _post(app, person, f"/glossary/{entry.id}/delete", {}).status_code == 403
    assert _post(app, person, f"/glossary/{entry.id}/move", {"direction": "down"}).status_code == 403
    db.session.refresh(entry)
    assert entry.concept == "Mine" and [e.concept for e in glossary.entries(room.id)].count("Theirs") == 0


def test_non_members_cannot_read_a_sessions_glossary(ctx, app):
    room = gen_room(participants=0)
    client = app.test_client()
    assert client.get(f"/sessions/{room.id}/glossary",
                      headers={"Authorization": f"Bearer {room.outsider.token}"}).status_code == 403
    assert client.get("/sessions/no-such-session/glossary",
                      headers={"Authorization": f"Bearer {room.outsider.token}"}).status_code == 404
    assert client.get(f"/sessions/{room.id}/glossary").status_code == 302  # to the sign-in page
    admin = gen_user("admin")
    assert client.get(f"/sessions/{room.id}/glossary",
                      headers={"Authorization": f"Bearer {gen_token(admin)}"}).status_code == 200


def test_the_manage_page_links_to_the_glossary(ctx, app):
    room = gen_room(participants=0)
    page = app.test_client().get(f"/sessions/{room.id}/manage",
                                 headers={"Authorization": f"Bearer {room.facilitator.token}"}).get_data(as_text=True)
    assert f'href="/sessions/{room.id}/glossary"' in page


def test_admins_keep_the_platform_list(ctx, app):
    admin = gen_user("admin")
    facilitator = gen_user("facilitator")
    db.session.commit()

    class Person:
        def __init__(self, user):
            self.user, self.token, self.id = user, gen_token(user), user.id

    admin_p, facilitator_p = Person(admin), Person(facilitator)
    client = app.test_client()
    assert client.get("/admin/glossary", headers={"Authorization": f"Bearer {admin_p.token}"}).status_code == 200
    assert client.get("/admin/glossary", headers={"Authorization": f"Bearer {facilitator_p.token}"}).status_code == 403
    home = client.get("/", headers={"Authorization": f"Bearer {admin_p.token}"}).get_data(as_text=True)
    assert 'href="/admin/glossary"' in home
    assert 'href="/admin/glossary"' not in client.get(
        "/", headers={"Authorization": f"Bearer {facilitator_p.token}"}).get_data(as_text=True)

    answer = _post(app, admin_p, "/admin/glossary", _entry_form("new", "Platform test", a_en="Alpha", b_en="Beta"))
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/admin/glossary")
    entry = db.session.scalar(select(GlossaryEntry).where(GlossaryEntry.concept == "Platform test"))
    assert entry.session_id is None
    assert db.session.scalar(select(AuditEntry.action).where(
        AuditEntry.target_type == "glossary", AuditEntry.target_id == str(entry.id))) == "glossary_add"
    assert _post(app, facilitator_p, "/admin/glossary",
                 _entry_form("new", "Not mine", a_en="Alpha")).status_code == 403
    assert _post(app, facilitator_p, f"/glossary/{entry.id}/delete", {}).status_code == 403
    with pytest.raises(DialogueError) as refused:
        glossary.edit_entry(facilitator, entry.id, {"concept": "X", "forms": {"a": {"en": "X"}}})
    assert refused.value.code == "forbidden"
    # A new session copies the list as it is now; sessions made before keep theirs.
    session = gen_session(facilitator)
    db.session.commit()
    assert "Platform test" in [e["concept"] for e in glossary.glossary_object(session)]
    assert _post(app, admin_p, f"/glossary/{entry.id}/delete", {}).status_code == 302
    assert _gone(entry.id)
    assert "Platform test" in [e["concept"] for e in glossary.glossary_object(db.session.get(DialogueSession,
                                                                                              session.id))]


# --- the `glossary` event ------------------------------------------------------------------

def test_the_glossary_event_answers_members_and_refuses_others(ctx, app):
    room = gen_room(participants=1)
    entry = glossary.add_entry(room.facilitator.user, room.id, {
        "concept": "Event test", "forms": {"a": {"en": "One"}, "b": {"ru": "Два"}}, "neutral": {"en": "One"}})
    db.session.commit()
    outcomes = {}
    for name, token in [("participant", room.participants[0].token), ("observer", room.observer.token),
                        ("outsider", room.outsider.token)]:
        client = socketio.test_client(app, auth={"token": token})
        try:
            outcomes[name] = client.emit("glossary", {"session_id": room.id}, callback=True)
            outcomes[name + "_unknown"] = client.emit("glossary", {"session_id": "nope"}, callback=True)
            outcomes[name + "_bad"] = client.emit("glossary", {"session_id": 5}, callback=True)
        finally:
            client.disconnect()
    answer = outcomes["participant"]
    assert answer["ok"] is True and outcomes["observer"]["ok"] is True
    sent = next(e for e in answer["entries"] if e["id"] == entry.id)
    assert sent == {"id": entry.id, "concept": "Event test", "note": "", "position": entry.position,
                    "forms": {"a": {"hy": None, "az": None, "ru": None, "en": "One"},
                              "b": {"hy": None, "az": None, "ru": "Два", "en": None}},
                    "sides": [{"side": "a", "label": "Armenia"}, {"side": "b", "label": "Azerbaijan"}],
                    "neutral": {"hy": None, "az": None, "ru": None, "en": "One"}, "updated_at": sent["updated_at"]}
    assert outcomes["outsider"]["error"]["code"] == "forbidden"
    assert outcomes["participant_unknown"]["error"]["code"] == "not_found"
    assert outcomes["participant_bad"]["error"]["code"] == "invalid"
