"""How people are named in a list: by name, told apart by username where two share one."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext as _

from councils.accounts.models import User
from councils.core.wording import shared_names


def told_apart(people: Iterable[User], *, among: Iterable[User] | None = None) -> list[tuple[User, str]]:
    """Each person with the label to list them by: their name, with their username where two share it.

    `among` is everyone the list was drawn from, when it leaves some out: a person listed alone under
    their name is still told apart from a namesake who is not listed, or which of the two is meant
    stays unclear. Only lists of a council's own participants are labelled so, for viewers who take
    part in it: they already read those usernames in the council's member list (the API's), so a
    label tells them nothing new.
    """
    people = list(people)
    shared = shared_names(p.name for p in (people if among is None else among))
    return [
        (p, _("%(name)s (%(username)s)") % {"name": p.name, "username": p.username})
        if p.name.casefold() in shared
        else (p, p.name)
        for p in people
    ]
