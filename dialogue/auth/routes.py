"""Routes: /login (and its code step), /logout, /settings (time zone, password, two-factor
sign-in, signed-in devices, API tokens, own data), /language and /admin/security."""

from __future__ import annotations

import functools
import json

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
from flask import session as cookie
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from .. import permissions
from ..errors import DialogueError
from ..forms import ConfirmForm, database_id
from ..models import utcnow
from ..web import LANGUAGE_COOKIE, safe_next
from . import accounts, security_log, throttle, two_factor
from .forms import (
    CodeForm,
    ForgetForm,
    LoginForm,
    PasswordForm,
    TimeZoneForm,
    TokenForm,
    TranslationViewForm,
)
from .my_data import current_sessions, everything_about

bp = Blueprint("auth", __name__)


def browser_login_required(view):
    """Changes to how the account signs in (password, two-factor, devices, erasure) need the
    browser login itself, not an API token: whoever holds a leaked token must not be able to
    lock the owner out (enrol their own authenticator, end the owner's logins) or erase them."""
    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        if not accounts.login_is_valid(cookie.get("login_id"), current_user.id):
            abort(403)
        return view(*args, **kwargs)

    return login_required(wrapped)


@bp.route("/login", methods=["GET", "POST"])
def login():
    """The sign-in form (fields `email` and `password`)."""
    form = LoginForm()
    if request.method == "GET":
        form.next.data = safe_next(request.args.get("next")) or ""
    if form.validate_on_submit():
        refused = throttle.refusal(form.email.data)
        if refused is not None:  # the password is not checked while the sign-in must wait
            form.password.errors.append(refused.to_answer()["error"]["message"])
            return render_template("auth/login.html", form=form), 429, \
                {"Retry-After": str(refused.extra["retry_after"])}
        user = accounts.authenticate(form.email.data, form.password.data)
        if user is None:
            accounts.note_failed_login(form.email.data)
            throttle.failed(form.email.data)
            form.password.errors.append(_("That e-mail and password do not match an active account."))
        else:
            throttle.succeeded(form.email.data)
            target = safe_next(form.next.data)
            if two_factor.is_enabled(user):
                two_factor.hold_login(user, target)
                return redirect(url_for("auth.login_code"))
            accounts.begin_login(user)
            return redirect(target or url_for("pages.home"))
    return render_template("auth/login.html", form=form), 200 if request.method == "GET" or not form.errors else 400


@bp.route("/login/code", methods=["GET", "POST"])
def login_code():
    """The second step of signing in to an account with two-factor sign-in: a current code."""
    held = two_factor.pending_user()
    if held is None:
        return redirect(url_for("auth.login"))
    account = throttle.code_key(held[0])
    form = CodeForm()
    if form.validate_on_submit():
        refused = throttle.refusal(account, code=True)  # wrong codes are throttled as wrong passwords are
        if refused is not None:
            form.code.errors.append(refused.to_answer()["error"]["message"])
            return render_template("auth/login_code.html", form=form), 429, \
                {"Retry-After": str(refused.extra["retry_after"])}
        try:
            target = two_factor.finish_login(form.code.data)
        except DialogueError as error:
            if error.code == "unauthorized":
                flash(error.to_answer()["error"]["message"], "error")
                return redirect(url_for("auth.login"))
            throttle.failed(account, code=True)
            form.code.errors.append(error.to_answer()["error"]["message"])
        else:
            return redirect(safe_next(target) or url_for("pages.home"))
    return render_template("auth/login_code.html", form=form), 200 if request.method == "GET" or not form.errors else 400


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


