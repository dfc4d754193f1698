"""Pages for logging in and out, passwords, the second factor, API tokens and invitations."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any
from uuid import UUID

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse, reverse_lazy
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from councils.accounts import actions, queries, ratelimit, tokens, totp
from councils.accounts.models import User
from councils.core.errors import DomainError
from councils.digests import actions as digest_actions
from councils.digests import queries as digest_queries
from councils.digests.models import DigestPreference
from councils.federation import permissions
from councils.federation import queries as federation_queries
from councils.federation.models import Council, Membership, Office
from councils.mandates.models import RecallPetition
from councils.membership.models import Application, DisciplineCase
from councils.motions.models import Motion
from councils.petitions.models import AgendaPetition
from councils.web.views.common import domain_errors

PENDING_SECOND_FACTOR = "councils_pending_2fa"
SETUP_SECRET = "councils_totp_setup"
# Time allowed between the password step and the code step of a login.
SECOND_FACTOR_SECONDS = 300


def _me(request: HttpRequest) -> User:
    """The logged-in user; only for views behind login_required."""
    if not isinstance(request.user, User):
        raise PermissionDenied
    return request.user


def _wait_text(seconds: int) -> str:
    minutes = -(-seconds // 60)
    if seconds < 90:
        return ngettext(
            "Too many failed logins. Try again in %(n)d second.",
            "Too many failed logins. Try again in %(n)d seconds.",
            seconds,
        ) % {"n": seconds}
    return ngettext(
        "Too many failed logins. Try again in %(n)d minute.",
        "Too many failed logins. Try again in %(n)d minutes.",
        minutes,
    ) % {"n": minutes}


def _safe_next(request: HttpRequest, target: str) -> str:
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("web:home")


def _throttled(request: HttpRequest, template: str, context: dict[str, Any], wait: int) -> HttpResponse:
    response = render(request, template, {**context, "throttle": _wait_text(wait)}, status=429)
    response["Retry-After"] = str(wait)
    return response


@require_http_methods(["GET", "HEAD", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    """Password first; accounts with a second factor then go to the code step."""
    next_url = request.POST.get("next") or request.GET.get("next", "")
    form = AuthenticationForm(request, data=request.POST if request.method == "POST" else None)
    context = {"form": form, "next": next_url}
    if request.method != "POST":
        return render(request, "web/accounts/login.html", context)
    username = request.POST.get("username", "")
    address = ratelimit.client_address(request.META)
    wait = ratelimit.retry_after(username=username, address=address)
    if wait:
        # An unbound form: a throttled attempt must not cost (or test) a password check.
        retry = AuthenticationForm(request, initial={"username": username})
        return _throttled(request, "web/accounts/login.html", {**context, "form": retry}, wait)
    if not form.is_valid():
        ratelimit.record_failure(username=username, address=address)
        return render(request, "web/accounts/login.html", context, status=422)
    user = form.get_user()
    if user.has_totp:
        request.session[PENDING_SECOND_FACTOR] = {"user": user.pk, "at": time.time(), "next": next_url}
        return redirect("web:login_code")
    login(request, user)
    return redirect(_safe_next(request, next_url))


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code from your authenticator app"),
        max_length=10,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


@require_http_methods(["GET", "HEAD", "POST"])
def login_code(request: HttpRequest) -> HttpResponse:
    """The second step of a login: the current code from the person's authenticator app."""
    pending = request.session.get(PENDING_SECOND_FACTOR)
    if not isinstance(pending, dict) or time.time() - pending.get("at", 0) > SECOND_FACTOR_SECONDS:
        if request.session.pop(PENDING_SECOND_FACTOR, None) is not None:
            messages.error(request, _("Your login took too long. Enter your password again."))
        return redirect("web:login")
    user = User.objects.filter(pk=pending["user"], is_active=True).first()
    if user is None:
        del request.session[PENDING_SECOND_FACTOR]
        return redirect("web:login")
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method != "POST":
        return render(request, "web/accounts/login_code.html", {"form": form})
    address = ratelimit.client_address(request.META)
    wait = ratelimit.retry_after(username=user.username, address=address)
    if wait:
        return _throttled(request, "web/accounts/login_code.html", {"form": form}, wait)
    if not form.is_valid() or not totp.verify_user(user=user, code=form.cleaned_data["code"]):
        ratelimit.record_failure(username=user.username, address=address)
        form.add_error("code", _("That code is not right. Check the time on your phone and try again."))
        return render(request, "web/accounts/login_code.html", {"form": form}, status=422)
    del request.session[PENDING_SECOND_FACTOR]
    login(request, user)
    return redirect(_safe_next(request, pending.get("next", "")))


