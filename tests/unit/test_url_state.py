"""The URL is the state: query-string helpers, date presets and the filter bar's sync logic."""
from datetime import date

import pytest

from dashboard.components.filter_bar import (
    Controls, active_count, drop_unknown, option_list, preset_range, resolve, visible_groups,
)
from dashboard.components.state import build_search, parse_search, read_search, to_search
from dashboard.queries.filters import Filters


# ------------------------------------------------------------------ presets
@pytest.mark.parametrize("name, data_end, expected", [
    ("last_30", date(2024, 3, 15), (date(2024, 2, 15), date(2024, 3, 15))),
    ("last_90", date(2024, 3, 15), (date(2023, 12, 17), date(2024, 3, 15))),
    ("mtd", date(2024, 3, 15), (date(2024, 3, 1), date(2024, 3, 15))),
    ("qtd", date(2024, 3, 15), (date(2024, 1, 1), date(2024, 3, 15))),
    ("qtd", date(2024, 12, 31), (date(2024, 10, 1), date(2024, 12, 31))),
    ("qtd", date(2024, 7, 1), (date(2024, 7, 1), date(2024, 7, 1))),
    ("ytd", date(2024, 3, 15), (date(2024, 1, 1), date(2024, 3, 15))),
    ("last_year", date(2024, 3, 15), (date(2023, 1, 1), date(2023, 12, 31))),
    ("all", date(2024, 3, 15), (None, None)),
])
def test_preset_range_is_relative_to_the_last_day_of_data(name, data_end, expected):
    assert preset_range(name, data_end) == expected


def test_preset_last_30_is_30_days_inclusive():
    start, end = preset_range("last_30", date(2024, 3, 1))  # across a leap-year February
    assert (end - start).days + 1 == 30 and start == date(2024, 2, 1)


def test_unknown_preset_raises():
    with pytest.raises(ValueError, match="unknown preset"):
        preset_range("fortnight", date(2024, 1, 1))


# ------------------------------------------------------------------ query strings
def test_parse_and_build_round_trip():
    search = "?from=2024-01-01&to=2024-01-31&category=Books&category=Home+%26+Living&scope=net"
    query = parse_search(search)
    assert query == {"from": ["2024-01-01"], "to": ["2024-01-31"], "category": ["Books", "Home & Living"], "scope": ["net"]}
    assert parse_search(to_search(query)) == query


@pytest.mark.parametrize("filters", [
    Filters(),
    Filters(start=date(2023, 1, 1), end=date(2023, 3, 31)),
    Filters(categories=("Home & Living", "Books"), brands=("A|B?",), cities=("Kota Bandung",), status_scope="gross"),
    Filters(payment_methods=("cod",), platforms=("ios",), campaigns=("Brand Week - Books - 2022-01 #1",)),
])
def test_filters_survive_the_url(filters):
    search = build_search(filters)
    back, own, notices = read_search(search)
    # "|" inside a value is the multi-value separator of the URL format, so such a value splits
    expected = Filters(**{**filters.__dict__, "brands": tuple(v for b in filters.brands for v in b.split("|"))})
    assert back == expected and own == {} and notices == []


def test_empty_filters_give_an_empty_query_string():
    assert build_search(Filters()) == ""


def test_read_search_reports_what_it_ignores_and_keeps_page_params():
    filters, own, notices = read_search("?from=notadate&bogus=1&category=Books&xf=Toys", page_params=("xf",))
    assert filters == Filters(categories=("Books",))
    assert own == {"xf": ["Toys"]}
    assert any("from" in n and "notadate" in n for n in notices)
    assert any("bogus" in n for n in notices)


def test_from_after_to_is_a_notice_not_an_error():
    filters, _, notices = read_search("?from=2024-05-01&to=2024-01-01")
    assert filters.start is None and filters.end is None
    assert "after" in notices[0]


# ------------------------------------------------------------------ the sync logic
KNOWN = {"categories": ["Books", "Toys"], "brands": ["Acme"], "payment_methods": ["cod"], "cities": [],
         "platforms": [], "campaigns": []}


def test_load_reads_the_url_and_leaves_it_alone():
    r = resolve(None, search="?category=Books&category=Nope&bogus=2&from=2024-01-01", controls=Controls(), known=KNOWN)
    assert r.search is None  # no push on load or back/forward: that would trap the back button
    assert r.query == {"from": "2024-01-01", "category": ["Books"]}
    assert r.controls.start == "2024-01-01" and r.controls.dims["categories"] == ["Books"]
    assert any("Nope" in n for n in r.notices) and any("bogus" in n for n in r.notices)


def test_clean_url_gives_no_notice():
    r = resolve("url", search="?category=Toys", controls=Controls(), known=KNOWN)
    assert r.notices == []


def test_control_change_pushes_the_normalised_url_and_keeps_page_params():
    controls = Controls(start="2024-02-01", end="2024-01-01T00:00:00", dims={"categories": ["Toys", "Books", "Toys"]},
                        scope="net")
    r = resolve("controls", search="?bogus=1&xf=A", controls=controls, page_params=("xf",))
    assert parse_search(r.search) == {"from": ["2024-01-01"], "to": ["2024-02-01"], "category": ["Books", "Toys"],
                                      "scope": ["net"], "xf": ["A"]}
    assert r.notices is None  # an existing notice stays until the user dismisses it
    assert r.controls.dims["categories"] == ["Books", "Toys"]


def test_unchanged_controls_do_not_push_a_history_entry():
    r = resolve("controls", search="?category=Books", controls=Controls(dims={"categories": ["Books"]}))
    assert r.search is None


def test_preset_sets_dates_from_the_data_end_and_keeps_other_filters():
    controls = Controls(start="2020-01-01", end="2020-02-01", dims={"categories": ["Books"]})
    r = resolve("preset:mtd", search="", controls=controls, data_end=date(2024, 12, 20))
    assert r.query == {"from": "2024-12-01", "to": "2024-12-20", "category": ["Books"]}


def test_all_time_preset_clears_the_dates():
    r = resolve("preset:all", search="?from=2024-01-01", controls=Controls(start="2024-01-01"), data_end=date(2024, 12, 20))
    assert r.query == {} and r.search == ""


def test_reset_clears_everything_but_page_params():
    r = resolve("reset", search="?category=Books&scope=net&xf=1", controls=Controls(), page_params=("xf",))
    assert r.query == {} and parse_search(r.search) == {"xf": ["1"]}


def test_drop_unknown_without_known_values_keeps_everything():
    f = Filters(categories=("Anything",))
    assert drop_unknown(f, None) == (f, [])


def test_visible_groups():
    assert visible_groups(None) == {"dates", "categories"}
    assert visible_groups(("start", "end", "cities", "status_scope")) == {"dates", "cities", "status_scope"}
    assert visible_groups(()) == set()


def test_active_count():
    assert active_count({}) == 0
    assert active_count({"from": "2024-01-01", "to": "2024-02-01", "category": ["A", "B"], "scope": "net"}) == 3


def test_option_list_keeps_the_selection_visible():
    assert option_list(["b", "A"], ["zz"]) == [{"label": v, "value": v} for v in ("A", "b", "zz")]
