"""Reads for digests: who may get one, and what a member's digest says.

A digest is built from the record entries of the councils the member takes
part in (all of which they may see) and the alerts addressed to them. Only
the events in DESCRIBED are shown, each as a line a member can read; a vote
is shown by its totals, never by who voted how, and nobody's contact
details appear.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from councils.accounts.models import User
from councils.accounts.names import told_apart
from councils.core.rules.digests import Period
from councils.digests.models import DigestPreference
from councils.elections.models import Candidacy, Election
from councils.federation.models import Council
from councils.federation.queries import list_participant_councils, list_participants, participant_council_ids
from councils.mandates.models import Mandate, RecallPetition
from councils.mandates.queries import list_notifications
from councils.meetings.models import Meeting
from councils.motions.models import Motion, Vote
from councils.petitions.models import AgendaPetition
from councils.record.models import Entry
from councils.record.queries import current_checkpoint_summary, entry_document
from councils.record.sequencer import latest_checkpoint


@dataclass(frozen=True)
class Line:
    at: datetime
    text: str
    # The entry's position in the record and its page, for the member to look up; none for an alert.
    index: int | None = None
    url: str = ""


@dataclass
class Section:
    council: Council
    url: str
    lines: list[Line]


@dataclass
class Digest:
    user: User
    frequency: str
    period: Period
    sections: list[Section]
    alerts: list[Line]
    # The record's latest checkpoint when the digest was built (current_checkpoint_summary).
    checkpoint: dict[str, Any] | None = None
    links: dict[str, str] = field(default_factory=dict)

    @property
    def is_empty(self) -> bool:
        return not self.alerts and not any(section.lines for section in self.sections)


def site_url(path: str) -> str:
    return settings.COUNCILS_SITE_URL + path


def preference_of(*, user: User) -> DigestPreference:
    """The member's saved preference, or an unsaved one holding the defaults."""
    try:
        return user.digest_preference
    except DigestPreference.DoesNotExist:
        return DigestPreference(user=user)


def list_recipients(*, user: User | None = None) -> QuerySet[User]:
    """Active accounts with an e-mail address that have not turned digests off (only `user`, if given)."""
    users = (
        User.objects.filter(is_active=True)
        .exclude(email="")
        .exclude(digest_preference__frequency=DigestPreference.Frequency.NEVER)
        .select_related("digest_preference")
        .order_by("id")
    )
    if user is not None:
        users = users.filter(id=user.id)
    return users


class _Names:
    """Titles and names of what a stretch of a council's entries refers to, fetched in one query per kind.

    People are named by name; given `told_apart_in`, a council the reader takes part in and so whose
    participants' usernames they read, two who share a name are told apart by them, as the minutes do:
    among everyone named and every participant, so that one Erin Walsh elected is not taken for another.
    """

    def __init__(self, payloads: Iterable[dict[str, Any]], *, told_apart_in: Council | None = None) -> None:
        wanted: dict[str, set[str]] = {}
        for payload in payloads:
            for key in ("motion", "vote", "election", "meeting", "petition", "mandate", "to_council"):
                if isinstance(payload.get(key), str):
                    wanted.setdefault(key, set()).add(payload[key])
            for elected in [*(payload.get("elected") or []), *(payload.get("withdrawn") or [])]:
                candidacy = elected.get("candidacy") if isinstance(elected, dict) else elected
                wanted.setdefault("candidacy", set()).add(str(candidacy))
            if isinstance(payload.get("delegate"), str):
                wanted.setdefault("person", set()).add(payload["delegate"])
        self.votes = {
            str(v.uuid): v
            for v in Vote.objects.filter(uuid__in=wanted.get("vote", ())).select_related("motion")
        }
        motions = wanted.get("motion", set()) | {str(v.motion.uuid) for v in self.votes.values()}
        self.motions = {
            str(m.uuid): m.title for m in Motion.objects.filter(uuid__in=motions).only("uuid", "title")
        }
        self.elections = _titles(Election, wanted.get("election"))
        self.meetings = _titles(Meeting, wanted.get("meeting"))
        self.agenda_petitions = _titles(AgendaPetition, wanted.get("petition"))
        self.recalls = {
            str(p.uuid): p.target.name
            for p in RecallPetition.objects.filter(uuid__in=wanted.get("petition", ())).select_related(
                "target"
            )
        }
        self.mandates = {
            str(m.uuid): m
            for m in Mandate.objects.filter(uuid__in=wanted.get("mandate", ())).select_related(
                "target_council"
            )
        }
        self.councils = {
            str(c.uuid): c.name
            for c in Council.objects.filter(uuid__in=wanted.get("to_council", ())).only("uuid", "name")
        }
        candidates = {
            str(c.uuid): c.candidate
            for c in Candidacy.objects.filter(uuid__in=wanted.get("candidacy", ())).select_related(
                "candidate"
            )
        }
        people = {str(u.uuid): u for u in User.objects.filter(uuid__in=wanted.get("person", ()))}
        named = {u.pk: u for u in [*candidates.values(), *people.values()]}
        labels = {u.pk: u.name for u in named.values()}
        if told_apart_in is not None and named:
            # A base council's every member, so read only what `User.name` and a label need.
            everyone = list_participants(council=told_apart_in).only(
                "username", "display_name", "first_name", "last_name"
            )
            among = [*named.values(), *(u for u in everyone if u.pk not in named)]
            labels.update((u.pk, label) for u, label in told_apart(named.values(), among=among))
        self.candidates = {key: labels[u.pk] for key, u in candidates.items()}
        self.people = {key: labels[u.pk] for key, u in people.items()}

    def motion(self, uuid: Any) -> str:
        return self.motions.get(str(uuid), _("a motion"))

    def elected(self, payload: dict[str, Any]) -> str:
        names = []
        for elected in payload.get("elected") or []:
            candidacy = elected.get("candidacy") if isinstance(elected, dict) else elected
            names.append(self.candidates.get(str(candidacy), _("a candidate")))
        return ", ".join(names) or _("nobody")


