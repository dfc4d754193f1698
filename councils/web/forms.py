"""What every form on the site shares: sent back with errors, its first refused field takes the focus."""

from __future__ import annotations

from typing import Any

from django.forms import BoundField, Widget
from django.forms.renderers import DjangoTemplates


class FocusingBoundField(BoundField):
    """A field that takes the focus when it is the first one its form refused.

    A form refused by the server comes back as a new page, scrolled to its top, where a form low on a
    long page (a petition, an amendment) shows nothing on a phone: `autofocus`, which the browser
    honours on load without script, scrolls to the field and has a screen reader read its label and,
    through `aria-describedby`, its error.
    """

    def build_widget_attrs(self, attrs: dict[str, Any], widget: Widget | None = None) -> dict[str, Any]:
        attrs = super().build_widget_attrs(attrs, widget)
        if self.errors and self.name == _first_refused(self.form):
            attrs["autofocus"] = True
        return attrs


def _first_refused(form: Any) -> str | None:
    return next((field.name for field in form.visible_fields() if field.errors), None)


class FormRenderer(DjangoTemplates):
    """Django's own renderer, whose forms' fields are `FocusingBoundField`s (settings.FORM_RENDERER)."""

    bound_field_class = FocusingBoundField
