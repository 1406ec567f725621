"""Running the real app and driving it in Debian's Chromium (for tests and screenshots)."""
from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def require_chromium() -> None:
    if not (Path(CHROMIUM).exists() or shutil.which("chromium")):
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail("Chromium is required here (REQUIRE_BROWSER is set) but /usr/bin/chromium is missing")
        pytest.skip("Chromium not installed: apt-get install chromium (CI installs it)")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def running_app(data_dir: Path, *options: str):
    """The dashboard served on a free loopback port, reading the warehouse in data_dir (with more of
    Streamlit's command-line options, e.g. "--secrets.files", path): its URL."""
    with running_server(data_dir, *options) as (url, _):
        yield url


@contextlib.contextmanager
def running_server(data_dir: Path, *options: str):
    """As running_app: the URL and the server's process (for benchmarks that watch its memory)."""
    port = free_port()
    env = {**os.environ, "TRACKER_DATA_DIR": str(data_dir)}
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true", *options],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while True:
            try:
                with urllib.request.urlopen(url + "/_stcore/health", timeout=1) as response:
                    if response.status == 200:
                        break
            except OSError:
                if time.time() > deadline or server.poll() is not None:
                    raise RuntimeError("the app did not start")
                time.sleep(0.2)
        yield url, server
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()


@contextlib.contextmanager
def browser_page(width: int = 1400, height: int = 1000):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser.new_page(viewport={"width": width, "height": height})
        finally:
            browser.close()


def enter_the_demo(page, role: str = "Data manager") -> None:
    """On the demo school's sign-in (no password), see the tracker as this role; the page and view the
    URL named then open."""
    page.get_by_role("button", name="Open the demo").wait_for(timeout=60_000)
    if role != "Data manager":
        page.get_by_test_id("stSelectbox").filter(has_text="See the tracker as").locator("input").click()
        page.get_by_role("option", name=role, exact=True).click()
    page.get_by_role("button", name="Open the demo").click()


def sign_in(page, username: str, password: str) -> None:
    """Sign in with a local account on the sign-in form."""
    page.get_by_label("Username").wait_for(timeout=60_000)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
