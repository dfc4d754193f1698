from __future__ import annotations

from councils.accounts.models import User
from councils.web.views.common import told_apart


def test_only_people_who_share_a_name_get_their_username_beside_it():
    people = [
        User(username="nia1", display_name="Nia Ortiz"),
        User(username="quinn", display_name="Quinn Weber"),
        User(username="nia2", display_name="nia ortiz"),
        User(username="sam"),
    ]
    assert [label for _, label in told_apart(people)] == [
        "Nia Ortiz (nia1)",
        "Quinn Weber",
        "nia ortiz (nia2)",
        "sam",
    ]
    assert [person for person, _ in told_apart(people)] == people
