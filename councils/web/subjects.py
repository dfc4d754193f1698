"""What each record entry on a page is about: its subject's title and page, read from the entry's ids.

The subjects of a page of entries are fetched in one query per kind, never one per entry, and only
those whose page the viewer may open: a subject in a council hidden from them, or gone, is not shown.
Titles are those the record itself holds (a motion's, an election's, a meeting's), which name nobody;
an application, a discipline case or a membership is named after its member only for those its own
page names them to, and otherwise is left to the motion that decides it (a member's comings and
goings, to their council). An office, a delegate's seat, a mandate and a report back are named by what
they are and whose (the council's), never by who holds them. Another council a subject concerns (the
council above a delegate, the council a member transfers from) is named only to those who may open its
page, and otherwise said in words. What has no page of its own (the federation, erased personal data)
is said in words, without a link.
"""

from __future__ import annotations

import json
import uuid as uuid_lib
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from councils.accounts.names import told_apart
from councils.constitution import queries as constitution_queries
from councils.elections.models import Election
from councils.federation import queries as federation_queries
from councils.federation.models import Council, Membership, Office, Seat
from councils.mandates.models import Mandate, RecallPetition, ReportDue
from councils.meetings.models import Meeting
from councils.membership.models import Application, DisciplineCase, Formation
from councils.motions.models import Motion, Vote
from councils.petitions.models import AgendaPetition
from councils.platforms.models import Platform
from councils.record.models import Entry


@dataclass(frozen=True)
class Subject:
    title: str
    # Empty where the subject has no page the viewer may open.
    url: str


# The payload keys naming an entry's subject, most telling first, and the kind of thing each names.
# A family's own keys come before the ones any entry may carry ("petition" is an agenda petition in
# `agenda` entries and a recall petition in `recall` ones).
_FAMILY_KEYS: dict[str, tuple[tuple[str, str], ...]] = {
    # An item forced onto an agenda by a report back owed names the report, not a petition.
    "agenda": (("petition", "petition"), ("report", "report")),
    "constitution": (("federation", "constitution"),),
    "council": (("formation", "formation"), ("council", "council")),
    "delegate": (("seat", "seat"),),
    "discipline": (("case", "case"),),
    "federation": (("federation", "federation"),),
    "invitation": (("council", "council"),),
    # A member who joined through a proposal to form a council moved with it.
    "member": (("case", "case"), ("application", "application"), ("formation", "formation")),
    "membership": (("application", "application"),),
    "office": (("office", "office"),),
    "platform": (("platform", "platform"),),
    "recall": (("petition", "recall"),),
    "report": (("report", "report"),),
}
_EVENT_KEYS: dict[str, tuple[tuple[str, str], ...]] = {
    # The amendment proposed is a motion of its own, with its own page.
    "motion.amendment_proposed": (("amendment", "motion"),),
    # A mandate proposed or adopted is about the motion that decides it; its roll call, about the mandate.
    "mandate.roll_call_checked": (("mandate", "mandate"),),
}
_COMMON_KEYS = (("meeting", "meeting"), ("election", "election"), ("motion", "motion"), ("vote", "vote"))
# Tried after the common keys: a member's comings and goings are about their membership, named only to
# those the council's member list names them to, and otherwise about their council (the entry's).
_LAST_KEYS: dict[str, tuple[tuple[str, str], ...]] = {
    "member": (("membership", "membership"), ("@council", "council")),
}


def _plain_subjects() -> dict[str, Subject]:
    """The subjects said in words, for the entries whose subject has no page of its own or none to show."""
    record = reverse("web:record")
    return {
        "federation.founded": Subject(_("Federation"), ""),
        "personal.erased": Subject(_("Personal data"), ""),
        "person.erased": Subject(_("A former member"), ""),
        # The federation's record shows the latest checkpoint and the key that signs it.
        "record.key_rotated": Subject(_("Record key"), record + "#record-key"),
        "record.restored": Subject(_("Signed checkpoint"), record + "#checkpoint"),
    }


