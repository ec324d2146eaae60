"""Helpers for the browser tests: viewport, theme, idle wait, outside requests, screenshots."""
from __future__ import annotations

import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "docs" / "screenshots"
DESKTOP = (1400, 900)
PHONE = (390, 844)
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}


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
