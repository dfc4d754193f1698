"""Erase the personal data of someone who has left, at their request: the right to be forgotten."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from councils.accounts import actions
from councils.accounts.models import User
from councils.core.errors import DomainError


class Command(BaseCommand):
    help = (
        "Erase a former member's personal data: the texts of their discipline cases, their statements, "
        "and their account's name, e-mail and logins. The account stays under an opaque username and "
        "the record keeps one person.erased entry; every hash stays valid."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="the username of the person whose data is erased")
        parser.add_argument("--reason", required=True, help="why, for the record (e.g. 'the member asked')")
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    def handle(self, *args: Any, **options: Any) -> None:
        person = User.objects.filter(username=options["username"]).first()
        if person is None:
            raise CommandError(f"No account has the username {options['username']!r}.")
        if not options["yes"]:
            try:
                answer = input(
                    f"Erase the personal data of {person.username} ({person.uuid})? This cannot be undone. "
                    "Type the username to confirm: "
                )
            except EOFError:
                answer = ""
            if answer.strip() != person.username:
                raise CommandError("Not confirmed; nothing was erased.")
        try:
            erased = actions.erase_person(
                actor=None, person=person, reason=options["reason"], now=timezone.now()
            )
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            f"The personal data of {person.uuid} is erased; the account is now {erased.username} "
            "and cannot log in."
        )
