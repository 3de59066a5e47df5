"""The permission matrix of the HTTP routes: every route × every kind of actor, answered with
the exact status. A route without a row fails the test, so nothing new ships unchecked.

People authenticate with `Authorization: Bearer <token>` (as non-browser clients do); every
post carries a valid CSRF token (refusals without one are tested in tests/test_auth.py)."""

from __future__ import annotations

import io
import itertools
import re
import secrets
import string

import pytest

from dialogue.auth import accounts
from dialogue.extensions import db
from dialogue.facilitation import glossary, materials
from dialogue.moderation import words as watched_words
from dialogue.moderation.sanctions import sanction
from dialogue.sessions import actions as dialogues
from dialogue.transcripts import publishing

from .conftest import queueless
from .factories import gen_member, gen_room, gen_session, gen_token, gen_user

ACTORS = ("anonymous", "outsider", "other_session", "removed", "observer", "participant", "moderator",
          "facilitator", "admin")
_counter = itertools.count(1)


def _letters() -> str:
    return "".join(secrets.choice(string.ascii_lowercase) for _ in range(12))  # not `random`: Hypothesis seeds it


def row(anonymous, outsider, other_session, removed, observer, participant, moderator, facilitator, admin):
    return (anonymous, outsider, other_session, removed, observer, participant, moderator, facilitator, admin)


EVERYONE = row(200, 200, 200, 200, 200, 200, 200, 200, 200)
MEMBERS = row(302, 403, 403, 403, 200, 200, 200, 200, 200)
MANAGERS = row(302, 403, 403, 403, 403, 403, 403, 200, 200)
MANAGER_POSTS = row(302, 403, 403, 403, 403, 403, 403, 302, 302)
SIGNED_IN = row(302, 200, 200, 200, 200, 200, 200, 200, 200)
STAFF_ACCOUNTS = row(302, 403, 403, 403, 403, 403, 200, 200, 200)
# Changes to how an account signs in need the browser login itself: an API token is refused.
BROWSER_LOGIN_POSTS = row(302, 403, 403, 403, 403, 403, 403, 403, 403)
WORD_KEEPERS = row(302, 403, 403, 403, 403, 403, 200, 403, 200)
WORD_KEEPER_POSTS = row(302, 403, 403, 403, 403, 403, 302, 403, 302)