DIGEST_CHOICES = [
    (DigestPreference.Frequency.DAILY, gettext_lazy("Daily: each morning, what happened the day before")),
    (DigestPreference.Frequency.WEEKLY, gettext_lazy("Weekly: each Monday, what happened the week before")),
    (DigestPreference.Frequency.NEVER, gettext_lazy("Never")),
]


class DigestForm(forms.Form):
    frequency = forms.ChoiceField(
        label=gettext_lazy("E-mail digest"), choices=DIGEST_CHOICES, widget=forms.RadioSelect
    )


def _account_page(request: HttpRequest, digest_form: DigestForm, status: int = 200) -> HttpResponse:
    user = _me(request)
    context = {
        "token_count": tokens.list_tokens(user=user).count(),
        "digest_form": digest_form,
        "digest": digest_queries.preference_of(user=user),
    }
    return render(request, "web/accounts/account.html", context, status=status)


@require_safe
@login_required
def account(request: HttpRequest) -> HttpResponse:
    preference = digest_queries.preference_of(user=_me(request))
    return _account_page(request, DigestForm(initial={"frequency": preference.frequency}))


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def account_digest(request: HttpRequest) -> HttpResponse:
    """Choose how often the e-mail digest comes: daily, weekly or never; a GET goes to the form's page."""
    if request.method != "POST":
        return redirect(f"{reverse('web:account')}#dg")
    form = DigestForm(request.POST)
    if not form.is_valid():
        return _account_page(request, form, status=422)
    digest_actions.set_digest_frequency(actor=_me(request), frequency=form.cleaned_data["frequency"])
    messages.success(request, _("Your digest preference is saved."))
    return redirect("web:account")


