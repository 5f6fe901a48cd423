"""Debian's Chromium, headless, driven by Selenium: how the review page's tests open it.

Both binaries are given by path: otherwise Selenium Manager tries to download a driver and to send
statistics over the network. The browser's console is kept (goog:loggingPrefs) so a test can
refuse any error in it.
"""

import shutil
import tempfile
from contextlib import contextmanager

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
ARGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--autoplay-policy=no-user-gesture-required", "--mute-audio", "--window-size=1440,1000")


@contextmanager
def chromium():
    if not (shutil.which(CHROMIUM) and shutil.which(CHROMEDRIVER)):
        pytest.fail("Chromium is not installed: `make test` installs it (Debian packages chromium, chromium-driver)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="review-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ARGS + (f"--user-data-dir={profile}",):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def wait_for(driver, script: str, timeout_s: float = 15.0, message: str = ""):
    """Poll a JavaScript expression until it is truthy; its value."""
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout_s, poll_frequency=0.1).until(
        lambda d: d.execute_script(f"return {script};"), message or f"timed out waiting for: {script}")
