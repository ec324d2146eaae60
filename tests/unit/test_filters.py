from datetime import date

import pytest

from dashboard.queries.filters import Filters
from schema.errors import InvalidFilter


def test_normalises_multi_values_for_equal_cache_keys():
    a = Filters(categories=("Books", "Appliances", "Books"))
    b = Filters(categories=["Appliances", "Books"])
    assert a == b and hash(a) == hash(b)
    assert a.categories == ("Appliances", "Books")


def test_previous_period_has_equal_length_and_ends_the_day_before():
    f = Filters(start=date(2024, 3, 1), end=date(2024, 3, 31), categories=("Books",))
    prev = f.previous_period()
    assert prev.end == date(2024, 2, 29)
    assert (prev.end - prev.start).days == (f.end - f.start).days
    assert prev.categories == ("Books",)
    assert Filters(start=date(2024, 1, 1)).previous_period() is None


def test_end_exclusive_includes_the_whole_last_day():
    assert Filters(end=date(2024, 12, 31)).end_exclusive == date(2025, 1, 1)


def test_strict_parse_round_trips_to_query():
    query = {"from": "2024-01-01", "to": "2024-06-30", "category": ["Books", "Soghaat"], "city": "Lahore", "scope": "net"}
    f = Filters.parse(query)
    assert f.start == date(2024, 1, 1) and f.cities == ("Lahore",) and f.status_scope == "net"
    assert Filters.parse(f.to_query()) == f


@pytest.mark.parametrize(
    "query, message",
    [
        ({"from": "2024-13-01"}, "not a date"),
        ({"from": "2024-05-01", "to": "2024-04-01"}, "after"),
        ({"scope": "everything"}, "scope"),
        ({"colour": "red"}, "unknown parameter"),
    ],
)
def test_strict_parse_rejects_bad_values(query, message):
    with pytest.raises(InvalidFilter, match=message):
        Filters.parse(query)


def test_tolerant_parse_keeps_what_it_can_and_reports_the_rest():
    f, notices = Filters.from_query({"from": "yesterday", "to": "2024-02-01", "bogus": "1", "category": "Books|Soghaat"})
    assert f == Filters(end=date(2024, 2, 1), categories=("Books", "Soghaat"))
    assert len(notices) == 2 and any("bogus" in n for n in notices) and any("yesterday" in n for n in notices)


def test_tolerant_parse_drops_inverted_range():
    f, notices = Filters.from_query({"from": "2024-05-01", "to": "2024-04-01"})
    assert f.start is None and f.end is None and notices


def test_sql_fragments_are_just_values():
    nasty = "Books'; DROP TABLE orders; --"
    assert Filters.parse({"category": nasty}).categories == (nasty,)


def test_only_resets_unused_dimensions():
    f = Filters(start=date(2024, 1, 1), cities=("Lahore",), brands=("apple",), status_scope="net")
    assert f.only("start", "cities") == Filters(start=date(2024, 1, 1), cities=("Lahore",), status_scope="net")
