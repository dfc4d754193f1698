"""Writes to accounts: invitations (recorded) and the second factor (never recorded).

Invitations change who belongs to a council, so they enter the record, by UUID
only: an e-mail address never does. Logins, sessions, tokens and second
factors are about proving who someone is and stay out of the record.
Erasing a former member's personal data is recorded, by their UUID only.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from councils.accounts import queries, totp
from councils.accounts.errors import (
    BadSecondFactorError,
    InvitationExpiredError,
    InvitationRevokedError,
    InvitationUsedError,
)
from councils.accounts.models import ApiToken, Invitation, User
from councils.core.errors import ConflictError, InvalidInputError, NotFoundError, PermissionDeniedError
from councils.core.ledger.replay import CASE_TEXTS
from councils.digests.models import DigestPreference
from councils.federation import actions as federation_actions
from councils.federation import permissions as federation_permissions
from councils.federation.models import Council
from councils.mandates.models import Notification
from councils.membership.models import Appeal, Application, Defence, DisciplineCase
from councils.record.actions import append_entry
from councils.record.models import Entry, PersonalDatum

# The start of the opaque username an erased account is given.
ERASED_PREFIX = "erased-"


def token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _send_invitation(*, email: str, council_name: str, link: str, expires_at: datetime) -> None:
    body = _(
        "You are invited to join %(council)s.\n\n"
        "Create your account here:\n%(link)s\n\n"
        "The link works once and until %(expires)s (UTC). If you did not expect this, ignore it."
    ) % {"council": council_name, "link": link, "expires": expires_at.strftime("%Y-%m-%d %H:%M")}
    send_mail(
        subject=_("Invitation to %(council)s") % {"council": council_name},
        message=body,
        from_email=None,
        recipient_list=[email],
    )


def invite_member(*, actor: User, council: Council, email: str, base_url: str, now: datetime) -> Invitation:
    """Invite a person by e-mail to a base council; the link is e-mailed once the invitation commits."""
    email = email.strip()
    try:
        validate_email(email)
    except ValidationError:
        raise InvalidInputError(_("Enter a valid e-mail address.")) from None
    with transaction.atomic():
        council = Council.objects.select_for_update().get(id=council.id)
        federation_permissions.require(actor, "invite", council)
        if not council.is_base:
            raise InvalidInputError(
                _("People are invited to a base council; higher councils seat delegates.")
            )
        if User.objects.filter(email__iexact=email, is_active=True).exists():
            raise ConflictError(_("Someone with that e-mail address already has an account."))
        if Invitation.objects.filter(
            email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
        ).exists():
            raise ConflictError(
                _("That address already has an invitation waiting; withdraw it first to send a new one.")
            )
        raw = secrets.token_urlsafe(32)
        invitation = Invitation.objects.create(
            council_uuid=council.uuid,
            email=email,
            token_hash=token_digest(raw),
            invited_by=actor,
            created_at=now,
            expires_at=now + timedelta(days=settings.COUNCILS_INVITATION_DAYS),
        )
        append_entry(
            event="invitation.sent",
            actor=actor,
            council=council,
            payload={"invitation": str(invitation.uuid), "council": str(council.uuid)},
            now=now,
        )
        link = base_url.rstrip("/") + reverse("web:invitation_accept", args=[raw])
        council_name = council.name
        transaction.on_commit(
            lambda: _send_invitation(
                email=email, council_name=council_name, link=link, expires_at=invitation.expires_at
            )
        )
    return invitation


def revoke_invitation(*, actor: User, invitation_uuid: str, now: datetime) -> Invitation:
    """Withdraw an invitation that has not been used, so its link stops working."""
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().filter(uuid=invitation_uuid).first()
        council = (
            Council.objects.filter(uuid=invitation.council_uuid).first() if invitation is not None else None
        )
        if invitation is None or council is None or not federation_permissions.can(actor, "invite", council):
            # Someone who may not manage a council's invitations learns nothing about them.
            raise NotFoundError(_("No such invitation."))
        if invitation.accepted_at is not None:
            raise InvitationUsedError(_("This invitation has already been used; it cannot be withdrawn."))
        if invitation.revoked_at is not None:
            raise ConflictError(_("This invitation is already withdrawn."))
        invitation.revoked_at = now
        invitation.save(update_fields=["revoked_at"])
        append_entry(
            event="invitation.revoked",
            actor=actor,
            council=council,
            payload={"invitation": str(invitation.uuid), "council": str(council.uuid)},
            now=now,
        )
    return invitation


def get_open_invitation(*, raw_token: str, now: datetime) -> Invitation:
    """The invitation a link stands for, or a clear refusal when it is unknown, used or expired."""
    invitation = Invitation.objects.filter(token_hash=token_digest(raw_token)).first()
    if invitation is None:
        raise NotFoundError(_("This invitation link is not valid. Check that you copied all of it."))
    _check_open(invitation, now)
    return invitation


def _check_open(invitation: Invitation, now: datetime) -> None:
    if invitation.revoked_at is not None:
        raise InvitationRevokedError(
            _("This invitation was withdrawn. Ask the council's chair or secretary for a new one.")
        )
    if invitation.accepted_at is not None:
        raise InvitationUsedError(_("This invitation has already been used. Log in instead."))
    if invitation.expires_at <= now:
        raise InvitationExpiredError(
            _("This invitation has expired. Ask the council's chair or secretary for a new one.")
        )


def accept_invitation(
    *, raw_token: str, username: str, display_name: str, password: str, now: datetime
) -> User:
    """Create the invited person's account and enrol them as a candidate member of the council."""
    username = username.strip()
    display_name = display_name.strip()
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().filter(token_hash=token_digest(raw_token)).first()
        if invitation is None:
            raise NotFoundError(_("This invitation link is not valid. Check that you copied all of it."))
        _check_open(invitation, now)
        council = Council.objects.select_for_update().filter(uuid=invitation.council_uuid).first()
        if council is None:
            raise NotFoundError(_("The council of this invitation no longer exists."))
        if User.objects.filter(email__iexact=invitation.email, is_active=True).exists():
            raise ConflictError(_("Someone with this invitation's e-mail address already has an account."))
        user = User(username=username, display_name=display_name, email=invitation.email)
        _validate_new_user(user, password)
        user.set_password(password)
        user.save()
        invitation.accepted_at = now
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        federation_actions.enrol_invited_member(
            invitation_uuid=str(invitation.uuid), user=user, council=council, now=now
        )
    return user