def _titles(model: Any, uuids: set[str] | None) -> dict[str, str]:
    if not uuids:
        return {}
    return {str(row.uuid): row.title for row in model.objects.filter(uuid__in=uuids).only("uuid", "title")}


def _when(value: Any) -> str:
    if not isinstance(value, str) or len(value) < 16:
        return ""
    return f"{value[:10]} {value[11:16]} UTC"


def _motion_tabled(p: dict[str, Any], n: _Names) -> str | None:
    if p.get("forwarded_from"):
        return _("Motion arrived from a council below: “%(title)s”.") % {"title": p.get("title", "")}
    kind = str(Motion.Kind(p["kind"]).label) if p.get("kind") in Motion.Kind.values else _("Motion")
    return _("%(kind)s tabled: “%(title)s”.") % {"kind": kind, "title": p.get("title", "")}


def _amendment_proposed(p: dict[str, Any], n: _Names) -> str | None:
    return _("Amendment “%(title)s” proposed to “%(motion)s”.") % {
        "title": p.get("title", ""),
        "motion": n.motion(p.get("motion")),
    }


def _amended(p: dict[str, Any], n: _Names) -> str | None:
    return _("“%(motion)s” was amended.") % {"motion": n.motion(p.get("motion"))}


def _withdrawn(p: dict[str, Any], n: _Names) -> str | None:
    if p.get("reason") == "lapsed":
        return _("Amendment “%(motion)s” lapsed.") % {"motion": n.motion(p.get("motion"))}
    return _("“%(motion)s” was withdrawn.") % {"motion": n.motion(p.get("motion"))}


def _forwarded(p: dict[str, Any], n: _Names) -> str | None:
    return _("“%(motion)s” was forwarded to %(council)s.") % {
        "motion": n.motion(p.get("motion")),
        "council": n.councils.get(str(p.get("to_council")), _("the council above")),
    }


def _vote_opened(p: dict[str, Any], n: _Names) -> str | None:
    method = _("secret ballot") if p.get("method") == "secret" else _("named vote")
    text = _("Vote opened on “%(motion)s” (%(method)s).") % {
        "motion": n.motion(p.get("motion")),
        "method": method,
    }
    if p.get("closes_at"):
        text += " " + _("It closes at %(when)s.") % {"when": _when(p["closes_at"])}
    return text


def _vote_closed(p: dict[str, Any], n: _Names) -> str | None:
    # Totals only: a named vote's roll call is on the vote's page, and a secret ballot has none.
    r = p.get("result") or {}
    outcome = {"adopted": _("adopted"), "rejected": _("rejected"), "no_quorum": _("no quorum")}.get(
        str(r.get("outcome")), str(r.get("outcome"))
    )
    return _(
        "Vote closed on “%(motion)s”: %(outcome)s. Yes %(yes)s, no %(no)s, abstain %(abstain)s; "
        "%(turnout)s of %(electorate)s voted."
    ) % {
        "motion": n.motion(p.get("motion")),
        "outcome": outcome,
        "yes": r.get("yes"),
        "no": r.get("no"),
        "abstain": r.get("abstain"),
        "turnout": r.get("turnout"),
        "electorate": r.get("electorate"),
    }


