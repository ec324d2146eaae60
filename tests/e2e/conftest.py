"""Browser tests: dash[testing]'s `dash_duo` in Debian's headless Chromium, against one generated database.

- Chromium and chromedriver come from Debian (`chromium`, `chromium-driver`; .ci/install installs them):
  `pytest_setup_options` hands dash's plugin our ChromeOptions (binary, headless, quiet flags).
- `e2e_db`: a small generated SQLite database (3,000 orders), made once per session, deleted after.
- `shell_app`: the real app (`create_app`) on that database, plus the demo pages in demo_pages/
  (every shared component on live data). One app per process: Dash pages register globally.
- `screenshot(dash_duo, name, theme)`: docs/screenshots/<name>-<theme>.png at 1400x900 (or phone size).
"""
from __future__ import annotations

import shutil
import time
from datetime import date
from pathlib import Path
from urllib.parse import urlparse

import pytest
from selenium.webdriver.chrome.options import Options

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
DEMO_PAGES = sorted((Path(__file__).parent / "demo_pages").glob("*.py"))
SCREENSHOTS = ROOT / "docs" / "screenshots"
DESKTOP = (1400, 900)
PHONE = (390, 844)
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
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


# ------------------------------------------------------------------ helpers
def set_viewport(driver, width: int, height: int, *, mobile: bool = False) -> None:
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile})


def set_theme(driver, theme: str) -> None:
    """Store the theme the way the app does (dcc.Store in localStorage); applies on the next load."""
    driver.execute_script("localStorage.setItem('theme-store', JSON.stringify(arguments[0]))", theme)


def wait_idle(dash_duo, timeout: float = 15) -> None:
    """Wait until no callback is pending and no loading spinner shows."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        busy = dash_duo.driver.execute_script(
            "return !!document.querySelector('._dash-loading-callback, .dash-spinner, [data-dash-is-loading=\"true\"]')")
        if not busy:
            time.sleep(0.4)
            if not dash_duo.driver.execute_script(
                    "return !!document.querySelector('._dash-loading-callback, [data-dash-is-loading=\"true\"]')"):
                return
        time.sleep(0.2)


def external_requests(driver) -> list[str]:
    """Every resource the page loaded from a host other than this machine's loopback."""
    names = driver.execute_script(
        "return performance.getEntries().map(e => e.name).filter(n => n.startsWith('http') || n.startsWith('ws'))")
    return [n for n in names if urlparse(n).hostname not in LOCAL_HOSTS]


def screenshot(dash_duo, name: str, theme: str, *, size: tuple[int, int] = DESKTOP, mobile: bool = False) -> Path:
    """Write docs/screenshots/<name>-<theme>.png of the current page at `size` (viewport)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    set_viewport(dash_duo.driver, *size, mobile=mobile)
    time.sleep(0.8)  # let Plotly relayout to the new width
    wait_idle(dash_duo)
    path = SCREENSHOTS / f"{name}-{theme}.png"
    dash_duo.driver.save_screenshot(str(path))
    return path
