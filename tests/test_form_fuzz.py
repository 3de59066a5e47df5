"""Random and malformed form posts to every route that takes one (Hypothesis): each is
answered with a page, a redirect or a refusal, never a server error."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import queueless
from .test_route_matrix import ROUTES, _csrf_token, build_scene

# The form fields the platform's forms read, so that generated posts reach past the first checks.
FIELDS = ["title", "description", "side_a_label", "side_b_label", "language", "facilitator_name", "ground_rules",
          "pseudonymous", "role", "side", "max_uses", "days", "label", "display_name", "accept_rules", "naming",
          "include", "template", "body", "url", "moderation", "flag_threshold", "two_key", "attribution", "public",
          "preface", "summary", "term", "action", "substring", "submit", "name", "email", "password", "real_name",
          "next", "reason", "prompt", "minutes", "forget-password", "forget-understood", "code",
          "password-current_password", "password-new_password", "new-concept", "new-note", "new-a_hy", "new-b_az",
          "new-neutral_ru", "new-neutral_en", "direction"]
texts = st.one_of(st.text(max_size=60), st.sampled_from([
    "", " ", "0", "-1", "99999999999999999999", "1e9", "nan", "y", "on", "a", "b", "participant", "facilitator",
    "admin", "memory", "named", "none", "pre", "post", "<script>alert(1)</script>", "javascript:alert(1)",
    "=HYPERLINK(\"x\")", "\u202e", "𝕜𝕚𝕝𝕝", "' OR 1=1 --", "x" * 300]))
POSTS = sorted(name for name, (method, _path, _form, _expected) in ROUTES.items() if method == "POST")


@pytest.fixture(scope="module")
def app(app):
    """The app without a message queue (the routes here need none)."""
    with queueless(app) as other:
        yield other


@pytest.fixture(scope="module")
def scene(app):
    return build_scene(app)


@pytest.mark.parametrize("name", POSTS)
def test_random_form_posts_are_answered_cleanly(app, scene, name):
    _method, path, _form, _expected = ROUTES[name]
    fields = st.dictionaries(st.sampled_from(FIELDS), st.one_of(texts, st.lists(texts, max_size=3)), max_size=8)

    @settings(max_examples=25, deadline=None, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(form=fields, actor=st.sampled_from(["facilitator", "participant", "admin", "moderator"]),
           with_token=st.booleans())
    def check(form, actor, with_token):
        client = app.test_client()
        headers = {"Authorization": f"Bearer {scene['tokens'][actor]}"}
        data = dict(form)
        if with_token:
            data["csrf_token"] = _csrf_token(client)
        if name == "auth.forget":
            data.pop("forget-password", None)  # never erase the scene's people
        response = client.post(path(scene), headers=headers, data=data)
        assert response.status_code < 500, (name, form, response.status_code)
        if not with_token:
            assert response.status_code == 400, "a post without a CSRF token is refused before anything"

    check()
