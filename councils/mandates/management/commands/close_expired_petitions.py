"""Close recall and agenda petitions whose signature window passed without the threshold."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from councils.core.wording import counted
from councils.mandates.actions import expire_recall_petitions
from councils.petitions.actions import expire_agenda_petitions


class Command(BaseCommand):
    help = "Close expired recall and agenda petitions, each with a record entry. Run it daily."

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        recalls = expire_recall_petitions(now=now)
        agendas = expire_agenda_petitions(now=now)
        self.stdout.write(
            f"Closed {counted(recalls, 'recall petition', 'recall petitions')} and "
            f"{counted(agendas, 'agenda petition', 'agenda petitions')}."
        )