def _validate_new_user(user: User, password: str) -> None:
    if not user.username:
        raise InvalidInputError(_("Choose a username."))
    if not user.display_name:
        raise InvalidInputError(_("Say what name other members should see."))
    try:
        user.clean_fields(exclude=["password", "uuid"])
    except ValidationError as exc:
        raise InvalidInputError(" ".join(exc.messages)) from None
    if User.objects.filter(username__iexact=user.username).exists():
        raise ConflictError(_("That username is taken; choose another."))
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise InvalidInputError(" ".join(exc.messages)) from None


def enable_totp(*, user: User, secret: str, code: str) -> None:
    """Turn the second factor on once the person proves their app shows the right codes."""
    if user.has_totp:
        raise ConflictError(_("Two-factor authentication is already on."))
    if not totp.verify(secret=secret, code=code, user_key=str(user.uuid)):
        raise BadSecondFactorError(_("That code is not right. Check the time on your phone and try again."))
    User.objects.filter(id=user.id).update(totp_secret=secret, has_totp=True)
    user.totp_secret, user.has_totp = secret, True


def disable_totp(*, user: User, password: str, code: str) -> None:
    """Turn the second factor off; it takes both the password and a current code."""
    if not user.has_totp:
        raise ConflictError(_("Two-factor authentication is not on."))
    if not user.check_password(password):
        raise InvalidInputError(_("Your password is not right."), code="bad_password")
    if not totp.verify_user(user=user, code=code):
        raise BadSecondFactorError(_("That code is not right. Check the time on your phone and try again."))
    User.objects.filter(id=user.id).update(totp_secret="", has_totp=False)
    user.totp_secret, user.has_totp = "", False