def _settings_page(form: TokenForm | None = None, new_token: str | None = None,
                   password_form: PasswordForm | None = None, time_zone_form: TimeZoneForm | None = None,
                   status: int = 200):
    this_login = cookie.get("login_id")
    devices = [(accounts.login_handle(login), login, login.id == this_login)
               for login in accounts.live_logins(current_user)]
    return render_template("auth/settings.html", form=form or TokenForm(), new_token=new_token,
                           tokens=accounts.user_tokens(current_user), confirm=ConfirmForm(),
                           forget_form=ForgetForm(prefix="forget"),
                           password_form=password_form or PasswordForm(prefix="password"),
                           time_zone_form=time_zone_form or TimeZoneForm(
                               prefix="zone", time_zone=current_user.time_zone or ""),
                           translation_form=TranslationViewForm(
                               prefix="translations", view=current_user.translation_view or "mine"),
                           language_choice=current_user.locale or str(get_locale() or "en"),
                           my_sessions=current_sessions(current_user),
                           devices=devices, now=utcnow(), others_signed_in=any(not this for _h, _l, this in devices),
                           may_use_two_factor=permissions.may_use_two_factor(current_user),
                           two_factor_on=two_factor.is_enabled(current_user)), status


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings():
    """The account's page: language and translations, time zone, notifications (in this
    browser), password, two-factor sign-in, signed-in devices, own data and messages, and
    under "Advanced" the API tokens (created, shown once, and revoked here)."""
    form = TokenForm()
    new_token = None
    if form.validate_on_submit():
        _token, new_token = accounts.create_api_token(current_user, form.name.data)
        form.name.data = ""
    return _settings_page(form, new_token)


@bp.post("/settings/time-zone")
@login_required
def change_time_zone():
    """Choose the time zone pages show times in (empty: the session's, else UTC)."""
    form = TimeZoneForm(prefix="zone")
    if form.validate_on_submit():
        try:
            accounts.set_time_zone(current_user, form.time_zone.data)
        except DialogueError as error:
            form.time_zone.errors.append(error.to_answer()["error"]["message"])
        else:
            flash(_("Your time zone was saved."))
            return redirect(url_for("auth.settings") + "#time-zone")
    return _settings_page(time_zone_form=form, status=400)


@bp.post("/settings/translations")
@login_required
def change_translation_view():
    """Choose which interpreters' translations show under messages (as in the room)."""
    form = TranslationViewForm(prefix="translations")
    if not form.validate_on_submit():
        abort(400)
    accounts.set_translation_view(current_user, form.view.data)
    flash(_("Your choice of translations was saved."))
    return redirect(url_for("auth.settings") + "#language")


@bp.post("/settings/password")
@browser_login_required
def change_password():
    """Change the password (the current one confirms it); every other login ends."""
    form = PasswordForm(prefix="password")
    if form.validate_on_submit():
        # Wrong current passwords count as failed sign-ins of the account from this address.
        email = current_user.email
        refused = throttle.refusal(email)
        if refused is not None:
            form.current_password.errors.append(refused.to_answer()["error"]["message"])
            page, _status = _settings_page(password_form=form)
            return page, 429, {"Retry-After": str(refused.extra["retry_after"])}
        try:
            accounts.change_password(current_user, form.current_password.data, form.new_password.data)
        except DialogueError as error:
            if error.extra.get("field") == "current_password":
                throttle.failed(email)  # change_password ended its reads before checking
            field = form.current_password if error.extra.get("field") == "current_password" else form.new_password
            field.errors.append(error.to_answer()["error"]["message"])
        else:
            flash(_("Your password was changed. Every other device was signed out."))
            return redirect(url_for("auth.settings"))
    return _settings_page(password_form=form, status=400)


@bp.post("/settings/logins/<handle>/end")
@browser_login_required
def end_login(handle: str):
    """End one of the account's signed-in devices; its live connections are dropped."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    accounts.end_device_login(current_user, handle)
    flash(_("That device was signed out."))
    return redirect(url_for("auth.settings") + "#devices")


@bp.post("/settings/logins/end-others")
@browser_login_required
def end_other_logins():
    """End every signed-in device of the account but this one."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    ended = accounts.end_other_logins(current_user, cookie.get("login_id"))
    flash(ngettext("%(num)d other device was signed out.", "%(num)d other devices were signed out.", ended))
    return redirect(url_for("auth.settings") + "#devices")