# endpoint -> (method, path(scene), form(scene) or None, expected statuses in the order of ACTORS)
ROUTES = {
    "healthz": ("GET", lambda s: "/healthz", None, EVERYONE),
    "static": ("GET", lambda s: "/static/css/app.css", None, EVERYONE),
    "auth.login": ("GET", lambda s: "/login", None, EVERYONE),
    # Without a password step first, the code step sends everyone back to the sign-in form.
    "auth.login_code": ("GET", lambda s: "/login/code", None, row(302, 302, 302, 302, 302, 302, 302, 302, 302)),
    # An empty form changes nothing: the settings page again, with the errors.
    "auth.change_password": ("POST", lambda s: "/settings/password", lambda s: {}, BROWSER_LOGIN_POSTS),
    # Logins of other accounts (and unknown ones) are not found.
    "auth.end_login": ("POST", lambda s: "/settings/logins/0123456789abcdef01234567/end", lambda s: {},
                       BROWSER_LOGIN_POSTS),
    "auth.end_other_logins": ("POST", lambda s: "/settings/logins/end-others", lambda s: {}, BROWSER_LOGIN_POSTS),
    # Two-factor sign-in is for staff accounts (platform admins, facilitators, moderators).
    "auth.two_factor_page": ("GET", lambda s: "/settings/two-factor", None, STAFF_ACCOUNTS),
    "auth.two_factor_start": ("POST", lambda s: "/settings/two-factor/start", lambda s: {}, BROWSER_LOGIN_POSTS),
    # Without a code nothing changes: back to the two-factor page.
    "auth.two_factor_confirm": ("POST", lambda s: "/settings/two-factor/confirm", lambda s: {},
                                BROWSER_LOGIN_POSTS),
    "auth.two_factor_disable": ("POST", lambda s: "/settings/two-factor/disable", lambda s: {},
                                BROWSER_LOGIN_POSTS),
    # The language picker: anyone, back to the page (an unknown language changes nothing).
    "auth.language": ("POST", lambda s: "/language", lambda s: {"language": "hy", "next": "/login"},
                      row(302, 302, 302, 302, 302, 302, 302, 302, 302)),
    "auth.logout": ("POST", lambda s: "/logout", lambda s: {}, row(302, 302, 302, 302, 302, 302, 302, 302, 302)),
    "auth.settings": ("GET", lambda s: "/settings", None, SIGNED_IN),
    # Any account chooses its own time zone (empty: none, the session's or UTC).
    "auth.change_time_zone": ("POST", lambda s: "/settings/time-zone", lambda s: {"zone-time_zone": ""},
                              row(302, 302, 302, 302, 302, 302, 302, 302, 302)),
    # Any account chooses which translations it sees under messages.
    "auth.change_translation_view": ("POST", lambda s: "/settings/translations", lambda s: {
        "translations-view": "all"}, row(302, 302, 302, 302, 302, 302, 302, 302, 302)),
    "auth.revoke_token": ("POST", lambda s: f"/settings/tokens/{s['spare_token']()}/revoke", lambda s: {},
                          row(302, 404, 404, 404, 404, 302, 404, 404, 302)),
    "auth.my_data": ("GET", lambda s: "/settings/my-data", None, SIGNED_IN),
    # Without the account's password nothing is erased: back to the settings page.
    "auth.forget": ("POST", lambda s: "/settings/forget", lambda s: {"forget-understood": "y"}, BROWSER_LOGIN_POSTS),
    "auth.security": ("GET", lambda s: "/admin/security", None, row(302, 403, 403, 403, 403, 403, 403, 403, 200)),
    "pages.home": ("GET", lambda s: "/", None, SIGNED_IN),
    "room.room": ("GET", lambda s: f"/s/{s['room']}", None, MEMBERS),
    "sessions.create": ("POST", lambda s: "/sessions/new", lambda s: {
        "title": "A new dialogue", "side_a_label": "Armenia", "side_b_label": "Azerbaijan", "language": "en",
        "facilitator_name": "Host", "ground_rules": "Be kind."},
        row(302, 403, 403, 403, 403, 403, 403, 302, 302)),
    "sessions.manage": ("GET", lambda s: f"/sessions/{s['room']}/manage", None, MANAGERS),
    "sessions.change_settings": ("POST", lambda s: f"/sessions/{s['room']}/settings", lambda s: {
        "settings-language": "en", "settings-time_zone": "UTC"}, MANAGER_POSTS),
    "sessions.change_state": ("POST", lambda s: f"/sessions/{s['room']}/state/resume", lambda s: {},
                              row(302, 403, 403, 403, 403, 403, 403, 409, 409)),
    "sessions.create_invitation": ("POST", lambda s: f"/sessions/{s['room']}/invitations", lambda s: {
        "role": "participant", "side": "a", "max_uses": "1", "days": "3", "label": "matrix"},
        row(302, 403, 403, 403, 403, 403, 403, 200, 200)),
    "sessions.revoke_invitation": ("POST", lambda s: f"/invitations/{s['spare_invitation']()}/revoke",
                                   lambda s: {}, MANAGER_POSTS),
    "sessions.remove_member": ("POST", lambda s: f"/members/{s['spare_member']()}/remove",
                               lambda s: {"confirmed": "yes"},
                               row(302, 403, 403, 403, 403, 403, 302, 302, 302)),
    # The other session's link: its member goes to the room, everyone else is asked to join.
    "sessions.invitation": ("GET", lambda s: f"/invite/{s['other_invitation']}", None,
                            row(200, 200, 302, 200, 200, 200, 200, 200, 200)),
    "sessions.register": ("GET", lambda s: f"/register?next=/invite/{s['other_invitation']}", None, EVERYONE),
    "facilitation.save_agenda": ("POST", lambda s: f"/sessions/{s['room']}/agenda", lambda s: {
        "title": ["Opening"], "prompt": ["Who are you?"], "minutes": ["10"]}, MANAGER_POSTS),
    "facilitation.agenda_template": ("POST", lambda s: f"/sessions/{s['room']}/agenda/template",
                                     lambda s: {"template": "memory"}, MANAGER_POSTS),
    "facilitation.add_material": ("POST", lambda s: f"/sessions/{s['room']}/materials",
                                  lambda s: {"title": "Reading", "body": "Some *text*"}, MANAGER_POSTS),
    "facilitation.remove_material": ("POST", lambda s: f"/materials/{s['spare_material']()}/remove", lambda s: {},
                                     MANAGER_POSTS),
    # The glossary: members read it; its facilitators and admins change it; the platform's list is
    # the admins'. An entry's routes act on a fresh entry of the session.
    "facilitation.glossary_page": ("GET", lambda s: f"/sessions/{s['room']}/glossary", None, MEMBERS),
    "facilitation.add_glossary_entry": ("POST", lambda s: f"/sessions/{s['room']}/glossary",
                                        lambda s: {"new-concept": "Matrix", "new-a_en": "Matrix"}, MANAGER_POSTS),
    # A glossary with entries already is not replaced: the page says so (302 all the same).
    "facilitation.start_glossary": ("POST", lambda s: f"/sessions/{s['room']}/glossary/start", lambda s: {},
                                    MANAGER_POSTS),
    "facilitation.edit_glossary_entry": ("POST", lambda s: f"/glossary/{s['spare_entry']()}/edit", lambda s: {
        f"entry-{s['entries'][-1]}-concept": "Edited", f"entry-{s['entries'][-1]}-b_en": "Edited"}, MANAGER_POSTS),
    "facilitation.delete_glossary_entry": ("POST", lambda s: f"/glossary/{s['spare_entry']()}/delete",
                                           lambda s: {}, MANAGER_POSTS),
    "facilitation.move_glossary_entry": ("POST", lambda s: f"/glossary/{s['spare_entry']()}/move",
                                         lambda s: {"direction": "up"}, MANAGER_POSTS),
    "facilitation.platform_glossary": ("GET", lambda s: "/admin/glossary", None,
                                       row(302, 403, 403, 403, 403, 403, 403, 403, 200)),
    "moderation.queue_page": ("GET", lambda s: "/moderation", None, row(302, 403, 403, 403, 403, 403, 200, 200, 200)),
    "moderation.audit": ("GET", lambda s: f"/sessions/{s['room']}/audit", None, MANAGERS),
    "moderation.settings": ("POST", lambda s: f"/sessions/{s['room']}/moderation", lambda s: {
        "moderation": "post", "flag_threshold": "3"}, MANAGER_POSTS),
    "moderation.words": ("GET", lambda s: "/moderation/words", None, WORD_KEEPERS),
    "moderation.export_words": ("GET", lambda s: "/moderation/words.csv", None, WORD_KEEPERS),
    "moderation.export_word_changes": ("GET", lambda s: "/moderation/words/changes.csv", None, WORD_KEEPERS),
    "moderation.import_words": ("POST", lambda s: "/moderation/words/import", lambda s: {
        "file": (io.BytesIO(f"term,action,language,match\nmatrixterm{_letters()},flag,,word\n".encode()),
                 "words.csv")}, WORD_KEEPER_POSTS),
    "moderation.remove_word": ("POST", lambda s: f"/moderation/words/{s['spare_word']()}/remove", lambda s: {},
                               WORD_KEEPER_POSTS),
    "transcripts.transcript": ("GET", lambda s: f"/api/sessions/{s['room']}/transcript", None,
                               row(401, 403, 403, 403, 200, 200, 200, 200, 200)),
    "transcripts.my_messages": ("GET", lambda s: f"/api/sessions/{s['room']}/my-messages", None,
                                row(401, 403, 403, 403, 200, 200, 200, 200, 403)),
    "transcripts.public_transcript": ("GET", lambda s: f"/t/{s['room']}", None, EVERYONE),
    "transcripts.publish_transcript": ("POST", lambda s: f"/sessions/{s['room']}/publish",
                                       lambda s: {"attribution": "side", "public": "y"}, MANAGER_POSTS),
    "transcripts.transcript_texts": ("POST", lambda s: f"/sessions/{s['room']}/transcript-texts",
                                     lambda s: {"preface": "Before.", "summary": "After."}, MANAGER_POSTS),
}
# Reads that some actors must not see more of than their role allows: staff versions and names.
STAFF_ONLY_READS = {
    "transcripts.transcript?version=staff": ("GET", lambda s: f"/api/sessions/{s['room']}/transcript?version=staff",
                                             row(401, 403, 403, 403, 403, 403, 403, 200, 200)),
    "moderation.queue_page?session": ("GET", lambda s: f"/moderation?session={s['room']}",
                                      row(302, 403, 403, 403, 403, 403, 200, 200, 200)),
}


