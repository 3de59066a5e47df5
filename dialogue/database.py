"""Database connection settings that both SQLite and PostgreSQL need to behave alike."""

from __future__ import annotations

import sqlite3

from sqlalchemy import event, func
from sqlalchemy.engine import Engine


@event.listens_for(Engine, "connect")
def _sqlite_connect(dbapi_connection, connection_record) -> None:
    """WAL for concurrent readers, foreign keys on, and transactions under our control."""
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    # Let SQLAlchemy's "begin" hook below issue BEGIN itself.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.close()
    # Unicode case folding for searches (SQLite's lower() knows only ASCII): see casefolded().
    dbapi_connection.create_function("dialogue_casefold", 1, _casefold, deterministic=True)


def _casefold(value):
    return value.casefold() if isinstance(value, str) else value


def casefolded(column, dialect_name: str):
    """A column's text case-folded in SQL, alike on SQLite (a Python function registered on each
    connection) and PostgreSQL (lower(), which follows Unicode there)."""
    return func.dialogue_casefold(column) if dialect_name == "sqlite" else func.lower(column)


@event.listens_for(Engine, "begin")
def _sqlite_begin(connection) -> None:
    """Start every SQLite transaction as IMMEDIATE.

    SQLite has no row locks: taking the write lock at BEGIN is what makes "SELECT ... FOR
    UPDATE then write" safe, and it avoids the deadlock of two readers upgrading at once.
    """
    if connection.dialect.name == "sqlite":
        # Background checks that usually find nothing to do read without the write lock.
        deferred = connection.get_execution_options().get("sqlite_deferred", False)
        connection.exec_driver_sql("BEGIN" if deferred else "BEGIN IMMEDIATE")


def read_without_write_lock(db_session) -> None:
    """Start the session's next transaction as a plain read on SQLite (no effect elsewhere).

    Call first in a transaction that only reads; a write path must not use it."""
    db_session.connection(execution_options={"sqlite_deferred": True})
