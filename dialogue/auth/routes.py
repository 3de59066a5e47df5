"""Routes: /login, /logout and /settings (API tokens)."""

from __future__ import annotations

import json

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask import session as cookie
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from .. import permissions
from ..forms import ConfirmForm
from ..web import safe_next
from . import accounts, security_log
from .forms import ForgetForm, LoginForm, TokenForm
from .my_data import everything_about

bp = Blueprint("auth", __name__)


@bp.route("/login", methods=["GET", "POST"])
def login():
    """The sign-in form (fields `email` and `password`)."""
    form = LoginForm()
    if request.method == "GET":
        form.next.data = safe_next(request.args.get("next")) or ""
    if form.validate_on_submit():
        user = accounts.authenticate(form.email.data, form.password.data)
        if user is None:
            accounts.note_failed_login(form.email.data)
            form.password.errors.append(_("That e-mail and password do not match an active account."))
        else:
            target = safe_next(form.next.data)
            accounts.begin_login(user)
            return redirect(target or url_for("pages.home"))
    return render_template("auth/login.html", form=form), 200 if request.method == "GET" or not form.errors else 400


@bp.post("/logout")
def logout():
    """End this browser login; its live sockets are dropped at once."""
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    accounts.end_login(cookie.get("login_id"))
    logout_user()
    cookie.clear()
    flash(_("You are signed out."))
    return redirect(url_for("auth.login"))


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings():
    """The account's page: API tokens, created (shown once) and revoked here."""
    form = TokenForm()
    new_token = None
    if form.validate_on_submit():
        _token, new_token = accounts.create_api_token(current_user, form.name.data)
        form.name.data = ""
    return render_template("auth/settings.html", form=form, new_token=new_token,
                           tokens=accounts.user_tokens(current_user), confirm=ConfirmForm(),
                           forget_form=ForgetForm(prefix="forget"))


@bp.get("/settings/my-data")
@login_required
def my_data():
    """Download everything the platform holds about the caller, as JSON."""
    security_log.note("data_exported", actor=current_user, subject=current_user)
    return Response(json.dumps(everything_about(current_user), ensure_ascii=False, indent=1),
                    mimetype="application/json",
                    headers={"Content-Disposition": "attachment; filename=my-data.json"})


@bp.post("/settings/forget")
@login_required
def forget():
    """Erase the caller's personal data (they confirm with their password); they are signed out."""
    form = ForgetForm(prefix="forget")
    if not form.validate_on_submit() or accounts.authenticate(current_user.email, form.password.data) is None:
        flash(_("Nothing was erased: confirm with your password and tick the box."), "error")
        return redirect(url_for("auth.settings") + "#forget")
    accounts.forget_user(current_user)
    logout_user()
    cookie.clear()
    flash(_("Your personal data was erased. Thank you for taking part."))
    return redirect(url_for("auth.login"))


@bp.post("/settings/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int):
    """Revoke one of the account's API tokens."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    accounts.revoke_api_token(current_user, token_id)
    flash(_("The token was revoked."))
    return redirect(url_for("auth.settings"))


@bp.get("/admin/security")
@login_required
def security():
    """Admins read the security log, filtered by kind or actor; `?format=csv` exports it."""
    if not permissions.can_read_security_log(current_user):
        abort(403)
    kind = request.args.get("kind") or None
    actor = request.args.get("actor", type=int)
    as_csv = request.args.get("format") == "csv"
    rows = security_log.entries(kind=kind, actor_id=actor, limit=None if as_csv else 500)
    if as_csv:
        return Response(security_log.as_csv(rows), mimetype="text/csv",
                        headers={"Content-Disposition": "attachment; filename=security-log.csv"})
    return render_template("auth/security.html", entries=rows, kinds=security_log.KINDS, kind=kind, actor=actor)
