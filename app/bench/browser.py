"""Headless Chromium driven by selenium: the explorer's tests and ``fictra bench explorer``.

Uses the system's ``chromium`` and ``chromedriver`` (Debian's ``chromium`` and
``chromium-driver``), never a browser or driver fetched at run time. selenium comes with the
``dev`` extra.
"""

from __future__ import annotations

import shutil
from typing import Any

WINDOW = (1280, 900)


class BrowserMissing(RuntimeError):
    pass


def binaries() -> tuple[str, str]:
    """(chromium, chromedriver) paths, or BrowserMissing naming what to install."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if not browser or not driver:
        raise BrowserMissing("needs chromium and chromedriver (Debian: apt-get install "
                             "chromium chromium-driver)")
    return browser, driver


def chromium(window: tuple[int, int] = WINDOW) -> Any:
    """A new headless Chromium session (the caller quits it)."""
    # imported here: selenium is a dev dependency, only these commands need it
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    browser, driver = binaries()
    opts = webdriver.ChromeOptions()
    opts.binary_location = browser
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--no-first-run", "--disable-extensions", f"--window-size={window[0]},{window[1]}"):
        opts.add_argument(arg)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(options=opts, service=Service(executable_path=driver))
