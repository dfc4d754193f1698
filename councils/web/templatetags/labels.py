"""Filters that turn the codes rows store into the words people read."""

from __future__ import annotations

import json
from typing import Protocol

from django import template
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from councils.mandates.models import Choice

register = template.Library()

# Every event the record holds, in words. Auditors still see the code beside them.
EVENT_LABELS: dict[str, Promise] = {
    "agenda.item_carried_over": _("Agenda item carried over"),
    "agenda.item_change_proposed": _("Change to a forced agenda item proposed"),
    "agenda.item_changed": _("Forced agenda item changed"),
    "agenda.item_forced": _("Agenda item forced by petition"),
    "agenda.item_placed": _("Forced item placed on an agenda"),
    "agenda.petition_backed": _("Council backed a congress petition"),
    "agenda.petition_expired": _("Agenda petition expired"),
    "agenda.petition_signed": _("Agenda petition signed"),
    "agenda.petition_started": _("Agenda petition started"),
    "agenda.support_proposed": _("Backing a congress petition proposed"),
    "ballot.cast": _("Secret ballot cast"),
    "constitution.adopted": _("Constitution adopted"),
    "constitution.amended": _("Constitution amended"),
    "constitution.amendment_proposed": _("Constitutional amendment proposed"),
    "constitution.amendment_refused": _("Constitutional amendment refused"),
    "constitution.amendment_rejected": _("Constitutional amendment rejected"),
    "council.created": _("Council created"),
    "council.formation_proposed": _("New council proposed"),
    "council.formation_signed": _("Consented to found a council"),
    "council.formation_consent_withdrawn": _("Consent to found a council withdrawn"),
    "council.formation_withdrawn": _("New council proposal withdrawn"),
    "council.formation_rejected": _("New council rejected"),
    "council.formation_refused": _("New council not formed"),
    "council.formed": _("New council formed"),
    "delegate.seated": _("Delegate seated"),
    "delegate.unseated": _("Delegate unseated"),
    "discipline.appeal_allowed": _("Discipline appeal allowed"),
    "discipline.appeal_dismissed": _("Discipline appeal dismissed"),
    "discipline.appeal_lodged": _("Discipline appeal lodged"),
    "discipline.appeal_vote_called": _("Vote on a discipline appeal called"),
    "discipline.charged": _("Member charged"),
    "discipline.defence_submitted": _("Defence submitted"),
    "discipline.dismissed": _("Discipline charge dismissed"),
    "discipline.heard": _("Discipline case heard"),
    "discipline.vote_called": _("Discipline vote called"),
    "discipline.vote_refused": _("Discipline vote set aside"),
    "discipline.withdrawn": _("Discipline charge withdrawn"),
    "election.ballot_cast": _("Election ballot cast"),
    "election.called": _("Election called"),
    "election.certified": _("Election certified"),
    "election.closed": _("Election poll closed"),
    "election.failed": _("Election failed"),
    "election.nominated": _("Candidate nominated"),
    "election.nomination_accepted": _("Nomination accepted"),
    "election.nomination_withdrawn": _("Nomination withdrawn"),
    "election.nominations_recorded": _("Paper nominations recorded"),
    "election.opened": _("Election poll opened"),
    "election.paper_ballots_recorded": _("Paper ballots recorded"),
    "election.recounted": _("Election recounted"),
    "federation.founded": _("Federation founded"),
    "invitation.revoked": _("Invitation revoked"),
    "invitation.sent": _("Invitation sent"),
    "mandate.adopted": _("Mandate adopted"),
    "mandate.proposed": _("Mandate proposed"),
    "mandate.roll_call_checked": _("Delegates' votes checked against their mandates"),
    "meeting.agenda_reordered": _("Agenda reordered"),
    "meeting.attended": _("Attendance recorded"),
    "meeting.closed": _("Meeting closed"),
    "meeting.floor_given": _("Floor given"),
    "meeting.item_added": _("Agenda item added"),
    "meeting.item_taken": _("Agenda item taken"),
    "meeting.item_withdrawn": _("Agenda item withdrawn"),
    "meeting.minutes_approved": _("Minutes approved"),
    "meeting.opened": _("Meeting opened"),
    "meeting.scheduled": _("Meeting scheduled"),
    "meeting.speaker_joined": _("Asked to speak"),
    "meeting.speaker_withdrawn": _("Taken off the speakers' list"),
    "member.admitted": _("Member admitted"),
    "member.candidate_started": _("Candidate period started"),
    "member.expelled": _("Member expelled"),
    "member.founding_enrolled": _("Founding member enrolled"),
    "member.invited_joined": _("Invited candidate joined"),
    "member.left": _("Member left"),
    "member.not_admitted": _("Candidate not admitted"),
    "member.reinstated": _("Member reinstated"),
    "member.suspended": _("Member suspended"),
    "member.transferred": _("Member transferred"),
    "membership.admission_approved": _("Admission approved"),
    "membership.admission_flagged": _("Admission flagged for approval above"),
    "membership.admission_vote_called": _("Admission vote called"),
    "membership.admission_vote_refused": _("Admission vote set aside"),
    "membership.applied": _("Membership applied for"),
    "membership.approval_vote_called": _("Vote to approve an admission called"),
    "membership.sponsored": _("Applicant sponsored"),
    "membership.transfer_requested": _("Transfer requested"),
    "membership.withdrawn": _("Application withdrawn"),
    "motion.amended": _("Motion amended"),
    "motion.amendment_proposed": _("Amendment proposed"),
    "motion.forwarded": _("Motion forwarded"),
    "motion.seconded": _("Motion seconded"),
    "motion.tabled": _("Motion tabled"),
    # Its mover's withdrawal, or an amendment's lapse with its motion: `entry_label` reads which.
    "motion.withdrawn": _("Motion withdrawn or lapsed"),
    "office.filled": _("Office filled"),
    "office.founding_filled": _("Founding officer appointed"),
    "office.pay_declared": _("Officer's pay declared"),
    "office.vacated": _("Office vacated"),
    "person.erased": _("A former member's personal data erased"),
    "personal.erased": _("Personal data erased"),
    "platform.document_published": _("Platform document published"),
    "platform.founded": _("Platform founded"),
    "platform.slate_published": _("Platform slate published"),
    "recall.decided": _("Recall decided"),
    "recall.petition_expired": _("Recall petition expired"),
    "recall.petition_started": _("Recall petition started"),
    "recall.signed": _("Recall petition signed"),
    "recall.vote_called": _("Recall vote called"),
    "record.key_rotated": _("Signing key rotated"),
    "record.restored": _("Record restored from a backup"),
    "report.due": _("Report back due"),
    "report.submitted": _("Report back submitted"),
    "vote.cast": _("Vote cast"),
    "vote.changed": _("Vote changed"),
    "vote.closed": _("Vote closed"),
    "vote.opened": _("Vote opened"),
}

