"""Routes for facilitators (create, manage, invite) and for people who open an invitation."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from .. import permissions
from ..auth.forms import ConfirmForm
from ..errors import DialogueError
from ..extensions import db
from ..models import DialogueSession, Invitation, Membership
from ..services import dialogues, facilitation, moderation
from .forms import (
    AgendaTemplateForm,
    InvitationForm,
    JoinForm,
    MaterialForm,
    SessionForm,
    side_choices,
)

bp = Blueprint("sessions", __name__)


def _session_or_404(session_id: str) -> DialogueSession:
    session = db.session.get(DialogueSession, session_id)
    if session is None:
        abort(404)
    return session


def _require_post_confirm() -> None:
    if not ConfirmForm().validate_on_submit():
        abort(400)


@bp.route("/sessions/new", methods=["GET", "POST"])
@login_required
def create():
    """Facilitators create a session (it starts as a draft)."""
    if not permissions.can_create_sessions(current_user):
        abort(403)
    form = SessionForm()
    if request.method == "GET":
        form.ground_rules.data = dialogues.DEFAULT_GROUND_RULES
    if form.validate_on_submit():
        try:
            session = dialogues.create_session(
                current_user, title=form.title.data, description=form.description.data,
                side_a_label=form.side_a_label.data, side_b_label=form.side_b_label.data,
                language=form.language.data, ground_rules=form.ground_rules.data,
                facilitator_name=form.facilitator_name.data, pseudonymous=bool(form.pseudonymous.data))
        except DialogueError as error:
            form.title.errors.append(error.to_answer()["error"]["message"])
        else:
            flash(_("The session was created. Invite people from both sides, then start it."))
            return redirect(url_for("sessions.manage", session_id=session.id))
    return render_template("sessions/new.html", form=form), 200 if request.method == "GET" else 400


@bp.get("/sessions/<session_id>/manage")
@login_required
def manage(session_id: str):
    """A session's control page: state, members with their real identities, invitations."""
    session = _session_or_404(session_id)
    try:
        permissions.require_manage(current_user, session)
    except DialogueError:
        abort(403)
    form = InvitationForm()
    form.side.choices = side_choices(session)
    from ..moderation.forms import ModerationSettingsForm

    moderation_form = ModerationSettingsForm(moderation=session.moderation_mode,
                                             flag_threshold=session.flag_threshold, two_key=session.two_key)
    return render_template("sessions/manage.html", session=session, form=form, moderation_form=moderation_form,
                           phases=facilitation.phases(session), template_form=AgendaTemplateForm(),
                           material_form=MaterialForm(), materials=facilitation.materials(session),
                           balance=facilitation.balance(session, detail=True),
                           members=dialogues.members(session, include_revoked=True),
                           invitations=dialogues.invitations(session), confirm=ConfirmForm(),
                           now=dialogues.utcnow())


@bp.post("/sessions/<session_id>/state/<action>")
@login_required
def change_state(session_id: str, action: str):
    """Start or end the session."""
    _require_post_confirm()
    dialogues.change_state(current_user, session_id, action)
    return redirect(url_for("sessions.manage", session_id=session_id))


@bp.post("/sessions/<session_id>/invitations")
@login_required
def create_invitation(session_id: str):
    """Create an invitation link; the page shows it once."""
    session = _session_or_404(session_id)
    form = InvitationForm()
    form.side.choices = side_choices(session)
    if not form.validate_on_submit():
        for field_errors in form.errors.values():
            for message in field_errors:
                flash(message, "error")
        return redirect(url_for("sessions.manage", session_id=session_id))
    try:
        _invitation, token = dialogues.create_invitation(
            current_user, session, role=form.role.data, side=form.side.data or None,
            max_uses=form.max_uses.data, days=form.days.data, label=form.label.data or "")
    except DialogueError as error:
        flash(error.to_answer()["error"]["message"], "error")
        return redirect(url_for("sessions.manage", session_id=session_id))
    link = url_for("sessions.invitation", token=token, _external=True)
    return render_template("sessions/invitation_created.html", session=session, link=link)


@bp.post("/invitations/<int:invitation_id>/revoke")
@login_required
def revoke_invitation(invitation_id: int):
    """Stop an invitation link from working."""
    _require_post_confirm()
    invitation = dialogues.revoke_invitation(current_user, invitation_id)
    flash(_("The invitation was revoked."))
    return redirect(url_for("sessions.manage", session_id=invitation.session_id))


@bp.post("/members/<int:membership_id>/remove")
@login_required
def remove_member(membership_id: int):
    """Remove a member; their open pages lose the session at once."""
    _require_post_confirm()
    membership = db.session.get(Membership, membership_id)
    if membership is None:
        abort(404)
    # The same write path as a moderator's removal: its rules, the two-key rule, the audit log.
    result = moderation.sanction(current_user, membership.session_id, membership.user_id, "remove",
                                 reason=(request.form.get("reason") or "").strip() or _("Removed by a facilitator"))
    if result.get("pending"):
        flash(_("Removing %(name)s needs a second moderator's confirmation (two-key rule).",
                name=membership.display_name))
    else:
        flash(_("%(name)s was removed from the session.", name=membership.display_name))
    return redirect(url_for("sessions.manage", session_id=membership.session_id))