@bp.get("/settings/two-factor")
@login_required
def two_factor_page():
    """Set up (or turn off) two-factor sign-in: the secret, its URI and a code to confirm it."""
    if not permissions.may_use_two_factor(current_user):
        abort(403)
    enabled = two_factor.is_enabled(current_user)
    enrolling = bool(current_user.totp_secret) and not enabled
    return render_template("auth/two_factor.html", enabled=enabled, enrolling=enrolling,
                           required=permissions.must_use_two_factor(
                               current_user, current_app.config["DIALOGUE_REQUIRE_STAFF_TWO_FACTOR"]),
                           secret=current_user.totp_secret if enrolling else None,
                           uri=two_factor.provisioning_uri(current_user) if enrolling else None,
                           form=CodeForm(), confirm=ConfirmForm())


@bp.post("/settings/two-factor/start")
@browser_login_required
def two_factor_start():
    """Make a new secret to set up two-factor sign-in with."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        two_factor.start_enrolment(current_user)
    except DialogueError as error:
        if error.code == "forbidden":
            abort(403)
        flash(error.to_answer()["error"]["message"], "error")
    return redirect(url_for("auth.two_factor_page"))


def _code_post(action, done: str):
    if not permissions.may_use_two_factor(current_user):
        abort(403)
    form = CodeForm()
    if not form.validate_on_submit():
        flash(_("Enter the six-digit code from your authenticator app."), "error")
        return redirect(url_for("auth.two_factor_page"))
    try:
        action(current_user, form.code.data)
    except DialogueError as error:
        flash(error.to_answer()["error"]["message"], "error")
        return redirect(url_for("auth.two_factor_page"))
    flash(done)
    return redirect(url_for("auth.settings"))


@bp.post("/settings/two-factor/confirm")
@browser_login_required
def two_factor_confirm():
    """Turn two-factor sign-in on with a current code; every other login ends."""
    return _code_post(two_factor.confirm_enrolment,
                      _("Two-factor sign-in is on. Every other device was signed out."))


@bp.post("/settings/two-factor/disable")
@browser_login_required
def two_factor_disable():
    """Turn two-factor sign-in off with a current code; every other login ends."""
    return _code_post(two_factor.disable, _("Two-factor sign-in is off. Every other device was signed out."))


@bp.get("/settings/my-data")
@login_required
def my_data():
    """Download everything the platform holds about the caller, as JSON."""
    security_log.note("data_exported", actor=current_user, subject=current_user)
    return Response(json.dumps(everything_about(current_user), ensure_ascii=False, indent=1),
                    mimetype="application/json",
                    headers={"Content-Disposition": "attachment; filename=my-data.json"})


@bp.post("/settings/forget")
@browser_login_required
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
    actor = request.args.get("actor", type=database_id)
    as_csv = request.args.get("format") == "csv"
    rows = security_log.entries(kind=kind, actor_id=actor, limit=None if as_csv else 500)
    if as_csv:
        return Response(security_log.as_csv(rows), mimetype="text/csv",
                        headers={"Content-Disposition": "attachment; filename=security-log.csv"})
    return render_template("auth/security.html", entries=rows, kinds=security_log.KINDS, kind=kind, actor=actor)


@bp.post("/language")
def language():
    """The language picker: this browser keeps the choice (a cookie), and so does the
    account when signed in; back to the page it was chosen on. An unsupported value changes
    nothing."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    choice = request.form.get("language")
    target = safe_next(request.form.get("next")) or url_for("pages.home")
    response = redirect(target)
    if choice in current_app.config["DIALOGUE_LANGUAGES"]:
        response.set_cookie(LANGUAGE_COOKIE, choice, max_age=365 * 24 * 3600, httponly=True, samesite="Lax",
                            secure=current_app.config.get("SESSION_COOKIE_SECURE", False))
        if current_user.is_authenticated:
            accounts.set_locale(current_user, choice)
    return response