class EraseForm(forms.Form):
    password = forms.CharField(
        label=gettext_lazy("Your password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    confirm = forms.BooleanField(
        label=gettext_lazy(
            "I understand that this cannot be undone and that I will not be able to log in again."
        )
    )


def _moment(value: str | None) -> datetime | None:
    return parse_datetime(value) if value else None


def _moment_text(value: str | None) -> str | None:
    moment = _moment(value)
    return f"{date_format(timezone.localtime(moment), 'DATETIME_FORMAT')} UTC" if moment else None


def _periods(rows: list[dict[str, Any]], *keys: str) -> list[dict[str, Any]]:
    return [{**row, **{key: _moment(row[key]) for key in keys}} for row in rows]


def _readable(data: dict[str, Any]) -> dict[str, Any]:
    """`personal_data` for a person to read: labels, dates and words where the download has keys and codes."""
    account = data["account"]
    motions = {
        str(m.uuid): m
        for m in Motion.objects.filter(uuid__in=[v["motion"] for v in data["named_votes"]]).select_related(
            "council"
        )
    }
    petition_kinds = {"agenda": _("Agenda petition"), "recall": _("Recall petition")}
    # The download names a petition by its UUID; a person reading the page needs what it asked for.
    signed = {p["petition"] for p in data["petitions_signed"]}
    petition_titles = {
        **{
            str(uuid): title
            for uuid, title in AgendaPetition.objects.filter(uuid__in=signed).values_list("uuid", "title")
        },
        **{
            str(p.uuid): _("Recall of %(name)s") % {"name": p.target.name}
            for p in RecallPetition.objects.filter(uuid__in=signed).select_related("target")
        },
    }
    return {
        "account": [
            (_("Name shown"), account["display_name"]),
            (_("Username"), account["username"]),
            (_("First name"), account["first_name"]),
            (_("Last name"), account["last_name"]),
            (_("E-mail"), account["email"]),
            (_("Account number"), account["uuid"]),
            (_("Joined"), _moment_text(account["date_joined"])),
            (_("Last logged in"), _moment_text(account["last_login"])),
            (_("Two-factor authentication"), _("On") if account["has_totp"] else _("Off")),
        ],
        "memberships": [
            {**m, "status": Membership.Status(m["status"]).label}
            for m in _periods(data["memberships"], "joined_at", "full_since", "ended_at")
        ],
        "offices": [
            {**o, "role": Office.Role(o["role"]).label}
            for o in _periods(data["offices"], "started_at", "ended_at")
        ],
        "seats": _periods(data["seats"], "started_at", "ended_at"),
        "applications": [
            {**a, "status": Application.Status(a["status"]).label}
            for a in _periods(data["applications"], "applied_at", "decided_at")
        ],
        "cases": [
            {
                **c,
                "status": DisciplineCase.Status(c["status"]).label,
                "penalty": DisciplineCase.Penalty(c["penalty"]).label,
            }
            for c in _periods(data["cases"], "charged_at", "decided_at")
        ],
        "petitions_signed": [
            {
                **p,
                "kind": petition_kinds[p["kind"]],
                "is_recall": p["kind"] == "recall",
                "title": petition_titles.get(p["petition"], petition_kinds[p["kind"]]),
            }
            for p in _periods(data["petitions_signed"], "signed_at")
        ],
        "platforms": _periods(data["platforms"], "joined_at", "left_at"),
        "named_votes": [
            {**v, "council": motions[v["motion"]].council.name if v["motion"] in motions else ""}
            for v in _periods(data["named_votes"], "cast_at")
        ],
        "digest": dict(DIGEST_CHOICES).get(data["digest"]["frequency"], data["digest"]["frequency"]),
        "tokens": _periods(data["tokens"], "created_at", "last_used_at", "revoked_at"),
        "record_entries": data["record_entries"],
    }


def _data_page(request: HttpRequest, erase_form: EraseForm, status: int = 200) -> HttpResponse:
    user = _me(request)
    context = {
        "data": _readable(queries.personal_data(user=user)),
        "refusals": queries.erasure_refusals(user=user, yourself=True),
        "erase_form": erase_form,
    }
    return render(request, "web/accounts/data.html", context, status=status)


@require_safe
@login_required
def my_data(request: HttpRequest) -> HttpResponse:
    """Everything the organisation keeps about me, and the way to have it erased once I have left."""
    return _data_page(request, EraseForm())


@require_safe
@login_required
def my_data_download(request: HttpRequest) -> JsonResponse:
    response = JsonResponse(queries.personal_data(user=_me(request)), json_dumps_params={"indent": 2})
    response["Content-Disposition"] = 'attachment; filename="my-data.json"'
    return response


@require_POST
@login_required
def erase_my_data(request: HttpRequest) -> HttpResponse:
    """Erase my personal data, once I have left: confirmed with my password; then I am logged out."""
    form = EraseForm(request.POST)
    if not form.is_valid():
        return _data_page(request, form, status=422)
    try:
        actions.erase_person(
            actor=_me(request),
            person=_me(request),
            reason="the member asked",
            password=form.cleaned_data["password"],
            now=timezone.now(),
        )
    except DomainError as exc:
        form.add_error("password" if exc.code == "bad_password" else None, exc.message)
        return _data_page(request, form, status=exc.status)
    logout(request)
    messages.success(request, _("Your personal data is erased and your account is closed."))
    return redirect("web:home")


class EnableTotpForm(CodeForm):
    pass


class DisableTotpForm(CodeForm):
    password = forms.CharField(
        label=gettext_lazy("Your password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def two_factor(request: HttpRequest) -> HttpResponse:
    """Turn the second factor on (scan, then confirm with a code) or off (password and code)."""
    user = _me(request)
    form: forms.Form
    if user.has_totp:
        form = DisableTotpForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                actions.disable_totp(
                    user=user, password=form.cleaned_data["password"], code=form.cleaned_data["code"]
                )
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("Two-factor authentication is off."))
                return redirect("web:account")
        status = 422 if request.method == "POST" else 200
        return render(request, "web/accounts/two_factor.html", {"form": form}, status=status)
    secret = request.session.get(SETUP_SECRET) or totp.new_secret()
    request.session[SETUP_SECRET] = secret
    form = EnableTotpForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.enable_totp(user=user, secret=secret, code=form.cleaned_data["code"])
        except DomainError as exc:
            form.add_error("code", exc.message)
        else:
            del request.session[SETUP_SECRET]
            messages.success(
                request, _("Two-factor authentication is on. You will be asked for a code when you log in.")
            )
            return redirect("web:account")
    uri = totp.provisioning_uri(user=user, secret=secret)
    context = {"form": form, "secret": secret, "qr_svg": totp.qr_svg(uri)}
    status = 422 if request.method == "POST" else 200
    return render(request, "web/accounts/two_factor.html", context, status=status)


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=100,
        help_text=gettext_lazy("What uses it, such as “laptop” or “branch backup script”."),
    )


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
@domain_errors
def api_tokens(request: HttpRequest) -> HttpResponse:
    """My API tokens; a new token is shown on this page once and never again."""
    form = TokenForm(request.POST if request.method == "POST" else None)
    new_token = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            _token, new_token = tokens.create_token(
                user=_me(request), name=form.cleaned_data["name"], now=timezone.now()
            )
            form = TokenForm()
        else:
            status = 422
    context = {"form": form, "new_token": new_token, "tokens": tokens.list_tokens(user=_me(request))}
    return render(request, "web/accounts/tokens.html", context, status=status)


@require_POST
@login_required
@domain_errors
def revoke_api_token(request: HttpRequest, token_id: UUID) -> HttpResponse:
    token = tokens.revoke_token(user=_me(request), token_uuid=token_id, now=timezone.now())
    messages.success(request, _("Token “%(name)s” is revoked.") % {"name": token.name})
    return redirect("web:api_tokens")


class InviteForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("E-mail address"))


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
@domain_errors
def invite(request: HttpRequest, council_id: UUID) -> HttpResponse:
    """A council's chair or secretary invites a person by e-mail."""
    council = federation_queries.access_council(viewer=request.user, council_uuid=council_id)
    permissions.require(request.user, "invite", council)
    form = InviteForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.invite_member(
                actor=_me(request),
                council=council,
                email=form.cleaned_data["email"],
                base_url=request.build_absolute_uri("/"),
                now=timezone.now(),
            )
        except DomainError as exc:
            form.add_error("email", exc.message)
        else:
            messages.success(
                request, _("Invitation sent to %(email)s.") % {"email": form.cleaned_data["email"]}
            )
            return redirect("web:invite", council_id=council.uuid)
    context = {
        "council": council,
        "form": form,
        "invitations": queries.list_invitations(council=council)[:50],
        "invitation_days": settings.COUNCILS_INVITATION_DAYS,
        "now": timezone.now(),
    }
    return render(request, "web/accounts/invite.html", context, status=422 if form.errors else 200)


