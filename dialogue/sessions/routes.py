"""Routes for facilitators (create, manage, invite) and for people who open an invitation."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from .. import permissions
from ..auth import accounts
from ..errors import DialogueError
from ..extensions import db
from ..facilitation import balance, materials
from ..facilitation.forms import AgendaTemplateForm, MaterialForm
from ..facilitation.state import phases
from ..forms import ConfirmForm
from ..models import Invitation, Membership, utcnow
from ..moderation.forms import ModerationSettingsForm
from ..moderation.sanctions import sanction
from ..web import flash_refusal, require_confirmed_post, safe_next, session_or_404
from . import actions as dialogues
from . import names
from .forms import (
    InvitationForm,
    JoinForm,
    RegisterForm,
    SessionForm,
    SessionSettingsForm,
    side_choices,
)

bp = Blueprint("sessions", __name__)


@bp.route("/sessions/new", methods=["GET", "POST"])
@login_required
def create():
    """Facilitators create a session (it starts as a draft)."""
    if not permissions.can_create_sessions(current_user):
        abort(403)
    form = SessionForm()
    if request.method == "GET":
        form.ground_rules.data = str(dialogues.DEFAULT_GROUND_RULES)
        form.time_zone.data = current_user.time_zone or "UTC"  # the creator's own, to start from
    if form.validate_on_submit():
        try:
            session = dialogues.create_session(
                current_user, title=form.title.data, description=form.description.data,
                side_a_label=form.side_a_label.data, side_b_label=form.side_b_label.data,
                language=form.language.data, time_zone=form.time_zone.data or "UTC",
                ground_rules=form.ground_rules.data,
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
    session = session_or_404(session_id)
    try:
        permissions.require_manage(current_user, session)
    except DialogueError:
        abort(403)
    return _manage_page(session)


def _manage_page(session, settings_form: SessionSettingsForm | None = None, status: int = 200):
    form = InvitationForm(days=current_app.config["DIALOGUE_INVITATION_DAYS"])
    form.side.choices = side_choices(session)
    minutes = current_app.config["DIALOGUE_REOPEN_MINUTES"]
    moderation_form = ModerationSettingsForm(moderation=session.moderation_mode,
                                             flag_threshold=session.flag_threshold, two_key=session.two_key,
                                             typing_indicator=session.typing_indicator)
    return render_template("sessions/manage.html", session=session, form=form, moderation_form=moderation_form,
                           phases=phases(session), template_form=AgendaTemplateForm(),
                           material_form=MaterialForm(), materials=materials.materials(session),
                           balance=balance.balance(session, detail=True),
                           members=dialogues.members(session, include_revoked=True),
                           invitations=dialogues.invitations(session), confirm=ConfirmForm(),
                           end_sentence=end_sentence(), remove_sentence=remove_sentence,
                           reopen_until=permissions.reopen_deadline(session, minutes)
                           if permissions.can_reopen(session, minutes) else None,
                           settings_form=settings_form or SessionSettingsForm(
                               prefix="settings", language=session.language, time_zone=session.time_zone),
                           now=utcnow()), status


@bp.post("/sessions/<session_id>/settings")
@login_required
def change_settings(session_id: str):
    """Change the session's language and time zone."""
    session = session_or_404(session_id)
    try:
        permissions.require_manage(current_user, session)
    except DialogueError:
        abort(403)
    form = SessionSettingsForm(prefix="settings")
    if form.validate_on_submit():
        try:
            dialogues.set_language_and_zone(current_user, session, form.language.data, form.time_zone.data or "UTC")
        except DialogueError as error:
            getattr(form, error.extra.get("field", ""), form.language).errors.append(
                error.to_answer()["error"]["message"])
        else:
            flash(_("The session's language and time zone were saved."))
            return redirect(url_for("sessions.manage", session_id=session.id) + "#settings")
    return _manage_page(session, settings_form=form, status=400)


def _confirmed() -> bool:
    """Whether an irreversible form was confirmed: in the page's dialog, or on the page that
    asks when there is no script (`_ask`)."""
    return request.form.get("confirmed") == "yes"


def _ask(session, heading: str, sentence: str, confirm_label: str, fields: dict | None = None):
    """The page that asks before an irreversible action, posting the same form again, confirmed."""
    return render_template("sessions/confirm.html", session=session, heading=heading, sentence=sentence,
                           confirm_label=confirm_label, action_url=request.path, fields=fields or {},
                           back_url=url_for("sessions.manage", session_id=session.id), confirm=ConfirmForm())