@pytest.fixture(scope="module")
def app(app):
    """The app without a message queue, which Flask-SocketIO's test client cannot work with."""
    with queueless(app) as other:
        yield other


@pytest.fixture(scope="module")
def scene(app):
    """A live session with every kind of actor (see build_scene)."""
    return build_scene(app)


def build_scene(app) -> dict:
    """A live, published session with every kind of actor and their tokens, a second session
    with an invitation link, and makers of fresh objects that routes act on."""
    with app.app_context():
        room = gen_room(participants=3)
        room_id = room.id
        author, removed_person, participant = room.participants
        other_member = gen_user("participant")
        other = gen_session(gen_user("facilitator"), title="Elsewhere")
        gen_member(other, "participant", side="a", user=other_member)
        _invitation, other_token = dialogues.create_invitation(other.created_by, other, role="participant", side="b",
                                                               max_uses=None)
        admin = gen_user("admin")
        sanction(room.facilitator.user, room_id, removed_person.member_id, "remove", reason="Left for good")
        publishing.publish(room.facilitator.user, room_id, "side", public=True)
        users = {"outsider": room.outsider.user, "other_session": other_member, "removed": removed_person.user,
                 "observer": room.observer.user, "participant": participant.user,
                 "moderator": room.moderator.user, "facilitator": room.facilitator.user, "admin": admin}
        tokens = {actor: gen_token(user) for actor, user in users.items()}
        facilitator_id, participant_id = room.facilitator.user.id, participant.user.id
        spares = [gen_user("participant").id for _ in range(len(ACTORS))]
        db.session.commit()
        db.session.remove()

    def fresh(make):
        def made():
            with app.app_context():
                try:
                    return make()
                finally:
                    db.session.remove()
        return made

    def spare_member():
        from dialogue.models import DialogueSession, User

        session = db.session.get(DialogueSession, room_id)
        user = db.session.get(User, spares.pop()) if spares else gen_user("participant")
        return dialogues.add_member(session, user, display_name=f"Spare {next(_counter)}", role="participant",
                                    side="a").id

    def spare_invitation():
        from dialogue.models import DialogueSession, User

        return dialogues.create_invitation(db.session.get(User, facilitator_id),
                                           db.session.get(DialogueSession, room_id), side="a")[0].id

    def spare_material():
        from dialogue.models import DialogueSession, User

        return materials.add_material(db.session.get(User, facilitator_id), db.session.get(DialogueSession, room_id),
                                      "A text", "Words").id

    entries: list[int] = []

    def spare_entry():
        from dialogue.models import User

        entry = glossary.add_entry(db.session.get(User, facilitator_id), room_id, {
            "concept": f"Spare {next(_counter)}", "forms": {"a": {"en": "Spare"}}})
        entries.append(entry.id)
        return entry.id

    def spare_word():
        # Letters only: the matcher folds digits and repeated letters, so numbered terms collide.
        return watched_words.add_word(None, "matrix" + _letters(),
                                      "flag").id

    def spare_token():
        from dialogue.models import User

        return accounts.create_api_token(db.session.get(User, participant_id), "spare")[0].id

    return {"room": room_id, "tokens": tokens, "other_invitation": other_token,
            "spare_member": fresh(spare_member), "spare_invitation": fresh(spare_invitation),
            "spare_material": fresh(spare_material), "spare_word": fresh(spare_word), "spare_token": fresh(spare_token),
            "spare_entry": fresh(spare_entry), "entries": entries}


