"""Every page in every language: no interface string is left in English.

Each page of the platform (every GET endpoint of the URL map but for the few that are not
HTML, below) is rendered as someone who may see it, over a realistic session, in English
and then in Armenian, Azerbaijani and Russian. A piece of visible text or of a shown
attribute (title, placeholder, aria-label, alt, button values, the script's data-i18n-*
sentences) that is the same in English and in the translated page counts as untranslated,
unless it is what people wrote (the fixtures write only words starting with "zq"), a name,
a code, a number or a date, or on the short list of words every language writes alike.
"""

from __future__ import annotations

import uuid

import pyotp
import pytest

from dialogue import create_app, init_socketio
from dialogue.extensions import db
from dialogue.facilitation import agenda, materials
from dialogue.models import DialogueSession, utcnow
from dialogue.moderation import flags, sanctions
from dialogue.moderation import words as watched_words
from dialogue.moderation.settings import update_settings
from dialogue.room import messages
from dialogue.server import upgrade_schema
from dialogue.sessions import actions as dialogues
from dialogue.transcripts import publishing
from dialogue.web import LANGUAGE_NAMES

from .conftest import ROOMY_LIMITS, new_database
from .factories import gen_member, gen_session, gen_user
from .page_text import interface_words, segments
from .test_auth import csrf_token, post_form, sign_in
from .test_languages import compiled  # noqa: F401  (the fixture: the catalogs compiled)

LANGUAGES = ("hy", "az", "ru")
# GET endpoints that are not HTML pages: machine formats, files and downloads.
NOT_PAGES = {
    "healthz": "JSON readiness",
    "static": "files",
    "moderation.export_words": "CSV",
    "moderation.export_word_changes": "CSV",
    "auth.my_data": "JSON download",
    "transcripts.my_messages": "JSON download",
}
# Words written alike in English and a translation: the platform's name, names of languages
# (the picker names each in itself), formats and codes, and words a language borrowed as
# they are (Azerbaijani writes these three as English does).
SAME_EVERYWHERE = frozenset({"Dialogue", *LANGUAGE_NAMES.values(), "CSV", "JSON", "UTC", "Markdown", "HTML"})
SAME_IN = {"hy": frozenset(), "ru": frozenset(),
           "az": frozenset({"Moderator", "Administrator", "Spam", "Format"})}


def zq(*words: str) -> str:
    """Text as people write it in these fixtures: every word starts with "zq"."""
    return " ".join("Zq" + word for word in words)


@pytest.fixture(scope="module")
def app(app, tmp_path_factory):
    """The app on a database of its own (what other tests and live servers leave in the
    suite's database, such as the starter lists, is data, not interface), without a message
    queue, which the test client cannot work with; the shared Socket.IO object goes back to
    the suite's app afterwards."""
    with new_database() as url:
        other = create_app({"TESTING": True, "SECRET_KEY": app.config["SECRET_KEY"], "SQLALCHEMY_DATABASE_URI": url,
                            "INSTANCE_PATH": str(tmp_path_factory.mktemp("languages")), "DIALOGUE_REDIS_URL": None})
        other.test_client_class = app.test_client_class
        with other.app_context():
            upgrade_schema()
            db.session.remove()
        try:
            yield other
        finally:
            with other.app_context():
                db.session.remove()
                db.engine.dispose()
            init_socketio(app)


