"""Render a meeting's minutes document as PDF with reportlab (pure Python)."""

from __future__ import annotations

import io
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import ListFlowable, ListItem, Paragraph, SimpleDocTemplate, Spacer

from councils.core.wording import counted


def minutes_pdf(document: dict[str, Any], *, approved: bool, minutes_hash: str = "") -> bytes:
    """Lay out the minutes: heading, attendance, each item and its decisions, then the checkpoint."""
    styles = getSampleStyleSheet()
    body, small = styles["BodyText"], styles["Italic"]

    def p(text: str, style: Any = body) -> Paragraph:
        return Paragraph(escape(text), style)

    story: list[Any] = [
        p(f"Minutes: {document['title']}", styles["Title"]),
        p(
            f"{document['council']['name']}. Scheduled for {document['starts_at']}"
            + (f" at {document['place']}" if document["place"] else "")
            + (" (also online)" if document["online"] else "")
            + "."
        ),
        p(f"Opened {document['opened_at'] or 'never'}; closed {document['closed_at'] or 'not yet'}."),
    ]
    if not approved:
        story.append(p("DRAFT: generated from the record, not yet approved.", styles["Heading3"]))
    if document.get("names_withheld"):
        names = "names are shown only to the council's own members"
    else:
        names = ", ".join(a["name"] for a in document["attendance"]) or "nobody recorded"
    story += [p("Present", styles["Heading2"]), p(f"{len(document['attendance'])}: {names}.")]
    if document.get("namesakes"):
        story.append(
            p("People who share a name are told apart by their username, in brackets after it.", small)
        )
    story.append(p("Business", styles["Heading2"]))
    for item in document["items"]:
        story.append(p(f"{item['position']}. {item['title']} ({item['kind']})", styles["Heading3"]))
        if item["taken_at"]:
            story.append(
                p(f"Taken {item['taken_at']}; {counted(item['speakers'], 'speaker', 'speakers')}.", small)
            )
        else:
            story.append(p("Not reached.", small))
        for decision in item["decisions"]:
            story.append(p(f"{decision['at']}: {decision['text']}"))
            if decision["roll_call"]:
                story.append(
                    ListFlowable(
                        [ListItem(p(line)) for line in decision["roll_call"]],
                        bulletType="bullet",
                        leftIndent=12,
                    )
                )
    story.append(Spacer(1, 6 * mm))
    if approved:
        checkpoint = document.get("checkpoint") or {}
        story.append(p(f"Approved {document.get('approved_at')}. Minutes hash {minutes_hash}.", small))
        story.append(
            p(
                f"Record checkpoint at approval: size {checkpoint.get('size')}, "
                f"root {checkpoint.get('root')}.",
                small,
            )
        )
    out = io.BytesIO()
    SimpleDocTemplate(
        out, pagesize=A4, title=f"Minutes: {document['title']}", leftMargin=20 * mm, rightMargin=20 * mm
    ).build(story)
    return out.getvalue()
