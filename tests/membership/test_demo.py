"""The membership demo steps, run on the test cast with a few more members, through actions only."""

from __future__ import annotations

import random

from councils.accounts.models import User
from councils.constitution.queries import constitution_for, list_versions
from councils.demo.build import Demo
from councils.demo.membership import adopt_constitution, build_membership
from councils.federation import actions as federation_actions
from councils.membership.models import Application, DisciplineCase, Formation
from councils.platforms.models import Platform
from tests.membership.support import NOW, make_national_body


def test_demo_leaves_admissions_a_transfer_a_formation_a_case_and_a_platform(
    cast, django_capture_on_commit_callbacks
):
    extra = User.objects.create_user(username="m0", password="x", display_name="Member Zero")
    federation_actions.add_founding_member(actor=None, council=cast.riverside, user=extra, now=NOW)
    mover = User.objects.create_user(username="m1", password="x", display_name="Member One")
    federation_actions.add_founding_member(actor=None, council=cast.harbour, user=mover, now=NOW)
    night_shift = [
        User.objects.create_user(username=f"n{i}", password="x", display_name=f"Night {i}") for i in (1, 2)
    ]
    for worker in night_shift:
        federation_actions.add_founding_member(actor=None, council=cast.harbour, user=worker, now=NOW)
    make_national_body(cast)
    demo = Demo(
        now=NOW,
        rng=random.Random(1),
        federation=cast.federation,
        national=cast.national,
        districts=[cast.district],
        workplaces=[cast.riverside, cast.harbour],
        cast={u.username: u for u in (cast.alice, cast.bob, cast.carol, cast.dave, cast.erin, cast.frank)},
    )
    with django_capture_on_commit_callbacks(execute=True):
        adopt_constitution(demo)
        build_membership(demo)
    assert [v.version for v in list_versions(federation=cast.federation)] == [1, 2]
    assert constitution_for(federation=cast.federation).sponsor_min_months == 3
    statuses = dict(Application.objects.values_list("applicant__username", "status"))
    assert statuses == {"gina": "candidate", "hugo": "sponsoring", "m1": "awaiting_vote"}
    assert Application.objects.get(applicant=mover).transfer_from.council == cast.harbour
    formation = Formation.objects.get()
    assert (formation.parent, formation.name, formation.status) == (
        cast.district,
        "Harbour Night Shift",
        "proposed",
    )
    assert sorted(s.signer.username for s in formation.signatures.all()) == ["n1", "n2"]
    case = DisciplineCase.objects.get()
    assert case.status == "charged"
    assert case.membership.user == extra
    assert case.hearing_at > case.charged_at
    platform = Platform.objects.get()
    assert platform.members.filter(left_at__isnull=True).count() == 3
    assert platform.documents.count() == 1
