"""Moderation pages: the live review queue, the watched-words list, the audit log and a
session's moderation settings."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from .. import permissions
from ..auth import security_log
from ..errors import DialogueError
from ..extensions import db
from ..forms import ConfirmForm, database_id
from ..models import DialogueSession, Membership
from . import audit as audit_log
from . import queue, settings
from . import words as watched_words
from .flags import FLAG_REASONS
from .forms import ImportForm, ModerationSettingsForm, WordForm

bp = Blueprint("moderation", __name__)


@bp.get("/moderation")
@login_required
def queue_page():
    """The live review queue of every session the caller serves (or one, with ?session=)."""
    sessions = queue.staff_sessions(current_user)
    session_id = request.args.get("session")
    if session_id is not None and session_id not in {s.id for s in sessions}:
        abort(403 if db.session.get(DialogueSession, session_id) else 404)
    if not sessions:
        abort(403)
    return render_template("moderation/queue.html", sessions=sessions, session_id=session_id,
                           reasons=FLAG_REASONS, undo_minutes=current_app.config["DIALOGUE_UNDO_MINUTES"])


def _require_words() -> None:
    if not permissions.can_manage_words(current_user):
        abort(403)


@bp.route("/moderation/words", methods=["GET", "POST"])
@login_required
def words():
    """The watched-words list: add, remove, import and export terms."""
    _require_words()
    form, import_form = WordForm(), ImportForm()
    status = 200
    if form.submit.data and form.validate_on_submit():
        try:
            watched_words.add_word(current_user, form.term.data, form.action.data, form.language.data or None,
                                whole_word=not form.substring.data)
        except DialogueError as error:
            getattr(form, error.extra.get("field", "term"), form.term).errors.append(
                error.to_answer()["error"]["message"])
            status = 400
        else:
            flash(_("“%(term)s” was added.", term=form.term.data))
            return redirect(url_for("moderation.words"))
    elif request.method == "POST":
        status = 400
    return render_template("moderation/words.html", form=form, import_form=import_form,
                           words=watched_words.words(), confirm=ConfirmForm(), changes=audit_log.word_changes(20),
                           actor_label=_word_actor_label()), status


def _word_actor_label():
    """Admins see who changed the list; moderators see account numbers, not identities."""
    if permissions.can_see_identities(current_user, None):
        return audit_log.actor_label
    return audit_log.anonymous_actor_label


@bp.get("/moderation/words/changes.csv")
@login_required
def export_word_changes():
    """Download every change made to the watched-words list, oldest first."""
    _require_words()
    return Response(audit_log.audit_csv(None, audit_log.word_changes(None), label=_word_actor_label()),
                    mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=watched-word-changes.csv"})


@bp.post("/moderation/words/import")
@login_required
def import_words():
    """Import a CSV of terms, all or nothing."""
    _require_words()
    import_form = ImportForm()
    if not import_form.validate_on_submit():
        flash(_("Choose a CSV file to import."), "error")
        return redirect(url_for("moderation.words"))
    try:
        text = import_form.file.data.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        flash(_("The file is not UTF-8 text; nothing was imported."), "error")
        return redirect(url_for("moderation.words"))
    try:
        added = watched_words.import_words(current_user, text)
    except DialogueError as error:
        flash(_("Nothing was imported. %(problem)s", problem=error.to_answer()["error"]["message"]), "error")
    else:
        flash(_("%(n)d terms were added.", n=added))
    return redirect(url_for("moderation.words"))


@bp.get("/moderation/words.csv")
@login_required
def export_words():
    """Download the watched-words list in the import format."""
    _require_words()
    return Response(watched_words.export_words(), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=watched-words.csv"})


@bp.post("/moderation/words/<int:word_id>/remove")
@login_required
def remove_word(word_id: int):
    """Take a term off the list."""
    _require_words()
    if not ConfirmForm().validate_on_submit():
        abort(400)
    watched_words.remove_word(current_user, word_id)
    flash(_("The term was removed."))
    return redirect(url_for("moderation.words"))


@bp.get("/sessions/<session_id>/audit")
@login_required
def audit(session_id: str):
    """A session's audit log, filtered by action or actor; `?format=csv` exports it."""
    session = db.session.get(DialogueSession, session_id)
    if session is None:
        abort(404)
    action = request.args.get("action") or None
    # Facilitators filter by a member's session name (its member id); an account number
    # (`actor`, as older links have it) still works. Not a whole number of 64 bits: no filter.
    members = db.session.scalars(select(Membership).where(Membership.session_id == session.id)
                                 .order_by(Membership.display_name, Membership.id)).all()
    member = next((m for m in members if m.public_id == request.args.get("member")), None)
    actor = member.user_id if member is not None else request.args.get("actor", type=database_id)
    try:
        entries = audit_log.audit_entries(current_user, session, action=action, actor_id=actor,
                                           limit=None if request.args.get("format") == "csv" else 500)
    except DialogueError:
        abort(403)
    if request.args.get("format") == "csv":
        security_log.note("audit_exported", actor=current_user, session_id=session.id, entries=len(entries))
        return Response(audit_log.audit_csv(session, entries), mimetype="text/csv",
                        headers={"Content-Disposition": f"attachment; filename=audit-{session.id}.csv"})
    return render_template("moderation/audit.html", session=session, entries=entries, action=action,
                           actor=actor, members=members, member=member, actor_label=audit_log.actor_label,
                           figures=queue.figures([session.id]))


@bp.post("/sessions/<session_id>/moderation", endpoint="settings")
@login_required
def session_settings(session_id: str):
    """Facilitators change the session's moderation settings (live for everyone in it)."""
    form = ModerationSettingsForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for message in errors:
                flash(message, "error")
        return redirect(url_for("sessions.manage", session_id=session_id))
    settings.update_settings(current_user, session_id, {
        "moderation": form.moderation.data, "flag_threshold": form.flag_threshold.data,
        "two_key": bool(form.two_key.data), "typing_indicator": bool(form.typing_indicator.data)})
    flash(_("Moderation settings saved."))
    return redirect(url_for("sessions.manage", session_id=session_id))
