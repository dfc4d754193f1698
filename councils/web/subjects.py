"""What each record entry on a page is about: its subject's title and page, read from the entry's ids.

The subjects of a page of entries are fetched in one query per kind, never one per entry, and only
those whose page the viewer may open: a subject in a council hidden from them, or gone, is not shown.
Titles are those the record itself holds (a motion's, an election's, a meeting's), which name nobody;
an application or a discipline case is named after its member only for those its own page names them
to, and otherwise is left to the motion that decides it. An office, a delegate's seat, a mandate and a
report back are named by what they are and whose (the council's), never by who holds them.
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

from councils.constitution import queries as constitution_queries
from councils.elections.models import Election
from councils.federation import queries as federation_queries
from councils.federation.models import Council, Office, Seat
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
    "invitation": (("council", "council"),),
    "member": (("case", "case"), ("application", "application")),
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


def _candidates(event: str, payload: dict[str, Any]) -> list[tuple[str, str]]:
    """The (kind, uuid) pairs the entry's payload names, in the order they would be its subject."""
    keys = (*_EVENT_KEYS.get(event, ()), *_FAMILY_KEYS.get(event.partition(".")[0], ()), *_COMMON_KEYS)
    candidates = []
    for key, kind in keys:
        try:
            candidates.append((kind, str(uuid_lib.UUID(payload[key]))))
        except (KeyError, TypeError, ValueError, AttributeError):
            continue
    return candidates


def subjects_of(entries: Iterable[Entry], *, viewer: Any, visible: Collection[int]) -> dict[int, Subject]:
    """Each entry's subject by entry id, for those whose subject the viewer may open.

    `visible` holds the ids of the councils the viewer may see (`record.queries.visible_council_ids`).
    """
    wanted: dict[int, list[tuple[str, str]]] = {}
    for entry in entries:
        document = json.loads(bytes(entry.data))
        payload = document.get("payload")
        if isinstance(payload, dict):
            wanted[entry.id] = _candidates(entry.event, payload)
    by_kind: dict[str, set[str]] = {}
    for candidates in wanted.values():
        for kind, uuid in candidates:
            by_kind.setdefault(kind, set()).add(uuid)
    if not by_kind:
        return {}
    found = {kind: _RESOLVERS[kind](uuids, viewer, visible) for kind, uuids in by_kind.items()}
    subjects = {}
    for entry_id, candidates in wanted.items():
        for kind, uuid in candidates:
            if uuid in found[kind]:
                subjects[entry_id] = found[kind][uuid]
                break
    return subjects


_Resolver = Callable[[set[str], Any, Collection[int]], dict[str, Subject]]


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
                "higher": p.seat.council.name,
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
            % {"council": s.from_council.name, "higher": s.council.name},
            reverse("web:mandates_council", args=[s.from_council.uuid]),
        )
        for s in seats
    }


def _mandates(uuids: set[str], viewer: Any, visible: Collection[int]) -> dict[str, Subject]:
    mandates = Mandate.objects.filter(uuid__in=uuids, council_id__in=visible).select_related(
        "council", "target_council"
    )
    return {
        str(m.uuid): Subject(
            _("Mandate of %(council)s in %(higher)s: %(choice)s")
            % {"council": m.council.name, "higher": m.target_council.name, "choice": m.get_choice_display()},
            reverse("web:mandates_council", args=[m.council.uuid]),
        )
        for m in mandates
    }


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
            % {"council": r.council.name, "higher": r.higher_council.name},
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
            title = _("%(who)s asks to transfer from %(from)s to %(council)s") % {
                "who": a.applicant.name,
                "from": a.transfer_from.council.name,
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
    "council": _councils,
    "platform": _platforms,
    "case": _cases,
    "application": _applications,
}
