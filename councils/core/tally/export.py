"""Render a count's stages as CSV: one row per stage, one column per candidate."""

from __future__ import annotations

import csv
import io

from councils.core.tally.model import CountResult


def stages_csv(result: CountResult) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    names = list(result.candidates)
    writer.writerow(
        [
            "stage",
            "action",
            "quota",
            *names,
            "non-transferable",
            "elected",
            "excluded",
            "transfer value",
            "notes",
        ]
    )
    for stage in result.stages:
        writer.writerow(
            [
                stage.number,
                stage.action,
                stage.quota or "",
                *(stage.totals.get(name, "") for name in names),
                stage.non_transferable,
                "; ".join(stage.elected),
                "; ".join(stage.excluded),
                stage.transfer_value or "",
                "; ".join(stage.notes),
            ]
        )
    return out.getvalue()