@require_POST
@login_required
@domain_errors
def revoke_invitation(request: HttpRequest, council_id: UUID, invitation_id: UUID) -> HttpResponse:
    council = federation_queries.access_council(viewer=request.user, council_uuid=council_id)
    invitation = actions.revoke_invitation(
        actor=_me(request), invitation_uuid=str(invitation_id), now=timezone.now()
    )
    messages.success(request, _("The invitation to %(email)s is withdrawn.") % {"email": invitation.email})
    return redirect("web:invite", council_id=council.uuid)


class SignupForm(forms.Form):
    username = forms.CharField(
        label=gettext_lazy("Username"),
        max_length=150,
        help_text=gettext_lazy("For logging in. Letters, digits and @ . + - _ only."),
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
    )
    display_name = forms.CharField(
        label=gettext_lazy("Your name as other members see it"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    password1 = forms.CharField(
        label=gettext_lazy("Password"),
        help_text=gettext_lazy("At least 10 characters, not a common password and not only digits."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=gettext_lazy("Password again"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        password = cleaned.get("password1")
        if password and password != cleaned.get("password2"):
            self.add_error("password2", _("The two passwords differ."))
        elif password:
            # Checked again by the action; here so the errors sit by the password field.
            candidate = User(
                username=cleaned.get("username", ""), display_name=cleaned.get("display_name", "")
            )
            try:
                validate_password(password, candidate)
            except ValidationError as exc:
                self.add_error("password1", exc)
        return cleaned


@require_http_methods(["GET", "HEAD", "POST"])
def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    """Sign up through an invitation link; unknown, used and expired links get a page that says so."""
    now = timezone.now()
    try:
        invitation = actions.get_open_invitation(raw_token=token, now=now)
    except DomainError as exc:
        return render(
            request, "web/accounts/invitation_invalid.html", {"message": exc.message}, status=exc.status
        )
    council = Council.objects.filter(uuid=invitation.council_uuid).first()
    form = SignupForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            user = actions.accept_invitation(
                raw_token=token,
                username=form.cleaned_data["username"],
                display_name=form.cleaned_data["display_name"],
                password=form.cleaned_data["password1"],
                now=now,
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            login(request, user)
            messages.success(
                request,
                _(
                    "Welcome! You are a candidate member: you may speak now, "
                    "and vote once the council admits you."
                ),
            )
            return redirect("web:council", council_id=invitation.council_uuid)
    context = {"form": form, "invitation": invitation, "council": council}
    return render(request, "web/accounts/accept_invitation.html", context, status=422 if form.errors else 200)


urlpatterns = [
    path("login/", login_view, name="login"),
    path("login/code/", login_code, name="login_code"),
    path("logout/", require_POST(auth_views.LogoutView.as_view()), name="logout"),
    path("account/", account, name="account"),
    path("account/digest/", account_digest, name="account_digest"),
    path("account/data/", my_data, name="my_data"),
    path("account/data.json", my_data_download, name="my_data_download"),
    path("account/data/erase/", erase_my_data, name="erase_my_data"),
    path("account/two-factor/", two_factor, name="two_factor"),
    path("account/tokens/", api_tokens, name="api_tokens"),
    path("account/tokens/<uuid:token_id>/revoke/", revoke_api_token, name="api_token_revoke"),
    path(
        "account/password/",
        require_http_methods(["GET", "HEAD", "POST"])(
            auth_views.PasswordChangeView.as_view(
                template_name="web/accounts/password_change.html",
                success_url=reverse_lazy("web:password_change_done"),
            )
        ),
        name="password_change",
    ),
    path(
        "account/password/done/",
        require_safe(
            auth_views.PasswordChangeDoneView.as_view(template_name="web/accounts/password_change_done.html")
        ),
        name="password_change_done",
    ),
    path(
        "password-reset/",
        require_http_methods(["GET", "HEAD", "POST"])(
            auth_views.PasswordResetView.as_view(
                template_name="web/accounts/password_reset.html",
                email_template_name="web/accounts/password_reset_email.txt",
                subject_template_name="web/accounts/password_reset_subject.txt",
                success_url=reverse_lazy("web:password_reset_done"),
            )
        ),
        name="password_reset",
    ),
    path(
        "password-reset/sent/",
        require_safe(
            auth_views.PasswordResetDoneView.as_view(template_name="web/accounts/password_reset_done.html")
        ),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        require_http_methods(["GET", "HEAD", "POST"])(
            auth_views.PasswordResetConfirmView.as_view(
                template_name="web/accounts/password_reset_confirm.html",
                success_url=reverse_lazy("web:password_reset_complete"),
            )
        ),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/",
        require_safe(
            auth_views.PasswordResetCompleteView.as_view(
                template_name="web/accounts/password_reset_complete.html"
            )
        ),
        name="password_reset_complete",
    ),
    path("invite/<str:token>/", accept_invitation, name="invitation_accept"),
    path("councils/<uuid:council_id>/invite/", invite, name="invite"),
    path(
        "councils/<uuid:council_id>/invite/<uuid:invitation_id>/withdraw/",
        revoke_invitation,
        name="invitation_revoke",
    ),
]
