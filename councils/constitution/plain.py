"""The constitution in plain language: one sentence per rule, grouped as members read it."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from councils.core.rules.constitution import Constitution
from councils.core.rules.currencies import format_amount
from councils.core.rules.polls import span

THRESHOLD_WORDS = {
    "simple": "a simple majority of the votes cast",
    "absolute": "an absolute majority of all members entitled to vote",
    "two_thirds": "two thirds of the votes cast",
    "three_fifths": "three fifths of the votes cast",
}

# Short names for the settings, used when two versions are compared.
LABELS = {
    "sponsors_required": "Sponsors a new member needs",
    "sponsor_min_months": "Months of full membership a sponsor needs",
    "candidate_period_days": "Days of candidate membership before the admission vote",
    "admission_surge_share": "Share of a council's size that may be admitted in a window before the parent "
    "council must approve",
    "admission_surge_days": "Days in that window",
    "admission_poll_min_days": "Days an admission vote, or the approval of a flagged admission, stays open "
    "at least",
    "admission_poll_max_days": "Days an admission vote, or the approval of a flagged admission, may stay "
    "open at most",
    "formation_min_members": "Founding members a new base council needs",
    "formation_interim_days": "Days a new base council's interim chair serves before its own elections",
    "recall_signature_share": "Share of members whose signatures force a recall vote",
    "recall_window_days": "Days a recall petition may collect signatures",
    "recall_vote_within_days": "Days within which a recall vote must be held",
    "agenda_petition_share": "Share of members whose petition forces an agenda item",
    "agenda_petition_councils": "Councils whose petition forces an agenda item above",
    "meeting_notice_hours": "Hours of notice before a meeting",
    "meeting_quorum_share": "Share of voters who must be present before a meeting takes business",
    "discipline_threshold": "Majority needed to discipline a member",
    "hearing_notice_days": "Days of notice before a disciplinary hearing",
    "appeal_window_days": "Days to appeal a disciplinary decision",
    "discipline_poll_min_days": "Days a vote on charges or on an appeal stays open at least",
    "discipline_poll_max_days": "Days a vote on charges or on an appeal may stay open at most",
    "term_months": "Months in an officer's or delegate's term",
    "max_consecutive_terms": "Consecutive terms allowed",
    "rotation_gap_terms": "Terms to sit out after the limit",
    "report_back_days": "Days within which a delegate reports back",
    "election_poll_min_minutes": "Minutes an election's poll stays open at least",
    "election_poll_max_days": "Days an election's poll may stay open at most",
    "term_election_lead_days": "Days before a term ends that the rules call the election for the next",
    "term_nomination_days": "Days nominations stay open in an election the rules call",
    "term_poll_days": "Days a poll the rules open stays open",
    "average_member_wage": "Declared average member wage",
    "pay_cap_share": "Share of that wage officials' pay is capped at",
    "pay_currency": "Currency of that wage and of officials' pay (ISO 4217 code)",
    "amendment_threshold": "Majority needed to change the constitution",
}


def percent(share: object) -> str:
    return f"{(float(str(share)) * 100):g}%"


def explain(c: Constitution) -> list[tuple[str, list[str]]]:
    """Each section's title and its rules as sentences."""
    cap = c.pay_cap
    return [
        (
            _("Joining"),
            [
                _(
                    "A new member applies to a workplace council and needs %(n)d sponsors who have been "
                    "full members of that council for at least %(m)d months."
                )
                % {"n": c.sponsors_required, "m": c.sponsor_min_months},
                _(
                    "Sponsored applicants are candidate members for %(d)d days: they may speak but not "
                    "vote. Then the council votes on their admission."
                )
                % {"d": c.candidate_period_days},
                _(
                    "If more than %(p)s of a council's size apply within %(d)d days, the extra admissions "
                    "are flagged and the council above must approve them too; a council with nothing above "
                    "it has them approved by a vote of its members who were full members before those days."
                )
                % {"p": percent(c.admission_surge_share), "d": c.admission_surge_days},
                _(
                    "The admission vote, like the vote approving a flagged admission, stays open at least "
                    "%(min)s and at most %(max)s; it cannot be closed earlier unless every member entitled "
                    "to vote has voted, so nobody packs a council by a rushed vote."
                )
                % {"min": span(c.admission_poll_min), "max": span(c.admission_poll_max)},
                _(
                    "Members may ask the council above them to form a new base council; at least %(n)d "
                    "founding members must each consent, and that council decides by its vote."
                )
                % {"n": c.formation_min_members},
                _(
                    "The founder who proposed the new council is its interim chair for %(d)d days, to "
                    "call the elections of its officers and delegates."
                )
                % {"d": c.formation_interim_days},
            ],
        ),
        (
            _("Recall and minority rights"),
            [
                _(
                    "Any member may start a recall petition; signatures of %(p)s of the voters within "
                    "%(w)d days force a recall vote, held within %(v)d days."
                )
                % {
                    "p": percent(c.recall_signature_share),
                    "w": c.recall_window_days,
                    "v": c.recall_vote_within_days,
                },
                _(
                    "A petition of %(p)s of the members, or of %(n)d councils, puts an item on the agenda "
                    "of the council above."
                )
                % {"p": percent(c.agenda_petition_share), "n": c.agenda_petition_councils},
            ],
        ),
        (
            _("Meetings"),
            [
                (
                    _(
                        "A meeting is called at least %(h)d hours before it starts, so that every side "
                        "can come."
                    )
                    % {"h": c.meeting_notice_hours}
                    if c.meeting_notice_hours
                    else _("A council may meet as soon as a meeting is called.")
                ),
                (
                    _(
                        "A meeting takes no business until %(p)s of the council's voters, and at least one, "
                        "are present; forced items it does not reach go to the next meeting."
                    )
                    % {"p": percent(c.meeting_quorum_share)}
                    if c.meeting_quorum_share
                    else _("Meetings need no quorum.")
                ),
            ],
        ),
        (
            _("Due process"),
            [
                _(
                    "No member loses any right without written charges, at least %(d)d days' notice of a "
                    "hearing where they can answer and bring evidence, and a vote of their own council "
                    "by %(t)s."
                )
                % {"d": c.hearing_notice_days, "t": THRESHOLD_WORDS[c.discipline_threshold]},
                _(
                    "That vote, like the vote on an appeal, stays open at least %(min)s and at most %(max)s; "
                    "it cannot be closed earlier unless every member entitled to vote has voted."
                )
                % {"min": span(c.discipline_poll_min), "max": span(c.discipline_poll_max)},
                _("The member may appeal within %(d)d days to the council above, and then to the top body.")
                % {"d": c.appeal_window_days},
            ],
        ),
        (
            _("Offices"),
            [
                ngettext(
                    "Officers and delegates serve terms of %(m)d months, at most %(n)d in a row, then sit "
                    "out %(g)d term.",
                    "Officers and delegates serve terms of %(m)d months, at most %(n)d in a row, then sit "
                    "out %(g)d terms.",
                    c.rotation_gap_terms,
                )
                % {"m": c.term_months, "n": c.max_consecutive_terms, "g": c.rotation_gap_terms},
                _("Delegates report back to the council that sent them within %(d)d days.")
                % {"d": c.report_back_days},
                _(
                    "An election's poll closes at the time set when it opens, at least %(min)s and at most "
                    "%(max)s later."
                )
                % {"min": span(c.election_poll_min), "max": span(c.election_poll_max)},
                _(
                    "A term ends by itself: nobody holds a post past it. %(lead)d days before it ends, "
                    "unless an election for the post is already under way, the rules call the election "
                    "for the next term; its nominations stay open %(nom)d days, then the rules open a poll "
                    "of %(poll)d days, count it and seat the winners when the term ends. Officers may "
                    "open the poll or certify sooner."
                )
                % {
                    "lead": c.term_election_lead_days,
                    "nom": c.term_nomination_days,
                    "poll": c.term_poll_days,
                },
                (
                    _("Officials' monthly pay may not exceed %(cap)s (%(p)s of the average member wage).")
                    % {"cap": format_amount(cap, c.pay_currency), "p": percent(c.pay_cap_share)}
                    if cap is not None
                    else _("Officials' pay is not capped.")
                ),
            ],
        ),
        (
            _("Changing this constitution"),
            [
                _("Only the top body can change it, by %(t)s.")
                % {"t": THRESHOLD_WORDS[c.amendment_threshold]},
            ],
        ),
    ]