def _election_called(p: dict[str, Any], n: _Names) -> str | None:
    seats = int(p.get("seats") or 0)
    return ngettext(
        "Election called: “%(title)s” (%(seats)d seat).",
        "Election called: “%(title)s” (%(seats)d seats).",
        seats,
    ) % {"title": p.get("title", ""), "seats": seats}


def _election_opened(p: dict[str, Any], n: _Names) -> str | None:
    count = len(p.get("candidates") or [])
    return ngettext(
        "Voting opened in “%(title)s”: %(n)d candidate.",
        "Voting opened in “%(title)s”: %(n)d candidates.",
        count,
    ) % {"title": n.elections.get(str(p.get("election")), _("an election")), "n": count}


def _election_closed(p: dict[str, Any], n: _Names) -> str | None:
    return _("“%(title)s” counted: elected %(elected)s; %(turnout)s of %(electorate)s voted.") % {
        "title": n.elections.get(str(p.get("election")), _("an election")),
        "elected": n.elected(p),
        "turnout": p.get("turnout"),
        "electorate": p.get("electorate_size"),
    }


def _election_recounted(p: dict[str, Any], n: _Names) -> str | None:
    return _(
        "“%(title)s” was counted again without %(withdrawn)s, who no longer had a vote when the result "
        "was certified: %(elected)s elected."
    ) % {
        "title": n.elections.get(str(p.get("election")), _("an election")),
        "withdrawn": n.elected({"elected": p.get("withdrawn")}),
        "elected": n.elected(p),
    }


def _election_failed(p: dict[str, Any], n: _Names) -> str | None:
    title = {"title": n.elections.get(str(p.get("election")), _("an election"))}
    if p.get("reason") == "no_candidates":
        return (
            _(
                "“%(title)s” failed: every candidate withdrew or was withdrawn, so nobody was elected. "
                "The council may call a new election."
            )
            % title
        )
    return (
        _(
            "“%(title)s” failed: no ballots were cast, so nobody was elected. "
            "The council may call a new election."
        )
        % title
    )


def _election_certified(p: dict[str, Any], n: _Names) -> str | None:
    return _("Result of “%(title)s” certified: %(elected)s.") % {
        "title": n.elections.get(str(p.get("election")), _("an election")),
        "elected": n.elected(p),
    }


def _meeting_scheduled(p: dict[str, Any], n: _Names) -> str | None:
    return _("Meeting scheduled: “%(title)s”, %(when)s.") % {
        "title": p.get("title", ""),
        "when": _when(p.get("starts_at")),
    }


def _meeting_closed(p: dict[str, Any], n: _Names) -> str | None:
    count = int(p.get("attendance") or 0)
    return ngettext(
        "Meeting held: “%(title)s”, %(n)d present.", "Meeting held: “%(title)s”, %(n)d present.", count
    ) % {"title": n.meetings.get(str(p.get("meeting")), _("a meeting")), "n": count}


def _minutes_approved(p: dict[str, Any], n: _Names) -> str | None:
    return _("Minutes of “%(title)s” approved.") % {
        "title": n.meetings.get(str(p.get("meeting")), _("a meeting"))
    }


def _item_forced(p: dict[str, Any], n: _Names) -> str | None:
    if p.get("by") == "report_due":
        return _("A delegate's report back was forced onto the next meeting's agenda by the rules.")
    return _("Agenda petition “%(title)s” reached its threshold: it goes on the next meeting's agenda.") % {
        "title": n.agenda_petitions.get(str(p.get("petition")), _("an agenda petition"))
    }


def _item_withdrawn(p: dict[str, Any], n: _Names) -> str | None:
    texts = {
        "remove": _("By a vote of the body, a forced item was removed from the agenda of “%(title)s”."),
        "postpone": _(
            "By a vote of the body, a forced item on “%(title)s” was postponed to the next meeting."
        ),
        "merge": _("By a vote of the body, a forced item on “%(title)s” was merged with another item."),
    }
    text = texts.get(str(p.get("change")), _("A forced item was taken off the agenda of “%(title)s”."))
    return text % {"title": n.meetings.get(str(p.get("meeting")), _("a meeting"))}


def _recall_vote_called(p: dict[str, Any], n: _Names) -> str | None:
    return _(
        "The recall petition against %(holder)s reached its threshold: "
        "the recall vote is open until %(when)s."
    ) % {
        "holder": n.recalls.get(str(p.get("petition")), _("an office holder")),
        "when": _when(p.get("closes_at")),
    }


def _recall_decided(p: dict[str, Any], n: _Names) -> str | None:
    holder = n.recalls.get(str(p.get("petition")), _("an office holder"))
    if p.get("recalled"):
        return _("%(holder)s was recalled by the vote.") % {"holder": holder}
    return _("%(holder)s was not recalled: the recall vote failed.") % {"holder": holder}


