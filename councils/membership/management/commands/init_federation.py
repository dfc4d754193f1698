"""`manage.py init_federation`: found a federation, its councils, first officers and constitution."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from councils.core.wording import counted
from councils.membership.management.founding import FoundingError, found_federation, parse_plan

EXAMPLE = """\
[federation]
name = "Federation of Transport Workers' Councils"

[[councils]]
name = "National Congress"
type = "national"           # workplace, district, city, regional, national, other
visibility = "public"       # public, federation (default) or council
members_per_delegate = 50

[[councils]]
name = "Riverside Depot"
type = "workplace"          # workplace councils are base councils of members
parent = "National Congress"

[[officers]]
council = "Riverside Depot"
role = "chair"              # chair, secretary, credentials_officer, election_officer, treasurer, observer
username = "alice"
email = "alice@example.org"
display_name = "Alice Adeyemi"

[constitution]              # any setting left out keeps its default
sponsors_required = 2
hearing_notice_days = 14
amendment_threshold = "two_thirds"
pay_currency = "EUR"        # ISO 4217 code of officials' pay and the average member wage
"""


class Command(BaseCommand):
    help = (
        "Found a federation with its first councils, officers and constitution (interactive, or --from-file)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--from-file", metavar="constitution.toml", help="read everything from a TOML file"
        )
        parser.add_argument("--example", action="store_true", help="print an example TOML file and exit")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["example"]:
            self.stdout.write(EXAMPLE)
            return
        if options["from_file"]:
            path = Path(options["from_file"])
            try:
                text = path.read_text(encoding="utf-8")
            except OSError as exc:
                raise CommandError(f"Cannot read {path}: {exc.strerror}.") from None
        else:
            text = self._ask()
        try:
            plan = parse_plan(text)
            federation = found_federation(plan=plan, now=timezone.now())
        except FoundingError as exc:
            raise CommandError(
                "Nothing was created:\n" + "\n".join(f"  - {p}" for p in exc.problems)
            ) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Founded {federation.name} ({federation.uuid}) with "
                f"{counted(len(plan.councils), 'council', 'councils')}, "
                f"{len(plan.officers)} officers and constitution version 1."
            )
        )
        if plan.officers:
            self.stdout.write("Officers set their passwords with: manage.py changepassword USERNAME")
        self.stdout.write("Add founding members with: manage.py import_members FILE.csv")

    def _ask(self) -> str:
        """Ask the few questions a small organisation needs, and build the same TOML a file would hold."""

        def ask(prompt: str, default: str = "") -> str:
            suffix = f" [{default}]" if default else ""
            answer = input(f"{prompt}{suffix}: ").strip()
            return answer or default

        name = ask("Name of the federation")
        top = ask("Name of the top body (the council with no parent)", "National Congress")
        bases = [
            b.strip() for b in ask("Base councils of members, separated by commas").split(",") if b.strip()
        ]
        chair = ask("Username of the first chair of the top body (empty for none)")
        # JSON strings are valid TOML basic strings, quotes and apostrophes included.
        q = json.dumps
        lines = [f"[federation]\nname = {q(name)}\n", f'[[councils]]\nname = {q(top)}\ntype = "national"\n']
        for base in bases:
            lines.append(f'[[councils]]\nname = {q(base)}\ntype = "workplace"\nparent = {q(top)}\n')
        if chair:
            email = ask(f"E-mail of {chair}")
            lines.append(
                f'[[officers]]\ncouncil = {q(top)}\nrole = "chair"\n'
                f"username = {q(chair)}\nemail = {q(email)}\n"
            )
        return "\n".join(lines)
