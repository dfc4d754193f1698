from councils.core.wording import counted, shared_names


def test_a_count_takes_the_number_of_its_noun() -> None:
    assert counted(0, "seat", "seats") == "0 seats"
    assert counted(1, "seat", "seats") == "1 seat"
    assert counted(2, "voter gives", "voters give") == "2 voters give"


def test_what_a_forged_entry_puts_in_place_of_a_count_is_shown_as_it_is() -> None:
    assert counted(None, "seat", "seats") == "None seats"
    assert counted("1", "seat", "seats") == "1 seats"
    assert counted(True, "seat", "seats") == "True seats"


def test_names_borne_by_more_than_one_person_are_shared_whatever_their_case() -> None:
    assert shared_names(["Nia Ortiz", "Quinn Weber", "nia ortiz", "Sam"]) == {"nia ortiz"}
    assert shared_names(["Nia Ortiz", "Quinn Weber"]) == set()
