"""The factory, the schema built by migrations, and readiness."""

import re

import pytest
from sqlalchemy import inspect

from dialogue import config
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


@pytest.mark.parametrize("name,value", [
    ("DIALOGUE_SWEEP_SECONDS", "nan"), ("DIALOGUE_SWEEP_SECONDS", "inf"), ("DIALOGUE_NUDGE_SECONDS", "1e400"),
    ("DIALOGUE_NUDGE_SECONDS", "0"), ("DIALOGUE_SWEEP_SECONDS", "-5"), ("DIALOGUE_SWEEP_SECONDS", "soon"),
    ("DIALOGUE_RETENTION_DAYS", "٣"), ("DIALOGUE_RETENTION_DAYS", "9" * 30), ("DIALOGUE_RETENTION_DAYS", "1_0")])
def test_settings_that_would_stop_or_spin_a_loop_are_refused_at_start(monkeypatch, tmp_path, name, value):
    """NaN, infinity, zero or a number of days past any date: the process refuses to start,
    naming the setting, rather than a background loop stopping, spinning or overflowing."""
    monkeypatch.setenv("DIALOGUE_SECRET_KEY", "test")
    monkeypatch.setenv(name, value)
    with pytest.raises(ValueError, match=re.escape(value[:20])):
        config.from_environment(str(tmp_path))


def test_settings_in_bounds_are_read(monkeypatch, tmp_path):
    monkeypatch.setenv("DIALOGUE_SECRET_KEY", "test")
    monkeypatch.setenv("DIALOGUE_SWEEP_SECONDS", "0.5")
    monkeypatch.setenv("DIALOGUE_NUDGE_SECONDS", " 30 ")
    monkeypatch.setenv("DIALOGUE_RETENTION_DAYS", "90")
    read = config.from_environment(str(tmp_path))
    assert (read["DIALOGUE_SWEEP_SECONDS"], read["DIALOGUE_NUDGE_SECONDS"], read["DIALOGUE_RETENTION_DAYS"]) == \
        (0.5, 30.0, 90)
