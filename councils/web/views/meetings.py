"""Meeting pages: schedule, agenda, the session with a live speakers' list, minutes in HTML and PDF."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from councils.accounts.models import User
from councils.accounts.names import told_apart
from councils.accounts.queries import acting_user
from councils.core.errors import ConflictError, InvalidInputError
from councils.elections.queries import list_elections
from councils.federation.queries import access_council, list_participants
from councils.meetings import actions, permissions, queries
from councils.meetings.models import AgendaItem, Meeting, Speaker
from councils.meetings.pdf import minutes_pdf
from councils.meetings.queries import ELECTIONS_FOR_AGENDA
from councils.motions.models import Motion
from councils.motions.queries import list_open_motions
from councils.web.views.common import domain_errors, form_uuid, live_page, parse_moment

# The parts of the meeting page that refresh themselves from its live stream, by the `part` an
# htmx request names (the first when it names none). Of the chair's panel only the list of people
# still absent is among them (its ticks are kept across refreshes), so the item form being filled in
# stays as it is.
LIVE_PARTS = ("speakers", "agenda", "attendance", "absent")
# What the chair chose for a new item, refused by the rules, that the item form says beside it.
ITEM_FORM_CONFLICTS = ("already_on_agenda", "election_over", "motion_decided")


def _context(
    request: HttpRequest,
    meeting: Meeting,
    *,
    part: str | None = None,
    standing: queries.Standing | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """What the meeting page shows; given a `part`, only what its live parts show.

    `standing` is the viewer's at the meeting when it was read with it (else read here).
    """
    # Thousands of delegates refresh the live parts at once: each part reads only what it shows.
    # The attendance list alone is a row per person present; the speakers' list is read once per
    # change for all of them (queries.get_floor).
    items = queries.list_items(meeting=meeting) if part in (None, "agenda") else []
    floor = queries.get_floor(meeting=meeting) if part in (None, "speakers") else None
    if standing is None:
        standing = queries.meeting_standing(viewer=request.user, meeting=meeting)
    may_manage = standing.may_manage
    chairing = part is None and may_manage
    attendance = part in (None, "attendance")
    may_speak = part in (None, "speakers") and standing.may_speak
    # Only those present ask to speak; the others are told to press "I am here" first.
    asks_presence = attendance or (part == "speakers" and floor is not None and may_speak)
    on_agenda = {i.motion_id for i in items if i.motion_id}
    elections_on_agenda = {i.election_id for i in items if i.election_id}
    return {
        "meeting": meeting,
        "items": items,
        "floor": floor,
        # Someone already waiting to speak is offered "Leave the list", not a second request.
        "is_waiting": floor is not None and floor.is_waiting(request.user),
        # The list every viewer reads alike names a base council's members only to its participants.
        "names": standing.sees_names,
        "pending": [i for i in items if i.status == AgendaItem.Status.PENDING],
        "attendance": list(queries.list_attendance(meeting=meeting)) if attendance else [],
        "quorum": queries.quorum(meeting=meeting)
        if attendance and meeting.status == Meeting.Status.OPEN
        else None,
        "may_manage": may_manage,
        "may_speak": may_speak,
        "may_attend": attendance and permissions.can(request.user, "attend", meeting),
        "absent": told_apart(
            queries.list_absent(meeting=meeting), among=list_participants(council=meeting.council)
        )
        if may_manage and part in (None, "absent") and meeting.status == Meeting.Status.OPEN
        else [],
        "is_present": asks_presence and standing.is_present,
        # Petitions and report backs are forced onto the agenda; the chair cannot add them by hand.
        "kinds": [(k, label) for k, label in AgendaItem.Kind.choices if k not in actions.FORCED_KINDS],
        # A meeting opens no earlier than the time it was called for; say so rather than offer a refusal.
        "opens_later": meeting.status == Meeting.Status.SCHEDULED and timezone.now() < meeting.starts_at,
        "item_form": {},
        # What is already on this agenda is not offered again.
        "motions": [m for m in list_open_motions(council=meeting.council)[:50] if m.pk not in on_agenda]
        if chairing
        else [],
        # Nor an election that is over (certified or failed).
        "elections": [
            e
            for e in list_elections(council=meeting.council).filter(status__in=ELECTIONS_FOR_AGENDA)[:50]
            if e.pk not in elections_on_agenda
        ]
        if chairing
        else [],
        **extra,
    }


@require_safe
@domain_errors
def meeting_detail(request: HttpRequest, meeting_id: UUID) -> HttpResponse:
    """The meeting page; to htmx, the one live part `?part=` names (the speakers' list by default)."""
    meeting, standing = queries.access_meeting_standing(viewer=request.user, meeting_uuid=meeting_id)
    return live_page(
        request,
        "web/meetings/detail.html",
        parts=LIVE_PARTS,
        context=lambda part: _context(request, meeting, part=part, standing=standing),
    )


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
@domain_errors
def schedule(request: HttpRequest, council_id: UUID) -> HttpResponse:
    council = access_council(viewer=request.user, council_uuid=council_id)
    permissions.require(request.user, "manage", council)
    earliest, notice_hours = queries.get_earliest_start(council=council, now=timezone.now())
    form = {"council": council, "earliest": earliest, "notice_hours": notice_hours}
    if request.method != "POST":
        return render(request, "web/meetings/schedule.html", {**form, "data": {}})
    data = request.POST
    try:
        meeting = actions.schedule_meeting(
            actor=acting_user(request),
            council=council,
            title=data.get("title", ""),
            starts_at=parse_moment(data.get("starts_at", "")),
            place=data.get("place", ""),
            online_url=data.get("online_url", ""),
            now=timezone.now(),
        )
    except InvalidInputError as exc:
        context = {**form, "data": data, "error": exc.message}
        return render(request, "web/meetings/schedule.html", context, status=422)
    messages.success(request, _("The meeting is called: add the items of its agenda below."))
    return redirect("web:meeting", meeting.uuid)


@require_POST
@login_required
@domain_errors
def add_item(request: HttpRequest, meeting_id: UUID) -> HttpResponse:
    meeting = queries.access_meeting(viewer=request.user, meeting_uuid=meeting_id)
    data = request.POST
    motion_uuid, election_uuid = form_uuid(data.get("motion")), form_uuid(data.get("election"))
    motion = Motion.objects.filter(uuid=motion_uuid).first() if motion_uuid else None
    election = meeting.council.elections.filter(uuid=election_uuid).first() if election_uuid else None
    try:
        item = actions.add_agenda_item(
            actor=acting_user(request),
            meeting=meeting,
            kind=data.get("kind", ""),
            title=data.get("title", ""),
            motion=motion,
            election=election,
            now=timezone.now(),
        )
    except (InvalidInputError, ConflictError) as exc:
        # Said beside the form, which keeps what was chosen: an item already on the agenda, an
        # election over, a motion decided since the page was loaded. Other refusals say why alone.
        if isinstance(exc, ConflictError) and exc.code not in ITEM_FORM_CONFLICTS:
            raise
        context = _context(request, meeting, item_form=data, item_error=exc.message)
        return render(request, "web/meetings/detail.html", context, status=exc.status)
    messages.success(request, _("Added to the agenda: %(title)s.") % {"title": item.title})
    return redirect("web:meeting", meeting.uuid)


@require_POST
@login_required
@domain_errors
def move_item(request: HttpRequest, meeting_id: UUID, item_id: UUID, direction: str) -> HttpResponse:
    """Move an item still to come up or down one place (a form button per item; no JavaScript needed)."""
    meeting = queries.access_meeting(viewer=request.user, meeting_uuid=meeting_id)
    pending = [
        str(i.uuid) for i in meeting.items.filter(status=AgendaItem.Status.PENDING).order_by("position")
    ]
    if str(item_id) not in pending:
        raise Http404
    at = pending.index(str(item_id))
    to = at - 1 if direction == "up" else at + 1
    if 0 <= to < len(pending):
        pending[at], pending[to] = pending[to], pending[at]
        actions.reorder_agenda(actor=acting_user(request), meeting=meeting, order=pending, now=timezone.now())
    return redirect("web:meeting", meeting.uuid)


@require_POST
@login_required
@domain_errors
def session_step(request: HttpRequest, meeting_id: UUID, step: str) -> HttpResponse:
    meeting = queries.access_meeting(viewer=request.user, meeting_uuid=meeting_id)
    actor, now = acting_user(request), timezone.now()
    if step == "open":
        actions.open_meeting(actor=actor, meeting=meeting, now=now)
        messages.success(request, _("The meeting is open: mark who is present, as business needs a quorum."))
    elif step == "next":
        item = actions.take_next_item(actor=actor, meeting=meeting, now=now)
        if item is None:
            messages.success(request, _("The agenda is done: close the meeting when you are ready."))
        else:
            messages.success(request, _("Under discussion now: %(title)s.") % {"title": item.title})
    else:
        actions.close_meeting(actor=actor, meeting=meeting, now=now)
        messages.success(
            request, _("The meeting is closed: its minutes wait for approval on the Minutes page.")
        )
    return redirect("web:meeting", meeting.uuid)


@require_safe
@login_required
@domain_errors
def close_confirm(request: HttpRequest, meeting_id: UUID) -> HttpResponse:
    """The step before closing a meeting: what is left of its business and what closing does."""
    meeting = queries.access_meeting(viewer=request.user, meeting_uuid=meeting_id)
    permissions.require(request.user, "manage", meeting)
    if meeting.status != Meeting.Status.OPEN:
        if meeting.status == Meeting.Status.CLOSED:
            messages.info(request, _("The meeting is already closed."))
        else:
            messages.info(request, _("The meeting has not opened yet: only a meeting in session is closed."))
        return redirect("web:meeting", meeting.uuid)
    items = queries.list_items(meeting=meeting)
    current = next((i for i in items if i.status == AgendaItem.Status.CURRENT), None)
    context = {
        "heading": _("Close “%(title)s”?") % {"title": meeting.title},
        "meeting": meeting,
        "present": meeting.attendance.count(),
        "current": current,
        "waiting": sum(s.status == Speaker.Status.WAITING for s in current.speakers.all()) if current else 0,
        "pending": [i for i in items if i.status == AgendaItem.Status.PENDING],
        "ready": True,
        "action": reverse("web:meeting-close", args=[meeting.uuid]),
        "back": reverse("web:meeting", args=[meeting.uuid]),
    }
    return render(request, "web/meetings/close.html", context)


@require_POST
@login_required
@domain_errors
def attend(request: HttpRequest, meeting_id: UUID) -> HttpResponse:
    """Mark yourself present."""
    meeting = queries.access_meeting(viewer=request.user, meeting_uuid=meeting_id)
    me = acting_user(request)
    actions.mark_present(actor=me, meeting=meeting, user=me, now=timezone.now())
    messages.success(request, _("You are marked present."))
    return redirect("web:meeting", meeting.uuid)


@require_POST
@login_required
@domain_errors
def attend_others(request: HttpRequest, meeting_id: UUID) -> HttpResponse:
    """The chair marks everyone ticked on the list present, in one go."""
    meeting = queries.access_meeting(viewer=request.user, meeting_uuid=meeting_id)
    # Permission before the list is read, as in the action: only the chair hears what is wrong with it.
    permissions.require(acting_user(request), "manage", meeting)
    try:
        wanted = {UUID(value) for value in request.POST.getlist("person")}
    except ValueError:
        raise InvalidInputError(_("Choose people who take part in this council.")) from None
    users = list(User.objects.filter(uuid__in=wanted, is_active=True).order_by("display_name", "username"))
    if len(users) != len(wanted):
        raise InvalidInputError(_("Choose people who take part in this council."))
    marked = actions.mark_present_many(
        actor=acting_user(request), meeting=meeting, users=users, now=timezone.now()
    )
    messages.success(
        request,
        ngettext("%(count)d person is marked present.", "%(count)d people are marked present.", len(marked))
        % {"count": len(marked)},
    )
    if len(marked) < len(users):
        # They marked themselves present while the chair was ticking the list.
        messages.info(request, _("The others were already present."))
    return redirect("web:meeting", meeting.uuid)


def _speakers_response(request: HttpRequest, meeting: Meeting) -> HttpResponse:
    if request.headers.get("HX-Request"):
        return render(
            request, "web/meetings/detail.html#speakers", _context(request, meeting, part="speakers")
        )
    return redirect("web:meeting", meeting.uuid)


@require_POST
@login_required
@domain_errors
def speakers(request: HttpRequest, meeting_id: UUID, item_id: UUID, step: str) -> HttpResponse:
    """Join the list, or (the chair) give the floor to the next speaker."""
    item = queries.access_item(viewer=request.user, item_uuid=item_id)
    if item.meeting.uuid != meeting_id:
        raise Http404
    act = actions.join_speakers if step == "join" else actions.give_floor
    act(actor=acting_user(request), item=item, now=timezone.now())
    return _speakers_response(request, item.meeting)


@require_POST
@login_required
@domain_errors
def leave(request: HttpRequest, meeting_id: UUID, speaker_id: UUID) -> HttpResponse:
    speaker = queries.access_speaker(viewer=request.user, speaker_uuid=speaker_id)
    if speaker.item.meeting.uuid != meeting_id:
        raise Http404
    actions.leave_speakers(actor=acting_user(request), speaker=speaker, now=timezone.now())
    return _speakers_response(request, speaker.item.meeting)


@require_safe
@domain_errors
def minutes(request: HttpRequest, meeting_id: UUID) -> HttpResponse:
    meeting = queries.access_meeting(viewer=request.user, meeting_uuid=meeting_id)
    document, approved = queries.minutes_for(viewer=request.user, meeting=meeting)
    context = {
        "meeting": meeting,
        "minutes": queries.readable(document),
        "approved": approved,
        "may_manage": permissions.can(request.user, "manage", meeting),
        "motions": Motion.objects.filter(council=meeting.council, state="adopted").order_by("-decided_at")[
            :20
        ],
    }
    return render(request, "web/meetings/minutes.html", context)


@require_safe
@domain_errors
def minutes_as_pdf(request: HttpRequest, meeting_id: UUID) -> HttpResponse:
    meeting = queries.access_meeting(viewer=request.user, meeting_uuid=meeting_id)
    document, approved = queries.minutes_for(viewer=request.user, meeting=meeting)
    response = HttpResponse(
        minutes_pdf(queries.readable(document), approved=approved, minutes_hash=meeting.minutes_hash),
        content_type="application/pdf",
    )
    response["Content-Disposition"] = f'attachment; filename="minutes-{meeting.uuid}.pdf"'
    return response


def _approving_motion(meeting: Meeting, motion_uuid: str | None) -> Motion | None:
    """The adopted motion of the meeting's council that the form names as approving the minutes, if any."""
    if not motion_uuid:
        return None
    named = form_uuid(motion_uuid)
    motion = (
        Motion.objects.filter(uuid=named, council=meeting.council, state=Motion.State.ADOPTED).first()
        if named
        else None
    )
    if motion is None:
        raise InvalidInputError(_("Choose an adopted motion of this council."))
    return motion


@require_safe
@login_required
@domain_errors
def approve_minutes_confirm(request: HttpRequest, meeting_id: UUID) -> HttpResponse:
    """The step before approving the minutes: by whom, and that approving freezes them for good."""
    meeting = queries.access_meeting(viewer=request.user, meeting_uuid=meeting_id)
    permissions.require(request.user, "manage", meeting)
    if meeting.status != Meeting.Status.CLOSED or meeting.minutes_approved_at is not None:
        if meeting.minutes_approved_at is not None:
            messages.info(request, _("These minutes are already approved and frozen."))
        else:
            messages.info(request, _("Minutes are approved once the meeting is closed."))
        return redirect("web:meeting-minutes", meeting.uuid)
    context = {
        "heading": _("Approve the minutes of “%(title)s”?") % {"title": meeting.title},
        "meeting": meeting,
        "motion": _approving_motion(meeting, request.GET.get("motion")),
        "ready": True,
        "action": reverse("web:meeting-minutes-approve", args=[meeting.uuid]),
        "back": reverse("web:meeting-minutes", args=[meeting.uuid]),
    }
    return render(request, "web/meetings/approve_minutes.html", context)


@require_POST
@login_required
@domain_errors
def approve_minutes(request: HttpRequest, meeting_id: UUID) -> HttpResponse:
    meeting = queries.access_meeting(viewer=request.user, meeting_uuid=meeting_id)
    motion = _approving_motion(meeting, request.POST.get("motion"))
    actions.approve_minutes(actor=acting_user(request), meeting=meeting, motion=motion, now=timezone.now())
    messages.success(request, _("The minutes are approved and frozen; their hash is in the record."))
    return redirect("web:meeting-minutes", meeting.uuid)


urlpatterns = [
    path("schedule/<uuid:council_id>/", schedule, name="meeting-schedule"),
    path("<uuid:meeting_id>/", meeting_detail, name="meeting"),
    path("<uuid:meeting_id>/items/", add_item, name="meeting-add-item"),
    *(
        path(
            f"<uuid:meeting_id>/items/<uuid:item_id>/{d}/",
            move_item,
            {"direction": d},
            name=f"meeting-item-{d}",
        )
        for d in ("up", "down")
    ),
    *(
        path(f"<uuid:meeting_id>/{s}/", session_step, {"step": s}, name=f"meeting-{s}")
        for s in ("open", "next", "close")
    ),
    path("<uuid:meeting_id>/close/confirm/", close_confirm, name="meeting-close-confirm"),
    path("<uuid:meeting_id>/attend/", attend, name="meeting-attend"),
    path("<uuid:meeting_id>/attend/others/", attend_others, name="meeting-attend-others"),
    *(
        path(
            f"<uuid:meeting_id>/items/<uuid:item_id>/{s}/",
            speakers,
            {"step": s},
            name=f"meeting-speakers-{s}",
        )
        for s in ("join", "floor")
    ),
    path("<uuid:meeting_id>/speakers/<uuid:speaker_id>/leave/", leave, name="meeting-speakers-leave"),
    path("<uuid:meeting_id>/minutes/", minutes, name="meeting-minutes"),
    path("<uuid:meeting_id>/minutes.pdf", minutes_as_pdf, name="meeting-minutes-pdf"),
    path("<uuid:meeting_id>/minutes/approve/", approve_minutes, name="meeting-minutes-approve"),
    path(
        "<uuid:meeting_id>/minutes/approve/confirm/",
        approve_minutes_confirm,
        name="meeting-minutes-approve-confirm",
    ),
]


def council_section(request: HttpRequest, council: Any) -> dict[str, Any]:
    """What the council page shows of meetings, and whether the viewer may schedule one."""
    meetings = list(queries.list_meetings(council=council)[:10])
    return {
        "meetings": meetings,
        "may_schedule": permissions.can(request.user, "manage", council),
    }