@bp.route("/invite/<token>", methods=["GET", "POST"])
def invitation(token: str):
    """Open an invitation: sign in or create an account, choose a name, accept the rules, join."""
    found: Invitation | None = dialogues.find_invitation(token)
    if found is None:
        return render_template("sessions/invitation_invalid.html"), 404
    session = found.session
    if not current_user.is_authenticated:
        return render_template("sessions/invitation_welcome.html", session=session, invitation=found,
                               next=url_for("sessions.invitation", token=token))
    existing = permissions.current_membership(current_user, session)
    if existing is not None:
        return redirect(url_for("room.room", session_id=session.id))
    form = JoinForm()
    if request.method == "GET":
        form.display_name.data = dialogues.suggest_name(session, found.side)
    if form.validate_on_submit():
        try:
            dialogues.accept_invitation(current_user, token, form.display_name.data, form.accept_rules.data,
                                        naming=form.naming.data, include=bool(form.include.data))
        except DialogueError as error:
            field = form.accept_rules if error.code == "invalid" and not form.accept_rules.data else form.display_name
            field.errors.append(error.to_answer()["error"]["message"])
        else:
            return redirect(url_for("room.room", session_id=session.id))
    return render_template("sessions/join.html", session=session, invitation=found, form=form,
                           side_label=session.side_label(found.side)), 200 if request.method == "GET" else 400


@bp.post("/sessions/<session_id>/agenda")
@login_required
def save_agenda(session_id: str):
    """Save the agenda from the manage page: parallel lists title[], prompt[], minutes[]."""
    _require_post_confirm()
    titles = request.form.getlist("title")
    prompts = request.form.getlist("prompt")
    minutes = request.form.getlist("minutes")
    phases = []
    for index, title in enumerate(titles):
        if not title.strip():
            continue  # an empty row is how a phase is removed
        raw_minutes = (minutes[index] if index < len(minutes) else "").strip()
        phases.append({"title": title, "prompt": prompts[index] if index < len(prompts) else "",
                       "minutes": int(raw_minutes) if raw_minutes.isdigit() else None})
    try:
        facilitation.set_agenda(current_user, session_id, phases)
    except DialogueError as error:
        flash(error.to_answer()["error"]["message"], "error")
    else:
        flash(_("The agenda was saved."))
    return redirect(url_for("sessions.manage", session_id=session_id) + "#agenda")


@bp.post("/sessions/<session_id>/agenda/template")
@login_required
def agenda_template(session_id: str):
    """Replace the agenda with one of the shipped templates."""
    form = AgendaTemplateForm()
    if not form.validate_on_submit():
        abort(400)
    facilitation.apply_template(current_user, session_id, form.template.data)
    flash(_("The agenda now follows the template; edit it as you need."))
    return redirect(url_for("sessions.manage", session_id=session_id) + "#agenda")


@bp.post("/sessions/<session_id>/materials")
@login_required
def add_material(session_id: str):
    """Attach a text or a link for members to read."""
    session = _session_or_404(session_id)
    form = MaterialForm()
    if form.validate_on_submit():
        try:
            facilitation.add_material(current_user, session, form.title.data, form.body.data or "", form.url.data)
        except DialogueError as error:
            flash(error.to_answer()["error"]["message"], "error")
        else:
            flash(_("The material was added."))
    else:
        for errors in form.errors.values():
            for message in errors:
                flash(message, "error")
    return redirect(url_for("sessions.manage", session_id=session_id) + "#materials")


@bp.post("/materials/<int:material_id>/remove")
@login_required
def remove_material(material_id: int):
    """Take a material away."""
    _require_post_confirm()
    material = facilitation.remove_material(current_user, material_id)
    flash(_("The material was removed."))
    return redirect(url_for("sessions.manage", session_id=material.session_id) + "#materials")


@bp.post("/sessions/<session_id>/publish")
@login_required
def publish_transcript(session_id: str):
    """Publish the participants' transcript to the members (optionally as a public page)."""
    _require_post_confirm()
    from ..services import transcripts

    try:
        session = transcripts.publish(current_user, session_id, request.form.get("attribution", "pseudonym"),
                                      public=request.form.get("public") == "y")
    except DialogueError as error:
        if error.code == "forbidden":
            raise
        flash(error.to_answer()["error"]["message"], "error")
    else:
        flash(_("The transcript was published. Its digest is %(digest)s.", digest=session.published_digest))
    return redirect(url_for("sessions.manage", session_id=session_id) + "#transcript")


@bp.post("/sessions/<session_id>/transcript-texts")
@login_required
def transcript_texts(session_id: str):
    """Save the transcript's preface and closing summary."""
    _require_post_confirm()
    from ..services import transcripts

    try:
        transcripts.set_texts(current_user, _session_or_404(session_id), request.form.get("preface", ""),
                              request.form.get("summary", ""))
    except DialogueError as error:
        if error.code == "forbidden":
            raise
        flash(error.to_answer()["error"]["message"], "error")
    else:
        flash(_("The preface and closing summary were saved."))
    return redirect(url_for("sessions.manage", session_id=session_id) + "#transcript")