def _roll_call_checked(p: dict[str, Any], n: _Names) -> str | None:
    if p.get("complied", True):
        return None
    mandate = n.mandates.get(str(p.get("mandate")))
    cast = p.get("cast")
    return _(
        "Mandate broken: %(delegate)s was instructed to vote %(instructed)s on “%(target)s” in %(council)s "
        "and %(did)s."
    ) % {
        "delegate": n.people.get(str(p.get("delegate")), _("a delegate")),
        "instructed": str(p.get("instructed", "")).upper(),
        "target": mandate.target_title if mandate else _("a motion"),
        "council": mandate.target_council.name if mandate else _("the council above"),
        "did": _("voted %(choice)s") % {"choice": str(cast).upper()} if cast else _("did not vote"),
    }


DESCRIBED: dict[str, Callable[[dict[str, Any], _Names], str | None]] = {
    "motion.tabled": _motion_tabled,
    "motion.amendment_proposed": _amendment_proposed,
    "motion.amended": _amended,
    "motion.withdrawn": _withdrawn,
    "motion.forwarded": _forwarded,
    "vote.opened": _vote_opened,
    "vote.closed": _vote_closed,
    "election.called": _election_called,
    "election.opened": _election_opened,
    "election.closed": _election_closed,
    "election.recounted": _election_recounted,
    "election.failed": _election_failed,
    "election.certified": _election_certified,
    "meeting.scheduled": _meeting_scheduled,
    "meeting.closed": _meeting_closed,
    "meeting.minutes_approved": _minutes_approved,
    "agenda.item_forced": _item_forced,
    "meeting.item_withdrawn": _item_withdrawn,
    "recall.vote_called": _recall_vote_called,
    "recall.decided": _recall_decided,
    "mandate.roll_call_checked": _roll_call_checked,
}


def list_council_lines(*, council: Council, period: Period, usernames: bool = False) -> list[Line]:
    """What the record shows happened in `council` during `period`, in record order.

    `usernames`: the reader takes part in the council, so people who share a name are told apart by them.
    """
    entries = list(
        Entry.objects.filter(
            council=council,
            event__in=DESCRIBED,
            created_at__gte=period.since,
            created_at__lt=period.until,
            sequence__isnull=False,
        )
        .select_related("sequence")
        .order_by("sequence__index")
    )
    documents = [entry_document(entry) for entry in entries]
    names = _Names(
        (document["payload"] for document in documents), told_apart_in=council if usernames else None
    )
    lines = []
    for entry, document in zip(entries, documents, strict=True):
        text = DESCRIBED[entry.event](document["payload"], names)
        if text is not None:
            index = entry.sequence.index
            url = site_url(reverse("web:record_entry", args=[index]))
            lines.append(Line(at=entry.created_at, text=text, index=index, url=url))
    return lines


def list_alerts(*, user: User, period: Period) -> list[Line]:
    """The alerts addressed to `user` during `period`, oldest first."""
    notifications = list_notifications(user=user).filter(
        created_at__gte=period.since, created_at__lt=period.until
    )
    return [
        Line(at=n.created_at, text=n.message)
        for n in sorted(notifications, key=lambda n: (n.created_at, n.id))
    ]


def build_digest(
    *,
    user: User,
    frequency: str,
    period: Period,
    council_lines: Callable[[Council, Period, bool], list[Line]] | None = None,
) -> Digest:
    """The digest of `period` for `user`, ending with the record's checkpoint as it is now.

    Pending entries are sequenced first, so the checkpoint quoted covers
    every line listed. `council_lines` lets a run share one council's lines
    among its members who read them alike: its participants, who read usernames, and the others
    (a suspended member), who do not.
    """
    latest_checkpoint(current=True)
    lines_of = council_lines or (
        lambda council, period, usernames: list_council_lines(
            council=council, period=period, usernames=usernames
        )
    )
    taking_part = {row["id"] for row in participant_council_ids(user=user)}
    sections = [
        Section(
            council=council,
            url=site_url(reverse("web:council", args=[council.uuid])),
            lines=lines_of(council, period, council.id in taking_part),
        )
        for council in list_participant_councils(user=user)
    ]
    return Digest(
        user=user,
        frequency=frequency,
        period=period,
        sections=sections,
        alerts=list_alerts(user=user, period=period),
        checkpoint=current_checkpoint_summary(),
        links={
            "site": settings.COUNCILS_SITE_URL,
            "record": site_url(reverse("web:record")),
            "account": site_url(reverse("web:account")),
            "alerts": site_url(reverse("web:notifications")),
        },
    )
