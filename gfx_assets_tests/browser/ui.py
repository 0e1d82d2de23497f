"""Headless Chromium for the browser tests: Debian's `chromium` package (installed by `make test`),
driven by Playwright with the system browser, never a downloaded one; and screenshots per step."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).parent / "artifacts"  # kept after the run (see .gitignore)
# The machine has no internet: nothing in the background may try to reach it.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 90_000  # two shared cores: the UI, the daemon and runs all compete


@contextmanager
def chromium() -> Iterator[Browser]:
    """The system Chromium; its absence fails the test (run `make test`, which installs it)."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium package")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        try:
            yield browser
        finally:
            browser.close()


def new_page(browser: Browser) -> Page:
    page = browser.new_page(viewport={"width": 1600, "height": 1000})
    page.set_default_timeout(TIMEOUT_MS)
    expect.set_options(timeout=TIMEOUT_MS)
    return page


@contextmanager
def step(page: Page, name: str) -> Iterator[None]:
    """One step of the journey; its screenshot is saved whether it passed or failed."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    try:
        yield
    except BaseException:
        page.screenshot(path=ARTIFACTS / f"{name}-FAILED.png", full_page=True)
        raise
    page.screenshot(path=ARTIFACTS / f"{name}.png", full_page=True)