# The kinds of entry the record pages filter by: the part of the code before the dot.
EVENT_FAMILY_LABELS: dict[str, Promise] = {
    "federation": _("Federation"),
    "council": _("Councils"),
    "constitution": _("Constitution"),
    "invitation": _("Invitations"),
    "member": _("Members"),
    "membership": _("Admissions"),
    "discipline": _("Discipline"),
    "office": _("Offices"),
    "delegate": _("Delegates"),
    "meeting": _("Meetings"),
    "agenda": _("Agendas and petitions"),
    "motion": _("Motions"),
    "vote": _("Votes"),
    "ballot": _("Secret ballots"),
    "election": _("Elections"),
    "platform": _("Platforms"),
    "recall": _("Recalls"),
    "mandate": _("Mandates"),
    "report": _("Reports back"),
    "record": _("The record itself"),
    "personal": _("Personal data"),
    "person": _("Erasures of former members"),
}


@register.filter
def vote_choice(code: str) -> str:
    """Yes, No or Abstain for a ballot's stored choice."""
    return str(Choice(code).label)


def event_label(code: str) -> str:
    """A record entry's event in words ("Vote closed" for vote.closed); the code if it has none."""
    return str(EVENT_LABELS.get(code, code))


class _Entry(Protocol):
    event: str
    data: bytes | memoryview | None


@register.filter
def entry_label(entry: _Entry) -> str:
    """A record entry's event in words, saying which end a motion's withdrawal entry records.

    `motion.withdrawn` records a mover's withdrawal or an amendment's lapse; as the replay reads it, the
    payload's reason `lapsed` is a lapse and anything else a withdrawal. Without its bytes, the event's
    own label.
    """
    if entry.event != "motion.withdrawn" or entry.data is None:
        return event_label(entry.event)
    if json.loads(bytes(entry.data))["payload"].get("reason") == "lapsed":
        return str(_("Amendment lapsed with its motion"))
    return str(_("Motion withdrawn"))
