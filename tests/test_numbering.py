"""Production scene numbers: inserted scenes get letters, numbers never move."""

from scripts_app.numbering import fill_numbers, sequential_numbers


def test_it_letters_a_scene_inserted_after_a_locked_one() -> None:
    assert fill_numbers(["11", "12", None, "13"]) == ["11", "12", "12A", "13"]


def test_it_keeps_lettering_after_an_inserted_scene() -> None:
    assert fill_numbers(["12", None, None, "13"]) == ["12", "12A", "12B", "13"]
    assert fill_numbers(["12", "12A", None, "13"]) == ["12", "12A", "12B", "13"]


def test_it_numbers_scenes_before_scene_one_a1_b1() -> None:
    assert fill_numbers([None, None, "1", "2"]) == ["A1", "B1", "1", "2"]


def test_it_letters_chinese_episode_scene_numbers() -> None:
    assert fill_numbers(["3-1", None, "3-2"]) == ["3-1", "3-1A", "3-2"]


def test_it_never_reuses_a_taken_number() -> None:
    assert fill_numbers(["12", None, "12A"]) == ["12", "12B", "12A"]


def test_it_goes_past_z() -> None:
    numbers = fill_numbers(["1"] + [None] * 27)
    assert numbers[26] == "1Z" and numbers[27] == "1AA"
    assert len(set(numbers)) == len(numbers)


def test_it_numbers_a_first_lock_sequentially() -> None:
    assert sequential_numbers(3) == ["1", "2", "3"]
    assert sequential_numbers(2, episode=5) == ["5-1", "5-2"]
