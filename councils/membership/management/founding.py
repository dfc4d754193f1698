"""Founding a federation from a TOML file, and importing its founding members from CSV.

Both check everything first and write nothing when anything is wrong; the writes
go through the federation, constitution and membership actions, so the record
holds the founding exactly as it would hold any other decision.
"""

from __future__ import annotations

import csv
import io
import tomllib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from councils.accounts.models import User
from councils.constitution.actions import adopt_initial_constitution
from councils.core.errors import DomainError
from councils.core.rules.constitution import Constitution
from councils.core.rules.terms import add_months
from councils.federation import actions as federation_actions
from councils.federation.models import Council, Federation, Membership, Office
from councils.federation.queries import FIRST_VOTE_EVENTS
from councils.record.models import Entry

CSV_HEADER = ["username", "email", "display_name", "council"]


class FoundingError(Exception):
    """Everything wrong with a founding file, one problem a line."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class CouncilPlan:
    name: str
    kind: str
    parent: str | None
    is_base: bool
    visibility: str
    members_per_delegate: int


@dataclass
class OfficerPlan:
    council: str
    role: str
    username: str
    email: str
    display_name: str


@dataclass
class FederationPlan:
    name: str
    councils: list[CouncilPlan] = field(default_factory=list)
    officers: list[OfficerPlan] = field(default_factory=list)
    constitution: dict[str, Any] = field(default_factory=dict)


def _text(
    table: dict[str, Any], key: str, where: str, problems: list[str], default: str | None = None
) -> str:
    value = table.get(key, default)
    if not isinstance(value, str) or not value.strip():
        problems.append(f"{where}: `{key}` must be a non-empty string.")
        return ""
    return value.strip()


def parse_plan(text: str) -> FederationPlan:
    """Read and check a founding TOML document; raise FoundingError listing every problem."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise FoundingError([f"The file is not valid TOML: {exc}."]) from None
    problems: list[str] = []
    unknown = sorted(set(data) - {"federation", "councils", "officers", "constitution"})
    if unknown:
        problems.append(f"Unknown sections: {', '.join(unknown)}.")
    plan = FederationPlan(name=_text(data.get("federation", {}), "name", "[federation]", problems))
    if plan.name and Federation.objects.filter(name=plan.name).exists():
        problems.append(f"[federation]: a federation called {plan.name!r} already exists.")
    names: set[str] = set()
    for i, table in enumerate(data.get("councils", []), start=1):
        where = f"[[councils]] #{i}"
        name = _text(table, "name", where, problems)
        kind = table.get("type", "workplace")
        if kind not in Council.Kind.values:
            problems.append(f"{where}: unknown type {kind!r}; use one of {', '.join(Council.Kind.values)}.")
        parent = table.get("parent") or None
        is_base = table.get("base", kind == Council.Kind.WORKPLACE)
        visibility = table.get("visibility", Council.Visibility.FEDERATION)
        if visibility not in Council.Visibility.values:
            problems.append(f"{where}: unknown visibility {visibility!r}.")
        per = table.get("members_per_delegate", 50)
        if not isinstance(per, int) or isinstance(per, bool) or per < 1:
            problems.append(f"{where}: members_per_delegate must be a whole number of at least 1.")
            per = 1
        if name in names:
            problems.append(f"{where}: the name {name!r} is used twice; council names must be unique here.")
        names.add(name)
        plan.councils.append(CouncilPlan(name, kind, parent, bool(is_base), visibility, per))
    if not plan.councils:
        problems.append("[[councils]]: name at least the top council and one base council.")
    tops = [c for c in plan.councils if c.parent is None]
    if len(tops) != 1:
        problems.append(f"Exactly one council must have no parent (the top body); found {len(tops)}.")
    by_name = {c.name: c for c in plan.councils}
    for c in plan.councils:
        if c.parent is not None and c.parent not in by_name:
            problems.append(f"Council {c.name!r}: its parent {c.parent!r} is not in the file.")
        elif c.parent is not None and by_name[c.parent].is_base:
            problems.append(f"Council {c.name!r}: its parent {c.parent!r} is a base council of members.")
    if not any(c.is_base for c in plan.councils):
        problems.append("At least one council must be a base council of members (base = true).")
    for i, table in enumerate(data.get("officers", []), start=1):
        where = f"[[officers]] #{i}"
        officer = OfficerPlan(
            council=_text(table, "council", where, problems),
            role=_text(table, "role", where, problems),
            username=_text(table, "username", where, problems),
            email=table.get("email", ""),
            display_name=table.get("display_name", ""),
        )
        if officer.council and officer.council not in by_name:
            problems.append(f"{where}: no council called {officer.council!r} in the file.")
        if officer.role and officer.role not in Office.Role.values:
            problems.append(
                f"{where}: unknown role {officer.role!r}; use one of {', '.join(Office.Role.values)}."
            )
        problems.extend(f"{where}: {p}" for p in _user_problems(officer.username, officer.email))
        plan.officers.append(officer)
    constitution = data.get("constitution", {})
    try:
        Constitution.from_document({**constitution, "version": 1})
    except DomainError as exc:
        problems.append(f"[constitution]: {exc.message}")
    plan.constitution = {k: (str(v) if isinstance(v, float) else v) for k, v in constitution.items()}
    if problems:
        raise FoundingError(problems)
    return plan


