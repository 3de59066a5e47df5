"""The `dialogue` command line: serve, demo, users, tokens, words, transcript, retention (database
commands come from Flask-Migrate)."""

from __future__ import annotations

import json
import os
import secrets

import click
from flask import Flask, current_app
from sqlalchemy import select

from . import record, server
from .auth import accounts
from .errors import DialogueError
from .extensions import db
from .models import PLATFORM_ROLES, DialogueSession, User
from .moderation import words as watched_words
from .moderation.wordlist import starter_terms, to_csv
from .sessions import retention
from .sessions.demo import create_demo
from .transcripts.build import build
from .transcripts.formats import RENDERERS


def _fail(error: DialogueError) -> None:
    raise click.ClickException(error.to_answer()["error"]["message"])


def _user_by_email(email: str) -> User:
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise click.ClickException(f"No account with e-mail {email}.")
    return user


def register_commands(app: Flask) -> None:
    """Attach the platform's commands to the app's CLI."""

    @app.cli.command("serve")
    @click.option("--host", default=lambda: os.environ.get("DIALOGUE_HOST", "127.0.0.1"), show_default="127.0.0.1")
    @click.option("--port", default=lambda: int(os.environ.get("DIALOGUE_PORT", "5000")), type=int, show_default="5000")
    def serve(host: str, port: int) -> None:
        """Bring the schema up to date, then serve HTTP and Socket.IO."""
        server.upgrade_schema()
        app = current_app._get_current_object()
        server.start(app)
        click.echo(f"Serving the dialogue platform on http://{host}:{port}", err=True)
        server.serve_forever(app, host, port)

    @app.cli.command("demo")
    @click.option("--participants", default=4, show_default=True, type=click.IntRange(2, 200))
    @click.option("--json", "as_json", is_flag=True, help="Print one JSON object with the logins.")
    @click.option("--base-url", default=lambda: os.environ.get("DIALOGUE_BASE_URL", "http://127.0.0.1:5000"),
                  show_default="http://127.0.0.1:5000")
    def demo(participants: int, as_json: bool, base_url: str) -> None:
        """Create a live demo session: a facilitator, a moderator, an interpreter and N participants,
        the first agenda phase open, a sample exchange and one message held for review."""
        server.upgrade_schema()
        watched_words.ensure_starter_words()
        result = create_demo(participants, base_url.rstrip("/"))
        if as_json:
            click.echo(json.dumps(result, ensure_ascii=False))
            return
        click.echo(f"Demo session: {result['url']}")
        for person in [result["facilitator"], result["moderator"], result["interpreter"], *result["participants"]]:
            side = f", {person['side']}" if person["side"] else ""
            click.echo(f"  {person['role']:<12} {person['name']}{side}: {person['email']} / {person['password']}")
        click.echo("The first phase of the agenda is open, with a sample exchange; one message waits for "
                   "the moderator in the review queue.")

    users = click.Group("users", help="Manage accounts.")
    app.cli.add_command(users)

    @users.command("create")
    @click.option("--email", required=True)
    @click.option("--name", "real_name", default="", help="The person's real name (shown to facilitators only).")
    @click.option("--role", type=click.Choice(PLATFORM_ROLES), default="participant", show_default=True)
    @click.option("--password", default=None, help="Omit to be asked; '-' generates one and prints it.")
    def users_create(email: str, real_name: str, role: str, password: str | None) -> None:
        """Create an account."""
        if password is None:
            password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
        elif password == "-":
            password = secrets.token_urlsafe(12)
            click.echo(f"Generated password: {password}")
        try:
            user = accounts.create_user(email, real_name, password, role)
        except DialogueError as error:
            _fail(error)
        click.echo(f"Created {user.role} {user.email} (id {user.id}).")

    @users.command("list")
    def users_list() -> None:
        """List accounts."""
        for user in db.session.scalars(select(User).order_by(User.id)):
            state = "active" if user.active else "deactivated"
            click.echo(f"{user.id}\t{user.email}\t{user.role}\t{state}")

    @users.command("deactivate")
    @click.argument("email")
    def users_deactivate(email: str) -> None:
        """Deactivate an account; its live sockets are dropped at once."""
        accounts.deactivate_user(_user_by_email(email))
        click.echo(f"Deactivated {email}.")

    @users.command("role")
    @click.argument("email")
    @click.argument("role", type=click.Choice(PLATFORM_ROLES))
    def users_role(email: str, role: str) -> None:
        """Give an account another platform role; its logins end and its live sockets are dropped."""
        try:
            accounts.change_role(None, _user_by_email(email), role)
        except DialogueError as error:
            _fail(error)
        click.echo(f"{email} is now {role}; its logins were ended.")

    @users.command("reactivate")
    @click.argument("email")
    def users_reactivate(email: str) -> None:
        """Let a deactivated account sign in again."""
        accounts.reactivate_user(_user_by_email(email))
        click.echo(f"Reactivated {email}.")

    register_word_commands(app)

    register_transcript_commands(app)

    retention_commands = click.Group("retention", help="The retention period of ended sessions' personal data.")
    app.cli.add_command(retention_commands)

    @retention_commands.command("apply")
    @click.option("--days", type=click.IntRange(1, 100_000), default=None,
                  help="Days after a session ends (default: DIALOGUE_RETENTION_DAYS).")
    def retention_apply(days: int | None) -> None:
        """Remove the members' personal data of sessions that ended more than DAYS days ago."""
        if days is None and not current_app.config["DIALOGUE_RETENTION_DAYS"]:
            raise click.ClickException("No retention period: set DIALOGUE_RETENTION_DAYS or pass --days.")
        cleared, removed = retention.apply(days)
        click.echo(f"Removed the personal data of {cleared} ended sessions and {removed} security log entries.")

    tokens = click.Group("tokens", help="Manage API tokens.")
    app.cli.add_command(tokens)

    @tokens.command("create")
    @click.argument("email")
    @click.option("--name", default="command line", show_default=True)
    def tokens_create(email: str, name: str) -> None:
        """Create an API token for an account and print it (it is shown only this once)."""
        _token, plaintext = accounts.create_api_token(_user_by_email(email), name)
        click.echo(plaintext)

    @tokens.command("list")
    @click.argument("email")
    def tokens_list(email: str) -> None:
        """List an account's API tokens: id, name, first characters, created, revoked."""
        for token in accounts.user_tokens(_user_by_email(email)):
            revoked = token.revoked_at.isoformat() if token.revoked_at else "-"
            click.echo(f"{token.id}\t{token.name}\t{token.prefix}…\t{token.created_at.isoformat()}\t{revoked}")

    @tokens.command("revoke")
    @click.argument("token_id", type=int)
    def tokens_revoke(token_id: int) -> None:
        """Revoke an API token by its id; its live sockets are dropped."""
        try:
            accounts.revoke_api_token(None, token_id)
        except DialogueError as error:
            _fail(error)
        click.echo(f"Revoked token {token_id}.")