def _candidates(event: str, document: dict[str, Any]) -> list[tuple[str, str]]:
    """The (kind, uuid) pairs the entry names, in the order they would be its subject.

    A key is read from the payload; "@council" is the entry's own council.
    """
    family = event.partition(".")[0]
    keys = (
        *_EVENT_KEYS.get(event, ()),
        *_FAMILY_KEYS.get(family, ()),
        *_COMMON_KEYS,
        *_LAST_KEYS.get(family, ()),
    )
    payload = document.get("payload")
    if not isinstance(payload, dict):
        return []
    candidates = []
    for key, kind in keys:
        try:
            value = document["council"] if key == "@council" else payload[key]
            candidates.append((kind, str(uuid_lib.UUID(value))))
        except (KeyError, TypeError, ValueError, AttributeError):
            continue
    return candidates


def subjects_of(entries: Iterable[Entry], *, viewer: Any, visible: Collection[int]) -> dict[int, Subject]:
    """Each entry's subject by entry id, for those whose subject the viewer may open.

    `visible` holds the ids of the councils the viewer may see (`record.queries.visible_council_ids`).
    """
    wanted: dict[int, tuple[str, list[tuple[str, str]]]] = {}
    for entry in entries:
        document = json.loads(bytes(entry.data))
        if isinstance(document, dict):
            wanted[entry.id] = (entry.event, _candidates(entry.event, document))
    by_kind: dict[str, set[str]] = {}
    for _event, candidates in wanted.values():
        for kind, uuid in candidates:
            by_kind.setdefault(kind, set()).add(uuid)
    found = {kind: _RESOLVERS[kind](uuids, viewer, visible) for kind, uuids in by_kind.items()}
    plain = _plain_subjects()
    subjects = {}
    for entry_id, (event, candidates) in wanted.items():
        subject = next(
            (found[kind][uuid] for kind, uuid in candidates if uuid in found[kind]), plain.get(event)
        )
        if subject is not None:
            subjects[entry_id] = subject
    return subjects


_Resolver = Callable[[set[str], Any, Collection[int]], dict[str, Subject]]


def _above(council: Council, visible: Collection[int]) -> str:
    """The council above, by name to those who may see it: its page would tell nobody else its name."""
    return council.name if council.id in visible else _("the council above")


def _titled(model: type[Motion | Election | Meeting | AgendaPetition], view: str) -> _Resolver:
    """The resolver of a kind that is named by its own title and belongs to one council."""

    def resolve(uuids: set[str], viewer: Any, visible: Collection[int]) -> dict[str, Subject]:
        rows = model.objects.filter(uuid__in=uuids, council_id__in=visible).values_list("uuid", "title")
        return {str(u): Subject(title, reverse(view, args=[u])) for u, title in rows}

    return resolve


def _votes(uuids: set[str], viewer: Any, visible: Collection[int]) -> dict[str, Subject]:
    rows = Vote.objects.filter(uuid__in=uuids, motion__council_id__in=visible).values_list(
        "uuid", "motion__uuid", "motion__title"
    )
    return {str(u): Subject(title, reverse("web:motion", args=[m])) for u, m, title in rows}


def _recalls(uuids: set[str], viewer: Any, visible: Collection[int]) -> dict[str, Subject]:
    # Named by what is recalled, as the recall vote's motion is: the holder's name stays on its page.
    petitions = RecallPetition.objects.filter(uuid__in=uuids, council_id__in=visible).select_related(
        "council", "seat__council", "office"
    )
    subjects = {}
    for p in petitions:
        if p.seat is not None:
            title = _("Recall of the delegate of %(council)s to %(higher)s") % {
                "council": p.council.name,
                "higher": _above(p.seat.council, visible),
            }
        elif p.office is not None:
            title = _("Recall of the %(role)s of %(council)s") % {
                "role": p.office.get_role_display().lower(),
                "council": p.council.name,
            }
        else:
            continue
        subjects[str(p.uuid)] = Subject(title, reverse("web:recall", args=[p.uuid]))
    return subjects


def _offices(uuids: set[str], viewer: Any, visible: Collection[int]) -> dict[str, Subject]:
    # Its holder and pay are on the council's register of offices, public to whoever may see the council.
    offices = Office.objects.filter(uuid__in=uuids, council_id__in=visible).select_related("council")
    return {
        str(o.uuid): Subject(
            _("%(role)s of %(council)s") % {"role": o.get_role_display(), "council": o.council.name},
            reverse("web:register", args=[o.council.uuid]),
        )
        for o in offices
    }