def end_sentence() -> str:
    return _("Ending the session means nobody can write any more, invitation links stop working and the record "
             "closes. If it was a mistake, you can reopen it within %(n)d minutes.",
             n=current_app.config["DIALOGUE_REOPEN_MINUTES"])


@bp.post("/sessions/<session_id>/state/<action>")
@login_required
def change_state(session_id: str, action: str):
    """Start, pause, resume, end or (within the grace period) reopen the session. Ending is
    confirmed first: an unconfirmed end answers with the page that asks."""
    require_confirmed_post()
    session = session_or_404(session_id)
    if action == "end" and session.state in ("live", "paused") and not _confirmed():
        permissions.require_manage(current_user, session)
        return _ask(session, _("End the session?"), end_sentence(), _("End the session"))
    dialogues.change_state(current_user, session_id, action)
    if action == "reopen":
        flash(_("The session was reopened; the reopening is in its record."))
    return redirect(url_for("sessions.manage", session_id=session_id))


@bp.post("/sessions/<session_id>/invitations")
@login_required
def create_invitation(session_id: str):
    """Create an invitation link; the page shows it once."""
    session = session_or_404(session_id)
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
        flash_refusal(error)
        return redirect(url_for("sessions.manage", session_id=session_id))
    link = url_for("sessions.invitation", token=token, _external=True)
    return render_template("sessions/invitation_created.html", session=session, link=link)


@bp.post("/invitations/<int:invitation_id>/revoke")
@login_required
def revoke_invitation(invitation_id: int):
    """Stop an invitation link from working."""
    require_confirmed_post()
    invitation = dialogues.revoke_invitation(current_user, invitation_id)
    flash(_("The invitation was revoked."))
    return redirect(url_for("sessions.manage", session_id=invitation.session_id))


def remove_sentence(name: str) -> str:
    return _("Removing %(name)s takes the session from them at once: their open pages close, and no invitation "
             "link lets them back in.", name=name)


@bp.post("/members/<int:membership_id>/remove")
@login_required
def remove_member(membership_id: int):
    """Remove a member; their open pages lose the session at once."""
    require_confirmed_post()
    membership = db.session.get(Membership, membership_id)
    if membership is None:
        abort(404)
    if not _confirmed():
        permissions.require_staff(current_user, membership.session)
        return _ask(membership.session, _("Remove %(name)s?", name=membership.display_name),
                    remove_sentence(membership.display_name), _("Remove %(name)s", name=membership.display_name),
                    {"reason": (request.form.get("reason") or "").strip()[:200]})
    # The same write path as a moderator's removal: its rules, the two-key rule, the audit log.
    result = sanction(current_user, membership.session_id, membership.public_id, "remove",
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
        form.display_name.data = names.suggest_name(session, found.side)
    if form.validate_on_submit():
        try:
            dialogues.accept_invitation(current_user, token, form.display_name.data, form.accept_rules.data,
                                        naming=form.naming.data, include=form.included())
        except DialogueError as error:
            field = form.accept_rules if error.code == "invalid" and not form.accept_rules.data else form.display_name
            field.errors.append(error.to_answer()["error"]["message"])
        else:
            return redirect(url_for("room.room", session_id=session.id))
    return render_template("sessions/join.html", session=session, invitation=found, form=form,
                           assigned_name=permissions.gets_neutral_name(session, found.role),
                           side_label=session.side_label(found.side)), 200 if request.method == "GET" else 400


@bp.route("/register", methods=["GET", "POST"])
def register():
    """Create a participant account; used when someone opens an invitation without one. The
    answer is the same whether or not the address already had an account."""
    target = safe_next(request.args.get("next"))
    token = target[len("/invite/"):] if target and target.startswith("/invite/") else None
    if token is None or dialogues.find_invitation(token) is None:
        # Accounts are made through a valid invitation (or by admins), not by walking in.
        abort(404)
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            accounts.register(form.email.data, form.real_name.data, form.password.data)
        except DialogueError as error:
            field = getattr(form, error.extra.get("field", ""), None) or form.password
            field.errors.append(error.to_answer()["error"]["message"])
        else:
            # The same answer for a new address and a taken one: sign in next.
            flash(_("Your account is ready. Sign in with your e-mail address and password to join."))
            return redirect(url_for("auth.login", next=target))
    return render_template("sessions/register.html", form=form, next=target), 200 if request.method == "GET" else 400