@pytest.fixture(scope="module")
def scene(app):
    """A live session with an agenda, messages, flags and held messages in the review queue,
    materials, invitations, a sanction, a published transcript with preface and summary and
    its audit entries; a draft and an ended session; the people to look at them."""
    with app.app_context():
        host = gen_user("facilitator", real_name=zq("Hostreal", "Name"))
        session = gen_session(host, title=zq("Memory", "Recognition"), description=zq("About", "Remembering"),
                              side_a_label=zq("North"), side_b_label=zq("South"),
                              ground_rules=zq("Rule", "One") + "\n" + zq("Rule", "Two"),
                              facilitator_name=zq("Host"))
        agenda.set_agenda(host, session.id, [{"title": zq("Opening"), "prompt": zq("Who", "Are", "You"),
                                              "minutes": 10},
                                             {"title": zq("Closing"), "prompt": zq("What", "Now")}])
        materials.add_material(host, session, zq("Reading"), zq("Some") + " *" + zq("Text") + "*",
                               "https://example.org/zqreading")
        dialogues.create_invitation(host, session, side="a", label=zq("For", "North"))
        dialogues.create_invitation(host, session, role="observer", label=zq("For", "Observers"))
        _invitation, invitation_token = dialogues.create_invitation(host, session, side="b", max_uses=None,
                                                                    label=zq("For", "South"))
        people = {}
        for index, name in enumerate(("Anahit", "Elnur", "Karen", "Leyla")):
            user = gen_user("participant", real_name=zq(name, "Realname"))
            _user, membership = gen_member(session, "participant", side="ab"[index % 2], name=zq(name), user=user)
            people[name] = (user, membership)
        moderator, _m = gen_member(session, "moderator", side=None, name=zq("Mod"),
                                   user=gen_user("moderator", real_name=zq("Modreal")))
        observer, _o = gen_member(session, "observer", side=None, name=zq("Watcher"),
                                  user=gen_user("participant", real_name=zq("Watcherreal")))
        anahit, elnur, karen, leyla = (people[n][0] for n in ("Anahit", "Elnur", "Karen", "Leyla"))
        first, _created = messages.send_message(anahit, session.id, uuid.uuid4().hex, zq("Hello", "Everyone"))
        messages.send_message(elnur, session.id, uuid.uuid4().hex, zq("Hello", "Back"), reply_to=first.id)
        flagged, _created = messages.send_message(karen, session.id, uuid.uuid4().hex, zq("Rude", "Words"))
        flags.flag(elnur, flagged.id, "personal_attack")
        flags.flag(leyla, flagged.id, "other", note=zq("Not", "Kind"))
        messages.send_message(moderator, session.id, uuid.uuid4().hex, zq("Staff", "Note"), channel="staff")
        watched_words.add_word(None, "zqbadword", "flag")
        sanctions.sanction(host, session.id, people["Karen"][1].public_id, "warn", reason=zq("Be", "Kind"))
        sanctions.sanction(host, session.id, people["Leyla"][1].public_id, "mute", minutes=10,
                           reason=zq("Calm", "Down"))
        update_settings(host, session.id, {"moderation": "pre"})
        messages.send_message(anahit, session.id, uuid.uuid4().hex, zq("Held", "Message"))
        publishing.set_texts(host, db.session.get(DialogueSession, session.id), zq("Before"), zq("After"))
        publishing.publish(host, session.id, "side", public=True)
        draft = gen_session(host, state="draft", title=zq("Draft", "Session"), side_a_label=zq("East"),
                            side_b_label=zq("West"), facilitator_name=zq("Host"), ground_rules=zq("Rule"))
        gen_session(host, state="ended", title=zq("Ended", "Session"), side_a_label=zq("East"),
                    side_b_label=zq("West"), facilitator_name=zq("Host"), ground_rules=zq("Rule"))
        admin = gen_user("admin", real_name=zq("Admin"))
        outsider = gen_user("participant", real_name=zq("Outsider"))
        # A staff account with two-factor sign-in on, for the code step of signing in.
        guarded = gen_user("moderator", real_name=zq("Guarded"))
        guarded.totp_secret = pyotp.random_base32()
        guarded.totp_enabled_at = utcnow()
        enrolling = gen_user("moderator", real_name=zq("Enrolling"))
        enrolling.totp_secret = pyotp.random_base32()
        db.session.commit()
        scene = {"room": session.id, "draft": draft.id, "invitation": invitation_token,
                 "emails": {"facilitator": host.email, "moderator": moderator.email, "observer": observer.email,
                            "participant": anahit.email, "admin": admin.email, "outsider": outsider.email,
                            "enrolling": enrolling.email},
                 "guarded": (guarded.email, guarded.totp_secret)}
        db.session.remove()
    return scene


@pytest.fixture(scope="module")
def visitors(app, scene):
    """A signed-in browser (test client) for each actor, and one anonymous."""
    made = {"anonymous": app.test_client()}
    for actor, email in scene["emails"].items():
        client = app.test_client()
        client.environ_base["HTTP_USER_AGENT"] = "Zqbrowser/1.0"  # the settings page shows it
        assert sign_in(client, email).status_code == 302, actor
        made[actor] = client
    # Enrolling in two-factor sign-in: the page then shows the new secret.
    post_form(made["enrolling"], "/settings/two-factor/start", {}, form_page="/settings/two-factor")
    return made


def _header(language: str) -> dict:
    return {"Accept-Language": f"{language},en;q=0.1" if language != "en" else "en"}


def get(path: str):
    return lambda client, language: client.get(path, headers=_header(language))


def post(path: str, form_page: str, data: dict):
    def render(client, language):
        return client.post(path, headers=_header(language),
                           data={**data, "csrf_token": csrf_token(client, form_page)})
    return render


