"""The factory, the schema built by migrations, and readiness."""

from sqlalchemy import inspect

from dialogue.extensions import db


def test_migrations_build_every_table(ctx):
    tables = set(inspect(db.engine).get_table_names())
    assert {"user", "login_session", "api_token", "dialogue_session", "membership",
            "invitation", "message", "presence", "alembic_version"} <= tables


def test_migrations_match_the_models(ctx):
    """A model changed without a migration makes autogenerate find differences."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with db.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), db.metadata)
    assert diff == []


def test_healthz(http):
    response = http.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"ok": True}