def _seats(uuids: set[str], viewer: Any, visible: Collection[int]) -> dict[str, Subject]:
    # Seen, as a recall of it is, by whoever may see the council that sent the delegate, on whose
    # accountability page its roll calls and reports are.
    seats = Seat.objects.filter(uuid__in=uuids, from_council_id__in=visible).select_related(
        "council", "from_council"
    )
    return {
        str(s.uuid): Subject(
            _("Delegate of %(council)s to %(higher)s")
            % {"council": s.from_council.name, "higher": _above(s.council, visible)},
            reverse("web:mandates_council", args=[s.from_council.uuid]),
        )
        for s in seats
    }


def _mandates(uuids: set[str], viewer: Any, visible: Collection[int]) -> dict[str, Subject]:
    # Named by the motion of the council above that it instructs on, to whoever may see that council.
    mandates = Mandate.objects.filter(uuid__in=uuids, council_id__in=visible).select_related(
        "council", "target_council"
    )
    subjects = {}
    for m in mandates:
        names = {"council": m.council.name, "choice": m.get_choice_display()}
        if m.target_council_id in visible and m.target_title:
            title = _("Mandate of %(council)s on “%(motion)s”: %(choice)s") % {
                **names,
                "motion": m.target_title,
            }
        else:
            title = _("Mandate of %(council)s in %(higher)s: %(choice)s") % {
                **names,
                "higher": _above(m.target_council, visible),
            }
        subjects[str(m.uuid)] = Subject(title, reverse("web:mandates_council", args=[m.council.uuid]))
    return subjects


def _reports(uuids: set[str], viewer: Any, visible: Collection[int]) -> dict[str, Subject]:
    # A report's own page asks a visitor to log in first.
    if not getattr(viewer, "is_authenticated", False):
        return {}
    reports = ReportDue.objects.filter(uuid__in=uuids, council_id__in=visible).select_related(
        "council", "higher_council"
    )
    return {
        str(r.uuid): Subject(
            _("Report back of the delegate of %(council)s to %(higher)s")
            % {"council": r.council.name, "higher": _above(r.higher_council, visible)},
            reverse("web:report", args=[r.uuid]),
        )
        for r in reports
    }


def _constitutions(uuids: set[str], viewer: Any, visible: Collection[int]) -> dict[str, Subject]:
    rows = (
        constitution_queries.federations_for(viewer=viewer).filter(uuid__in=uuids).values_list("uuid", "name")
    )
    return {
        str(u): Subject(
            _("Constitution of %(federation)s") % {"federation": name},
            f"{reverse('web:constitution')}?federation={u}",
        )
        for u, name in rows
    }


def _federations(uuids: set[str], viewer: Any, visible: Collection[int]) -> dict[str, Subject]:
    # It has no page of its own; its name, to those who may read its constitution.
    rows = (
        constitution_queries.federations_for(viewer=viewer).filter(uuid__in=uuids).values_list("uuid", "name")
    )
    return {str(u): Subject(name, "") for u, name in rows}


def _formations(uuids: set[str], viewer: Any, visible: Collection[int]) -> dict[str, Subject]:
    rows = Formation.objects.filter(uuid__in=uuids, parent_id__in=visible).values_list("uuid", "name")
    return {
        str(u): Subject(_("Proposal to form %(name)s") % {"name": name}, reverse("web:formation", args=[u]))
        for u, name in rows
    }


def _councils(uuids: set[str], viewer: Any, visible: Collection[int]) -> dict[str, Subject]:
    rows = Council.objects.filter(uuid__in=uuids, id__in=visible).values_list("uuid", "name")
    return {str(u): Subject(name, reverse("web:council", args=[u])) for u, name in rows}


def _platforms(uuids: set[str], viewer: Any, visible: Collection[int]) -> dict[str, Subject]:
    rows = Platform.objects.filter(
        uuid__in=uuids, federation__in=federation_queries.federations_of(user=viewer).values("id")
    ).values_list("uuid", "name")
    return {str(u): Subject(name, reverse("web:platform", args=[u])) for u, name in rows}