def pages(s: dict) -> list[tuple[str, str, str, object]]:
    """(name, endpoint, actor, render(client, language)) for every page of the platform."""
    room, invitation = s["room"], s["invitation"]
    return [
        ("login", "auth.login", "anonymous", get("/login")),
        ("login with an error", "auth.login", "anonymous",
         post("/login", "/login", {"email": "nobody@example.org", "password": "zqwrong zqpassword"})),
        ("home: facilitator", "pages.home", "facilitator", get("/")),
        ("home: participant", "pages.home", "participant", get("/")),
        ("home: observer", "pages.home", "observer", get("/")),
        ("home: moderator", "pages.home", "moderator", get("/")),
        ("home: admin", "pages.home", "admin", get("/")),
        ("home: no sessions", "pages.home", "outsider", get("/")),
        ("settings: participant", "auth.settings", "participant", get("/settings")),
        ("settings: facilitator", "auth.settings", "facilitator", get("/settings")),
        ("settings: a new token", "auth.settings", "participant",
         post("/settings", "/settings", {"name": "zqtoken"})),
        ("two-factor: off", "auth.two_factor_page", "moderator", get("/settings/two-factor")),
        ("two-factor: enrolling", "auth.two_factor_page", "enrolling", get("/settings/two-factor")),
        ("security log", "auth.security", "admin", get("/admin/security")),
        ("security log: one kind", "auth.security", "admin", get("/admin/security?kind=login")),
        ("new session", "sessions.create", "facilitator", get("/sessions/new")),
        ("new session with errors", "sessions.create", "facilitator",
         post("/sessions/new", "/sessions/new", {"title": ""})),
        ("room: participant", "room.room", "participant", get(f"/s/{room}")),
        ("room: observer", "room.room", "observer", get(f"/s/{room}")),
        ("room: moderator", "room.room", "moderator", get(f"/s/{room}")),
        ("room: facilitator", "room.room", "facilitator", get(f"/s/{room}")),
        ("room: draft", "room.room", "facilitator", get(f"/s/{s['draft']}")),
        ("manage", "sessions.manage", "facilitator", get(f"/sessions/{room}/manage")),
        ("manage: draft", "sessions.manage", "facilitator", get(f"/sessions/{s['draft']}/manage")),
        ("manage: admin", "sessions.manage", "admin", get(f"/sessions/{room}/manage")),
        ("invitation created", None, "facilitator",
         post(f"/sessions/{room}/invitations", f"/sessions/{room}/manage",
              {"role": "participant", "side": "a", "max_uses": "1", "days": "3", "label": "zqmade"})),
        ("invitation: anonymous", "sessions.invitation", "anonymous", get(f"/invite/{invitation}")),
        ("invitation: join", "sessions.invitation", "outsider", get(f"/invite/{invitation}")),
        ("invitation: join with an error", "sessions.invitation", "outsider",
         post(f"/invite/{invitation}", f"/invite/{invitation}", {"display_name": "zqname"})),
        ("invitation: unknown", "sessions.invitation", "anonymous", get("/invite/zqnotalink")),
        ("register", "sessions.register", "anonymous", get(f"/register?next=/invite/{invitation}")),
        ("register with errors", "sessions.register", "anonymous",
         post(f"/register?next=/invite/{invitation}", f"/register?next=/invite/{invitation}", {})),
        ("review queue", "moderation.queue_page", "moderator", get("/moderation")),
        ("review queue: one session", "moderation.queue_page", "facilitator", get(f"/moderation?session={room}")),
        ("audit log", "moderation.audit", "facilitator", get(f"/sessions/{room}/audit")),
        ("audit log: one action", "moderation.audit", "facilitator", get(f"/sessions/{room}/audit?action=warn")),
        ("glossary of the session", "facilitation.glossary_page", "participant", get(f"/sessions/{room}/glossary")),
        ("glossary of the session: facilitator", "facilitation.glossary_page", "facilitator",
         get(f"/sessions/{room}/glossary")),
        ("platform glossary", "facilitation.platform_glossary", "admin", get("/admin/glossary")),
        ("watched words", "moderation.words", "admin", get("/moderation/words")),
        ("watched words: moderator", "moderation.words", "moderator", get("/moderation/words")),
        ("public transcript", "transcripts.public_transcript", "anonymous", get(f"/t/{room}")),
        ("transcript as HTML", "transcripts.transcript", "participant",
         get(f"/api/sessions/{room}/transcript?format=html")),
        ("staff transcript as HTML", "transcripts.transcript", "facilitator",
         get(f"/api/sessions/{room}/transcript?format=html&version=staff&attribution=named")),
        # Error pages.
        ("error 404", None, "participant", get("/zqnowhere")),
        ("error 403", None, "participant", get("/admin/security")),
        ("error 400", None, "participant", lambda client, language: client.post("/logout", headers=_header(language))),
        ("error 405", None, "participant", get("/logout")),
        ("error 404 of a session", None, "facilitator", get("/sessions/zqnosuchsession/manage")),
    ]


