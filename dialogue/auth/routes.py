"""Routes: /login, /logout, /register and /settings (API tokens)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from ..errors import DialogueError
from ..services import accounts, dialogues
from .forms import ConfirmForm, LoginForm, RegisterForm, TokenForm

bp = Blueprint("auth", __name__)


def safe_next(target: str | None) -> str | None:
    """Return `target` only if it is a path on this site; never an absolute or scheme-relative URL."""
    if not target or not isinstance(target, str):
        return None
    target = target.strip()
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    if any(ord(c) < 32 for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def begin_login(user) -> None:
    """Start a fresh login: a new session (a new id) so nothing from before carries over."""
    session.clear()
    login = accounts.start_login(user)
    session["login_id"] = login.id
    login_user(user)


@bp.route("/login", methods=["GET", "POST"])
def login():
    """The sign-in form (fields `email` and `password`)."""
    form = LoginForm()
    if request.method == "GET":
        form.next.data = safe_next(request.args.get("next")) or ""
    if form.validate_on_submit():
        user = accounts.authenticate(form.email.data, form.password.data)
        if user is None:
            form.password.errors.append(_("That e-mail and password do not match an active account."))
        else:
            target = safe_next(form.next.data)
            begin_login(user)
            return redirect(target or url_for("pages.home"))
    return render_template("auth/login.html", form=form), 200 if request.method == "GET" or not form.errors else 400


@bp.route("/register", methods=["GET", "POST"])
def register():
    """Create a participant account; used when someone opens an invitation without one."""
    target = safe_next(request.args.get("next"))
    token = target[len("/invite/"):] if target and target.startswith("/invite/") else None
    if token is None or dialogues.find_invitation(token) is None:
        # Accounts are made through a valid invitation (or by admins), not by walking in.
        abort(404)
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = accounts.create_user(form.email.data, form.real_name.data, form.password.data)
        except DialogueError as error:
            field = getattr(form, error.extra.get("field", ""), None) or form.password
            field.errors.append(error.to_answer()["error"]["message"])
        else:
            begin_login(user)
            return redirect(target)
    return render_template("auth/register.html", form=form, next=target), 200 if request.method == "GET" else 400


@bp.post("/logout")
def logout():
    """End this browser login; its live sockets are dropped at once."""
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    accounts.end_login(session.get("login_id"))
    logout_user()
    session.clear()
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
                           tokens=accounts.user_tokens(current_user), confirm=ConfirmForm())


@bp.post("/settings/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int):
    """Revoke one of the account's API tokens."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    accounts.revoke_api_token(current_user, token_id)
    flash(_("The token was revoked."))
    return redirect(url_for("auth.settings"))
