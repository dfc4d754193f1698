"""Test helper run as a script: add a council and members through actions, optionally sequence the log.

Usage: python tests/ops/populate_record.py NAME MEMBERS [--sequence] [--ballot-key]
with DATABASE_URL and COUNCILS_VAR_DIR naming the installation to fill.
"""

from __future__ import annotations

import os
import sys
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ["DJANGO_SETTINGS_MODULE"] = "councils.config.settings"

import django

django.setup()

from django.utils import timezone  # noqa: E402

from councils.accounts.models import User  # noqa: E402
from councils.federation import actions  # noqa: E402
from councils.federation.models import Federation  # noqa: E402
from councils.motions import sealing  # noqa: E402
from councils.record.sequencer import sequence_pending  # noqa: E402


def main(name: str, members: int, *, sequence: bool, ballot_key: bool) -> None:
    now = timezone.now()
    federation = Federation.objects.first() or actions.create_federation(actor=None, name="Ops Test", now=now)
    council = actions.create_council(
        actor=None, federation=federation, name=name, kind="workplace", parent=None, is_base=True, now=now
    )
    for number in range(members):
        user = User.objects.create_user(username=f"{name.lower()}-{number}", password=uuid.uuid4().hex)
        actions.add_founding_member(actor=None, council=council, user=user, now=now)
    if ballot_key:
        sealing.create_key(str(uuid.uuid4()))
    if sequence:
        sequence_pending()


if __name__ == "__main__":
    main(
        sys.argv[1],
        int(sys.argv[2]),
        sequence="--sequence" in sys.argv,
        ballot_key="--ballot-key" in sys.argv,
    )
