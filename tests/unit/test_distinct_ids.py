"""sources.count_distinct_ids: distinct customers under a product filter are counted from id lists."""
from dashboard.queries.sources import count_distinct_ids


def test_ids_repeated_within_and_across_lists_count_once():
    assert count_distinct_ids(["3,1,3", "1,7", "12"]) == 4


def test_missing_and_empty_lists_count_nothing():
    assert count_distinct_ids([None, ""]) == 0
    assert count_distinct_ids([]) == 0
    assert count_distinct_ids([None, "5"]) == 1


def test_lists_as_bytes_are_read_like_text():  # a driver may hand GROUP_CONCAT's result back as bytes
    assert count_distinct_ids([b"2,4", "4,9"]) == 3