# Pages of the platform behind a step that a list cannot reach first: checked on their own below.
ELSEWHERE = {"auth.login_code"}


def test_every_page_is_rendered_in_every_language(app, scene):
    """A new GET endpoint fails here until it is in pages() or in NOT_PAGES."""
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules() if "GET" in rule.methods}
    covered = {endpoint for _name, endpoint, _actor, _render in pages(scene) if endpoint} | ELSEWHERE
    assert endpoints - set(NOT_PAGES) == covered - set(NOT_PAGES), "add the page to pages() or to NOT_PAGES"


def untranslated(english: str, translated: str, language: str) -> list[str]:
    """The pieces of `translated` that are the same in `english` and are interface text."""
    allowed = SAME_EVERYWHERE | SAME_IN[language]
    source = set(segments(english))
    found = []
    for kind, text in segments(translated):
        if (kind, text) in source and interface_words(text, allowed):
            entry = f"{kind}: {text!r}"
            if entry not in found:
                found.append(entry)
    return found


def _check_page(name: str, client, render) -> list[str]:
    english = render(client, "en")
    assert english.status_code < 500 and english.status_code not in (301, 302), (name, english.status_code)
    problems = []
    for language in LANGUAGES:
        response = render(client, language)
        assert response.status_code == english.status_code, (name, language, response.status_code)
        page = response.get_data(as_text=True)
        assert f'<html lang="{language}" dir=' in page or not page.lstrip().startswith("<!doctype"), (name, language)
        problems += [f"{name} [{language}] {entry}" for entry in untranslated(english.get_data(as_text=True),
                                                                             page, language)]
    return problems


def test_no_page_shows_an_untranslated_string(app, scene, visitors):
    problems = []
    for name, _endpoint, actor, render in pages(scene):
        problems += _check_page(name, visitors[actor], render)
    assert problems == [], "untranslated interface text:\n" + "\n".join(problems)


def test_the_sign_in_code_step_and_two_factor_on_are_translated(app, scene):
    email, secret = scene["guarded"]
    client = app.test_client()
    client.environ_base["HTTP_USER_AGENT"] = "Zqbrowser/1.0"
    assert sign_in(client, email).headers["Location"].endswith("/login/code")
    problems = _check_page("sign-in code", client, get("/login/code"))
    problems += _check_page("sign-in code with an error", client,
                            post("/login/code", "/login/code", {"code": "000000"}))
    assert post_form(client, "/login/code", {"code": pyotp.TOTP(secret).now()},
                     form_page="/login/code").status_code == 302
    problems += _check_page("two-factor: on", client, get("/settings/two-factor"))
    problems += _check_page("settings: two-factor on", client, get("/settings"))
    assert problems == [], "untranslated interface text:\n" + "\n".join(problems)


def test_a_rate_limited_page_is_translated(app):
    """429: a fresh app on the same database, whose invitation links allow one look a minute."""
    limited = create_app({"TESTING": True, "SECRET_KEY": app.config["SECRET_KEY"],
                          "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                          "INSTANCE_PATH": app.instance_path, "DIALOGUE_REDIS_URL": None,
                          "DIALOGUE_RATE_LIMITS": ROOMY_LIMITS + ";invitation=1/minute"})
    limited.test_client_class = app.test_client_class
    try:
        pages_seen = {}
        for index, language in enumerate(("en", *LANGUAGES)):
            client = limited.test_client()
            client.environ_base["REMOTE_ADDR"] = f"198.51.100.{40 + index}"
            client.get("/invite/zqnotalink")
            response = client.get("/invite/zqnotalink", headers=_header(language))
            assert response.status_code == 429
            pages_seen[language] = response.get_data(as_text=True)
    finally:
        init_socketio(app)
    problems = [f"error 429 [{language}] {entry}" for language in LANGUAGES
                for entry in untranslated(pages_seen["en"], pages_seen[language], language)]
    assert problems == [], "untranslated interface text:\n" + "\n".join(problems)


def test_the_check_finds_an_english_string(app):
    """The comparison itself: English left on a translated page is found; what people wrote,
    names, codes and numbers are not."""
    english = ('<p title="Open it">Hello there</p><p>Zqanahit wrote 3 zqmessages</p>'
               '<button data-i18n-x="Sent">Go</button><p>abc123def x@example.org</p>')
    translated = ('<p title="Open it">Բարև</p><p>Zqanahit wrote 3 zqmessages</p>'
                  '<button data-i18n-x="Ուղարկված">Go</button><p>abc123def x@example.org</p>')
    assert untranslated(english, translated, "hy") == ["p[title]: 'Open it'", "text: 'Zqanahit wrote 3 zqmessages'",
                                                       "text: 'Go'"]
