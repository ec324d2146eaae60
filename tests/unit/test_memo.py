"""Remembered callback outputs (components.memo) on a real generated SQLite database: a filter state
seen before is answered without building again; a theme change, a data refresh and a database
outage are not."""
from datetime import date

import pytest
from conftest import generated_sqlite

from dashboard.components.chart_card import render_chart
from dashboard.components.memo import memoized, plain_outputs
from dashboard.figures import build_bar
from dashboard.queries import cache
from dashboard.queries import engine as query_engine

QUERY = {"from": "2022-03-01", "to": "2022-12-31"}


@pytest.fixture(scope="module")
def db_url(tmp_path_factory):
    return generated_sqlite(tmp_path_factory.mktemp("memo"), orders=400, seed=7, start=date(2022, 1, 1), months=12)


@pytest.fixture
def on_db(db_url):
    query_engine.configure(db_url)
    cache.clear_cache()
    yield db_url
    cache.clear_cache()


def counted():
    """A memoized chart callback and the list of the times it really ran."""
    runs = []

    @memoized
    def city(query, theme):
        runs.append(theme)
        return render_chart("users_by_city", query, theme, build_bar, x="city", y="users")

    return city, runs


def test_a_filter_state_seen_before_is_not_built_again(on_db):
    city, runs = counted()
    first = city(QUERY, "light")
    again = city(dict(reversed(list(QUERY.items()))), "light")  # same filters, other key order
    assert len(runs) == 1
    assert again == first
    figure, spec, status, disabled = first
    assert isinstance(figure, dict) and figure["data"][0]["type"] == "bar"  # JSON form, not a go.Figure
    assert spec["dataset"] == "users_by_city" and status is None and disabled is False
    assert first == plain_outputs(city.uncached(QUERY, "light"))  # what Dash would have sent anyway


def test_other_filters_or_theme_build_again(on_db):
    city, runs = counted()
    light = city(QUERY, "light")
    dark = city(QUERY, "dark")
    city({**QUERY, "from": "2022-06-01"}, "light")
    assert runs == ["light", "dark", "light"]
    assert light[0]["layout"]["template"] != dark[0]["layout"]["template"]


def test_a_refresh_builds_again(on_db):
    from schema.db import create_engine
    from schema.refresh import refresh

    city, runs = counted()
    city(QUERY, "light")
    engine = create_engine(on_db)
    try:
        refresh(engine)
    finally:
        engine.dispose()
    cache.data_version(force=True)  # what the app does by itself at most DATA_VERSION_TTL seconds later
    city(QUERY, "light")
    city(QUERY, "light")
    assert len(runs) == 2


def test_an_error_state_is_not_remembered(on_db, tmp_path):
    city, runs = counted()
    query_engine.configure(f"sqlite:///{tmp_path / 'missing' / 'none.db'}")  # its folder does not exist
    cache.clear_cache()
    down = city(QUERY, "light")
    assert "Database unavailable" in str(down[0]) and down[1] is None
    query_engine.configure(on_db)
    cache.data_version(force=True)
    up = city(QUERY, "light")
    assert runs == ["light", "light"]
    assert up[1]["dataset"] == "users_by_city" and up[0]["data"]


def test_a_query_error_is_not_remembered_while_the_data_version_reads(on_db, tmp_path):
    import shutil

    import sqlalchemy as sa

    from schema.db import create_engine

    copy = tmp_path / "broken.db"
    shutil.copy(on_db.removeprefix("sqlite:///"), copy)
    engine = create_engine(f"sqlite:///{copy}")
    with engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE agg_signup_place_month"))  # what users_by_city reads
    engine.dispose()
    query_engine.configure(f"sqlite:///{copy}")
    cache.clear_cache()
    city, runs = counted()
    first, second = city(QUERY, "light"), city(QUERY, "light")
    assert cache.data_version(force=True).split("|")[-1] != "None"  # readable: the copied refresh_log
    assert len(runs) == 2 and first[1] is None and "lacks a table" in str(second[0])
