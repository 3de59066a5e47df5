"""The watched-words list: the web page, the command line, CSV import and export."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from dialogue.errors import DialogueError
from dialogue.extensions import db
from dialogue.models import AuditEntry, WatchedWord
from dialogue.moderation import words as watched_words

from .factories import gen_user
from .test_auth import csrf_token, sign_in


@pytest.fixture
def clean_words(ctx):
    """Each test starts from, and leaves, an empty list."""
    db.session.query(WatchedWord).delete()
    db.session.commit()
    yield
    db.session.rollback()
    db.session.query(WatchedWord).delete()
    db.session.commit()


def terms() -> list[tuple]:
    return [(w.term, w.action, w.language, w.whole_word)
            for w in db.session.scalars(select(WatchedWord).order_by(WatchedWord.term))]


def test_cli_add_list_export_import(app, clean_words, tmp_path):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["words", "add", "--action", "block", "--language", "en", "kill them all"]).exit_code == 0
    assert runner.invoke(args=["words", "add", "--substring", "scum"]).exit_code == 0
    duplicate = runner.invoke(args=["words", "add", "KILL  them all", "--action", "block", "--language", "en"])
    assert duplicate.exit_code != 0 and "already on the list" in duplicate.output
    listed = runner.invoke(args=["words", "list"]).output
    assert "kill them all\tblock\ten\tword" in listed and "scum\thold\t*\tsubstring" in listed
    exported = runner.invoke(args=["words", "export"]).output
    db.session.query(WatchedWord).delete()
    db.session.commit()
    path = tmp_path / "words.csv"
    path.write_text(exported, encoding="utf-8")
    result = runner.invoke(args=["words", "import", str(path)])
    assert result.exit_code == 0 and "Imported 2 terms" in result.output
    assert terms() == [("kill them all", "block", "en", True), ("scum", "hold", None, False)]


@pytest.mark.parametrize("bad_line,line_number", [
    ("burn,explode,en,word", 3),
    ("burn,hold,xx,word", 3),
    ("burn,hold,en,sometimes", 3),
    (",hold,en,word", 3),
    ("too,many,columns,here,hold", 3),
])
def test_malformed_csv_is_refused_with_its_line_and_nothing_is_imported(app, clean_words, tmp_path, bad_line,
                                                                         line_number):
    text = "term,action,language,match\nfirst good term,hold,en,word\n" + bad_line + "\nlast good,flag,,word\n"
    with pytest.raises(DialogueError) as refused:
        watched_words.import_words(None, text)
    assert refused.value.code == "invalid" and refused.value.extra["line"] == line_number
    assert terms() == []
    path = tmp_path / "bad.csv"
    path.write_text(text, encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["words", "import", str(path)])
    assert result.exit_code != 0 and f"Line {line_number}" in result.output
    assert terms() == []


def test_starter_list_loads_once(app, clean_words):
    db.session.execute(db.delete(AuditEntry).where(AuditEntry.action == watched_words.STARTER_MARK))
    db.session.commit()
    added = watched_words.ensure_starter_words()
    assert added > 10 and len(terms()) == added
    assert {action for _t, action, _l, _w in terms()} == {"hold"}
    db.session.query(WatchedWord).delete()
    db.session.commit()
    assert watched_words.ensure_starter_words() == 0, "an emptied list is not refilled behind the admins' back"


def test_words_page_is_for_admins_and_moderators(app, clean_words):
    for role, status in (("participant", 403), ("facilitator", 403), ("moderator", 200), ("admin", 200)):
        client = app.test_client()
        sign_in(client, gen_user(role).email)
        assert client.get("/moderation/words").status_code == status, role


def test_words_page_adds_imports_exports_and_removes(app, clean_words):
    client = app.test_client()
    sign_in(client, gen_user("moderator").email)
    token = csrf_token(client, "/moderation/words")
    added = client.post("/moderation/words", data={"csrf_token": token, "term": "ölüm olsun", "action": "hold",
                                                   "language": "az", "submit": "1"})
    assert added.status_code == 302
    again = client.post("/moderation/words", data={"csrf_token": token, "term": "ÖLÜM  olsun", "action": "hold",
                                                   "language": "az", "submit": "1"})
    assert again.status_code == 400 and "already on the list" in again.get_data(as_text=True)
    import io

    csv_file = (io.BytesIO("term,action,language,match\nсмерть им,hold,ru,word\n".encode()), "words.csv")
    imported = client.post("/moderation/words/import", data={"csrf_token": token, "file": csv_file},
                           content_type="multipart/form-data")
    assert imported.status_code == 302
    bad_file = (io.BytesIO(b"term,action,language,match\nx,zap,,word\n"), "bad.csv")
    client.post("/moderation/words/import", data={"csrf_token": token, "file": bad_file},
                content_type="multipart/form-data")
    page = client.get("/moderation/words").get_data(as_text=True)
    assert "Line 2" in page and "смерть им" in page and "ölüm olsun" in page
    exported = client.get("/moderation/words.csv")
    assert exported.mimetype == "text/csv" and "смерть им,hold,ru,word" in exported.get_data(as_text=True)
    word_id = db.session.scalar(select(WatchedWord.id).where(WatchedWord.language == "ru"))
    assert client.post(f"/moderation/words/{word_id}/remove", data={"csrf_token": token}).status_code == 302
    assert [t for t, *_rest in terms()] == ["ölüm olsun"]