def _case_commitments(case_uuids: set[str]) -> list[str]:
    found = []
    for data in Entry.objects.filter(event__in=CASE_TEXTS).values_list("data", flat=True):
        document = json.loads(bytes(data))
        payload = document["payload"]
        if payload.get("case") in case_uuids and payload.get(CASE_TEXTS[document["event"]]):
            found.append(payload[CASE_TEXTS[document["event"]]])
    return found


def _end_sessions(user: User, now: datetime) -> None:
    for session in Session.objects.filter(expire_date__gt=now):
        if session.get_decoded().get("_auth_user_id") == str(user.pk):
            session.delete()


@transaction.atomic
def erase_person(
    *, actor: User | None, person: User, reason: str, now: datetime, password: str | None = None
) -> User:
    """Erase the personal data of someone who has left: their case texts, statements and account details.

    `actor` None is the operator (`manage.py erase_person`); otherwise the person asks for themselves
    and confirms with their password. The User row stays, because the record and other rows refer to
    it, but it keeps only an opaque username and can no longer log in. The record keeps one
    `person.erased` entry with the commitments whose values were deleted; every hash stays valid.
    """
    person = User.objects.select_for_update().get(id=person.id)
    if actor is not None:
        if actor.id != person.id:
            raise PermissionDeniedError(
                _("Only the person themselves, or an operator, can erase their data.")
            )
        if password is None or not person.check_password(password):
            raise InvalidInputError(_("Your password is not right."), code="bad_password")
    reason = reason.strip()
    if not reason:
        raise InvalidInputError(_("Say why the data is erased (for example: the member asked)."))
    if person.username.startswith(ERASED_PREFIX) and not person.has_usable_password():
        raise ConflictError(_("This person's data has already been erased."))
    yourself = actor is not None
    refusals = queries.erasure_refusals(user=person, yourself=yourself)
    if refusals:
        prefix = _("Your data cannot be erased yet: ") if yourself else _("Their data cannot be erased yet: ")
        raise ConflictError(prefix + " ".join(refusals))
    cases = DisciplineCase.objects.select_for_update().filter(membership__user=person)
    case_uuids = {str(case.uuid) for case in cases}
    commitments = sorted(
        PersonalDatum.objects.filter(commitment__in=_case_commitments(case_uuids)).values_list(
            "commitment", flat=True
        )
    )
    PersonalDatum.objects.filter(commitment__in=commitments).delete()
    cases.update(charges="", hearing_notes="", texts_erased_at=now)
    Defence.objects.filter(case__membership__user=person).update(statement="", evidence=[])
    Appeal.objects.filter(case__membership__user=person).update(grounds="")
    Application.objects.filter(applicant=person).update(statement="")
    Invitation.objects.filter(accepted_by=person).update(email="")
    ApiToken.objects.filter(user=person).delete()
    DigestPreference.objects.filter(user=person).delete()
    Notification.objects.filter(user=person).delete()
    _end_sessions(person, now)
    person.username = ERASED_PREFIX + secrets.token_hex(8)
    person.first_name = person.last_name = person.display_name = person.email = ""
    person.totp_secret, person.has_totp = "", False
    person.is_active = person.is_staff = person.is_superuser = False
    person.last_login = None
    person.set_unusable_password()
    person.save()
    append_entry(
        event="person.erased",
        actor=actor,
        council=None,
        payload={"person": str(person.uuid), "commitments": commitments, "reason": reason},
        now=now,
    )
    return person