def register_word_commands(app: Flask) -> None:
    """`dialogue words ...`: the watched-words list from the command line."""
    words = click.Group("words", help="Manage the watched-words list.")
    app.cli.add_command(words)

    @words.command("add")
    @click.option("--action", type=click.Choice(["block", "hold", "flag", "mask"]), default="hold", show_default=True)
    @click.option("--language", type=click.Choice(["en", "ru", "hy", "az"]), default=None,
                  help="The term's language (for the record and language-specific folding); every "
                       "term is checked in every message.")
    @click.option("--substring", is_flag=True, help="Match inside longer words too.")
    @click.argument("term")
    def words_add(action: str, language: str | None, substring: bool, term: str) -> None:
        """Add a watched word."""
        try:
            word = watched_words.add_word(None, term, action, language, whole_word=not substring)
        except DialogueError as error:
            _fail(error)
        click.echo(f"Added {word.term!r} ({word.action}, {word.language or 'all languages'}).")

    @words.command("import")
    @click.argument("path", type=click.Path(exists=True, dir_okay=False))
    def words_import(path: str) -> None:
        """Import a CSV (term,action,language,match); a bad line refuses the whole file."""
        with open(path, encoding="utf-8-sig") as handle:
            text = handle.read()
        try:
            added = watched_words.import_words(None, text)
        except DialogueError as error:
            _fail(error)
        click.echo(f"Imported {added} terms.")

    @words.command("export")
    def words_export() -> None:
        """Print the list as CSV, in the import format."""
        click.echo(watched_words.export_words(), nl=False)

    @words.command("list")
    def words_list() -> None:
        """List the watched words."""
        for word in watched_words.words():
            match = "word" if word.whole_word else "substring"
            click.echo(f"{word.id}\t{word.term}\t{word.action}\t{word.language or '*'}\t{match}")

    @words.command("remove")
    @click.argument("word_id", type=int)
    def words_remove(word_id: int) -> None:
        """Remove a watched word by its id."""
        try:
            watched_words.remove_word(None, word_id)
        except DialogueError as error:
            _fail(error)
        click.echo(f"Removed word {word_id}.")

    @words.command("starter")
    def words_starter() -> None:
        """Add the shipped starter list (terms already present are kept as they are)."""
        click.echo(f"Imported {watched_words.import_words(None, to_csv(starter_terms()))} starter terms.")


def register_transcript_commands(app: Flask) -> None:
    """`dialogue transcript ...`: export a session's transcript and check one offline."""
    transcript = click.Group("transcript", help="Export and verify transcripts.")
    app.cli.add_command(transcript)

    @transcript.command("verify")
    @click.argument("path", type=click.Path(dir_okay=False))
    def transcript_verify(path: str) -> None:
        """Check a JSON transcript's integrity chain: exit 0 if intact, 1 naming the first broken entry."""
        try:
            with open(path, encoding="utf-8") as handle:
                document = json.load(handle)
            ok, summary = record.verify(document)
        except (OSError, UnicodeDecodeError, json.JSONDecodeError, record.NotATranscript) as error:
            click.echo(f"Not a transcript: {error}", err=True)
            raise SystemExit(2) from None
        click.echo(("OK " if ok else "BROKEN ") + summary, err=not ok)
        raise SystemExit(0 if ok else 1)

    @transcript.command("export")
    @click.argument("session_id")
    @click.option("--attribution", type=click.Choice(["named", "pseudonym", "side", "none"]), default="pseudonym",
                  show_default=True)
    @click.option("--version", "version", type=click.Choice(["participants", "staff"]), default="participants",
                  show_default=True)
    @click.option("--format", "fmt", type=click.Choice(["json", "md", "txt", "html"]), default="json",
                  show_default=True)
    def transcript_export(session_id: str, attribution: str, version: str, fmt: str) -> None:
        """Print a session's transcript (the operator's export)."""
        session = db.session.get(DialogueSession, session_id)
        if session is None:
            raise click.ClickException(f"No session {session_id}.")
        document = build(session, attribution=attribution, version=version)
        if fmt == "json":
            click.echo(json.dumps(document, ensure_ascii=False, indent=1))
        else:
            click.echo(RENDERERS[fmt](document), nl=False)

