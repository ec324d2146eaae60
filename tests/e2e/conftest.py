"""Browser tests: dash[testing]'s `dash_duo` in Debian's headless Chromium, against one generated database.

- Chromium and chromedriver come from Debian (`chromium`, `chromium-driver`; .ci/install installs them):
  `pytest_setup_options` hands dash's plugin our ChromeOptions (binary, headless, quiet flags).
- `e2e_db`: a small generated SQLite database (3,000 orders), made once per session, deleted after.
- `shell_app`: the real app (`create_app`) on that database, plus the demo pages in demo_pages/
  (every shared component on live data). One app per process: Dash pages register globally.
Helpers for the tests (screenshots, viewport, theme, outside requests) are in helpers.py: this directory
is a package so this conftest does not shadow tests/conftest.py as the top-level module `conftest`.
"""
from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from selenium.webdriver.chrome.options import Options

from .helpers import DESKTOP

CHROMIUM = "/usr/bin/chromium"
DEMO_PAGES = sorted((Path(__file__).parent / "demo_pages").glob("*.py"))
CHROME_FLAGS = ("--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-default-apps",
                "--disable-extensions", "--hide-scrollbars", f"--window-size={DESKTOP[0]},{DESKTOP[1]}")


def pytest_configure(config):
    config.addinivalue_line("markers", "e2e: browser tests in headless Chromium")
    if hasattr(config.option, "headless"):
        config.option.headless = True  # dash's plugin adds --headless and enables downloads over CDP


def pytest_setup_options():
    """dash[testing] hook: the ChromeOptions its `Browser` starts from."""
    options = Options()
    if Path(CHROMIUM).exists():
        options.binary_location = CHROMIUM
    for flag in CHROME_FLAGS:
        options.add_argument(flag)
    return options


@pytest.fixture(scope="session")
def e2e_db(tmp_path_factory):
    from datagen.pipeline import generate_into
    from schema.db import create_engine

    folder = tmp_path_factory.mktemp("e2e-db")
    url = f"sqlite:///{folder / 'e2e.db'}"
    engine = create_engine(url)
    generate_into(engine, orders=3000, seed=42, start=date(2022, 1, 1), months=36, replace=False)
    engine.dispose()
    yield url
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def shell_app(e2e_db):
    from dashboard.app import create_app
    from schema.config import Settings

    return create_app(Settings(database_url=e2e_db), extra_pages=DEMO_PAGES)


@pytest.fixture(autouse=True)
def _query_layer_on_e2e_db(request):
    """Other test modules re-point the query layer's global engine; point it back for browser tests."""
    if "shell_app" not in request.fixturenames:
        yield
        return
    from dashboard.queries import engine as query_engine

    request.getfixturevalue("shell_app")
    query_engine.configure(request.getfixturevalue("e2e_db"))
    yield


@pytest.fixture
def app_url(dash_duo, shell_app):
    """Start the shared app and return its base URL (no trailing slash)."""
    dash_duo.start_server(shell_app)
    return dash_duo.server_url.rstrip("/")