def test_every_route_has_a_row(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints == set(ROUTES), "add the new route to the permission matrix"


def _csrf_token(client) -> str:
    """A CSRF token bound to this client's cookie session, as a page gives it to a browser."""
    page = client.get("/login").get_data(as_text=True)
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


CASES = [(name, method, path, form, expected) for name, (method, path, form, expected) in ROUTES.items()] + \
        [(name, method, path, None, expected) for name, (method, path, expected) in STAFF_ONLY_READS.items()]


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("name,method,path,form,expected", CASES, ids=[c[0] for c in CASES])
def test_route_matrix(app, scene, actor, name, method, path, form, expected):
    headers = {} if actor == "anonymous" else {"Authorization": f"Bearer {scene['tokens'][actor]}"}
    url = path(scene)
    client = app.test_client()
    if method == "GET":
        response = client.get(url, headers=headers)
    else:
        data = {**(form(scene) if form else {}), "csrf_token": _csrf_token(client)}
        response = client.post(url, headers=headers, data=data, content_type="multipart/form-data")
    want = expected[ACTORS.index(actor)]
    assert response.status_code == want, (name, actor, response.status_code, response.get_data(as_text=True)[:300])
    if want == 302 and actor == "anonymous":
        assert "/login" in response.headers["Location"]
    if method == "GET" and want == 200 and name.startswith("transcripts.") and actor not in ("facilitator", "admin"):
        body = response.get_data(as_text=True)
        assert "@example.org" not in body, "no e-mail address reaches a member"


def test_a_refused_post_changes_nothing(app, scene):
    """A participant's posts to the facilitators' routes leave the session as it was."""
    headers = {"Authorization": f"Bearer {scene['tokens']['participant']}"}
    client = app.test_client()
    with app.app_context():
        from dialogue.models import AgendaPhase, DialogueSession, Material

        before = (db.session.get(DialogueSession, scene["room"]).transcript_preface,
                  db.session.query(AgendaPhase).filter_by(session_id=scene["room"]).count(),
                  db.session.query(Material).filter_by(session_id=scene["room"]).count())
        db.session.remove()
    for name in ("facilitation.save_agenda", "facilitation.add_material", "transcripts.transcript_texts"):
        _method, path, form, _expected = ROUTES[name]
        data = {**form(scene), "csrf_token": _csrf_token(client)}
        assert client.post(path(scene), headers=headers, data=data).status_code == 403
    with app.app_context():
        after = (db.session.get(DialogueSession, scene["room"]).transcript_preface,
                 db.session.query(AgendaPhase).filter_by(session_id=scene["room"]).count(),
                 db.session.query(Material).filter_by(session_id=scene["room"]).count())
        db.session.remove()
    assert after == before


@pytest.mark.parametrize("number", [str(2**63), "9" * 40, "٣", "0"])
def test_an_id_in_a_url_past_64_bits_or_not_in_ascii_digits_is_not_found(app, scene, number):
    """Every `<int:...>` in a route's URL takes ASCII digits up to the largest id a column
    holds: past it, the answer is 404 like any unknown id, never an overflow in the driver."""
    rules = [rule for rule in app.url_map.iter_rules() if any(
        type(converter).__name__ == "IdConverter" for converter in rule._converters.values())]
    assert {rule.endpoint for rule in rules} >= {"facilitation.remove_material", "sessions.remove_member",
                                                 "auth.revoke_token", "moderation.remove_word",
                                                 "facilitation.edit_glossary_entry"}
    client = app.test_client()
    headers = {"Authorization": f"Bearer {scene['tokens']['admin']}"}
    for rule in rules:
        url = re.sub(r"<int:\w+>", number, rule.rule)
        method = "POST" if "POST" in rule.methods else "GET"
        response = client.open(url, method=method, headers=headers, data={"csrf_token": _csrf_token(client)})
        assert response.status_code == 404, (rule.endpoint, number, response.status_code)