def _user_problems(username: str, email: str) -> list[str]:
    problems = []
    try:
        UnicodeUsernameValidator()(username)
    except ValidationError:
        problems.append(f"{username!r} is not a valid username (letters, digits and @.+-_ only).")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            problems.append(f"{email!r} is not a valid e-mail address.")
    existing = User.objects.filter(username=username).first()
    if existing is not None and email and existing.email and existing.email.lower() != email.lower():
        problems.append(f"the username {username!r} belongs to another account.")
    return problems


def _user(username: str, email: str, display_name: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        # No password yet: the person sets one with `manage.py changepassword` or a reset link.
        user = User(username=username, email=email, display_name=display_name)
        user.set_unusable_password()
        user.save()
    return user


def _ordered(councils: list[CouncilPlan]) -> list[CouncilPlan]:
    done: set[str] = set()
    ordered: list[CouncilPlan] = []
    pending = list(councils)
    while pending:
        ready = [c for c in pending if c.parent is None or c.parent in done]
        if not ready:
            raise FoundingError(["The councils' parents form a loop."])
        for c in ready:
            ordered.append(c)
            done.add(c.name)
            pending.remove(c)
    return ordered


@transaction.atomic
def found_federation(*, plan: FederationPlan, now: datetime) -> Federation:
    """Create the federation, its councils, first officers and constitution version 1 through actions.

    The first officers serve the founding constitution's term from the founding, like anyone elected.
    """
    founding_rules = Constitution.from_document({**plan.constitution, "version": 1})
    term_ends_at = add_months(now, founding_rules.term_months)
    federation = federation_actions.create_federation(actor=None, name=plan.name, now=now)
    made: dict[str, Council] = {}
    for c in _ordered(plan.councils):
        made[c.name] = federation_actions.create_council(
            actor=None,
            federation=federation,
            name=c.name,
            kind=c.kind,
            parent=made[c.parent] if c.parent else None,
            is_base=c.is_base,
            visibility=c.visibility,
            members_per_delegate=c.members_per_delegate,
            now=now,
        )
    for o in plan.officers:
        federation_actions.appoint_founding_officer(
            actor=None,
            council=made[o.council],
            user=_user(o.username, o.email, o.display_name),
            role=o.role,
            term_ends_at=term_ends_at,
            now=now,
        )
    adopt_initial_constitution(actor=None, federation=federation, now=now, document=plan.constitution)
    return federation


def first_vote_held(federation: Federation) -> Entry | None:
    """The record entry of the federation's first vote or election, if there has been one."""
    return (
        Entry.objects.filter(event__in=FIRST_VOTE_EVENTS, council__federation=federation)
        .order_by("id")
        .first()
    )


@dataclass
class MemberRow:
    line: int
    username: str
    email: str
    display_name: str
    council: Council


def parse_members(text: str, *, federation: Federation) -> list[MemberRow]:
    """Check every row of a founding-members CSV; raise FoundingError naming each bad line."""
    reader = csv.reader(io.StringIO(text))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise FoundingError(["The file is empty; the first line must be: " + ",".join(CSV_HEADER)]) from None
    if header != CSV_HEADER:
        raise FoundingError(
            [f"Line 1: the header must be exactly {','.join(CSV_HEADER)}, not {','.join(header)}."]
        )
    councils = {c.name: c for c in Council.objects.filter(federation=federation)}
    members = set(Membership.objects.filter(ended_at__isnull=True).values_list("user__username", flat=True))
    rows: list[MemberRow] = []
    problems: list[str] = []
    seen: dict[str, int] = {}
    for line, raw in enumerate(reader, start=2):
        if not any(cell.strip() for cell in raw):
            continue
        if len(raw) != len(CSV_HEADER):
            problems.append(f"Line {line}: expected {len(CSV_HEADER)} columns, found {len(raw)}.")
            continue
        username, email, display_name, council_name = (cell.strip() for cell in raw)
        line_problems = _user_problems(username, email) if username else ["the username is empty."]
        if not email:
            line_problems.append("the e-mail address is empty.")
        if len(display_name) > 150:
            line_problems.append("the display name is longer than 150 characters.")
        council = councils.get(council_name)
        if council is None:
            line_problems.append(f"no council called {council_name!r} in {federation.name}.")
        elif not council.is_base:
            line_problems.append(f"{council_name!r} is not a base council; members join base councils.")
        if username in seen:
            line_problems.append(f"{username!r} already appears on line {seen[username]}.")
        if username in members:
            line_problems.append(f"{username!r} is already a member of a council.")
        seen.setdefault(username, line)
        problems.extend(f"Line {line}: {p}" for p in line_problems)
        if not line_problems:
            assert council is not None
            rows.append(MemberRow(line, username, email, display_name, council))
    if problems:
        raise FoundingError(problems)
    return rows


@transaction.atomic
def import_founding_members(*, federation: Federation, rows: list[MemberRow], now: datetime) -> int:
    """Enrol every row as a founding member in one transaction; refuse after the first vote."""
    Federation.objects.select_for_update().get(id=federation.id)
    held = first_vote_held(federation)
    if held is not None:
        raise FoundingError([refusal_after_first_vote(held)])
    for row in rows:
        user = _user(row.username, row.email, row.display_name)
        federation_actions.add_founding_member(actor=None, council=row.council, user=user, now=now)
    return len(rows)


def refusal_after_first_vote(entry: Entry) -> str:
    return (
        f"The federation held its first vote on {entry.created_at:%Y-%m-%d}, so founding imports are closed. "
        "New members now join through admission: an application, sponsors, a candidate period and a vote "
        "of their council (see docs/operating.md)."
    )