def _cases(uuids: set[str], viewer: Any, visible: Collection[int]) -> dict[str, Subject]:
    # Those `membership.permissions` lets the viewer see: the accused, and the participants of the
    # council deciding it or of a council hearing its appeal. Its page names the accused to them.
    if not getattr(viewer, "is_authenticated", False):
        return {}
    taking_part = federation_queries.participant_council_ids(user=viewer)
    cases = (
        DisciplineCase.objects.filter(uuid__in=uuids)
        .filter(Q(membership__user=viewer) | Q(council__in=taking_part) | Q(appeals__council__in=taking_part))
        .select_related("membership__user")
        .distinct()
    )
    return {
        str(c.uuid): Subject(
            _("Charges against %(who)s: %(penalty)s sought")
            % {"who": c.membership.user.name, "penalty": c.get_penalty_display()},
            reverse("web:case", args=[c.uuid]),
        )
        for c in cases
    }


# What a member's label and their council's link need, of every member of the councils named.
_MEMBER_FIELDS = (
    "uuid",
    "council__uuid",
    "council__name",
    "user__username",
    "user__display_name",
    "user__first_name",
    "user__last_name",
)


def _memberships(uuids: set[str], viewer: Any, visible: Collection[int]) -> dict[str, Subject]:
    # Those the council page's member list names to the viewer, as it names them: while the membership
    # lasts, to the council's participants, told apart from a namesake among its members.
    if not getattr(viewer, "is_authenticated", False):
        return {}
    councils = Membership.objects.filter(uuid__in=uuids, ended_at__isnull=True).values("council_id")
    members = (
        Membership.objects.filter(council__in=councils, ended_at__isnull=True)
        .filter(council__in=federation_queries.participant_council_ids(user=viewer))
        .select_related("user", "council")
        .only(*_MEMBER_FIELDS)
    )
    by_council: dict[int, list[Membership]] = {}
    for m in members:
        by_council.setdefault(m.council_id, []).append(m)
    subjects = {}
    for council_members in by_council.values():
        listed = [m for m in council_members if str(m.uuid) in uuids]
        labels = told_apart((m.user for m in listed), among=(m.user for m in council_members))
        for m, (_user, label) in zip(listed, labels, strict=True):
            subjects[str(m.uuid)] = Subject(
                _("Membership of %(who)s in %(council)s") % {"who": label, "council": m.council.name},
                reverse("web:council", args=[m.council.uuid]) + "#members",
            )
    return subjects


def _applications(uuids: set[str], viewer: Any, visible: Collection[int]) -> dict[str, Subject]:
    # Those `membership.permissions` lets the viewer see: the applicant, the participants of the
    # council applied to and, for a flagged admission, of the council above. Its page names the applicant.
    if not getattr(viewer, "is_authenticated", False):
        return {}
    taking_part = federation_queries.participant_council_ids(user=viewer)
    applications = (
        Application.objects.filter(uuid__in=uuids)
        .filter(
            Q(applicant=viewer)
            | Q(council__in=taking_part)
            | Q(is_flagged=True, council__parent__in=taking_part)
        )
        .select_related("applicant", "council", "transfer_from__council")
    )
    subjects = {}
    for a in applications:
        if a.transfer_from is not None:
            # The applicant may come from a council the viewer may not see (the council above's officers
            # see a flagged transfer from anywhere).
            source = a.transfer_from.council
            title = _("%(who)s asks to transfer from %(from)s to %(council)s") % {
                "who": a.applicant.name,
                "from": source.name if source.id in visible else _("another council"),
                "council": a.council.name,
            }
        else:
            title = _("%(who)s applies to join %(council)s") % {
                "who": a.applicant.name,
                "council": a.council.name,
            }
        subjects[str(a.uuid)] = Subject(title, reverse("web:application", args=[a.uuid]))
    return subjects


_RESOLVERS: dict[str, _Resolver] = {
    "motion": _titled(Motion, "web:motion"),
    "vote": _votes,
    "election": _titled(Election, "web:election"),
    "meeting": _titled(Meeting, "web:meeting"),
    "petition": _titled(AgendaPetition, "web:petition"),
    "recall": _recalls,
    "office": _offices,
    "seat": _seats,
    "mandate": _mandates,
    "report": _reports,
    "constitution": _constitutions,
    "formation": _formations,
    "federation": _federations,
    "membership": _memberships,
    "council": _councils,
    "platform": _platforms,
    "case": _cases,
    "application": _applications,
}
