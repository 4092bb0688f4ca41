"""Run the dashboard with `streamlit run` on 127.0.0.1 at a free port and drive Debian's chromium
through Playwright (never a downloaded browser)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
SHOTS = ROOT / "screenshots"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]


def require_browser() -> None:
    """Skip (or fail with RADAR_REQUIRE_BROWSER=1) when chromium or Playwright is missing."""
    missing = None
    if not (Path(CHROMIUM).exists() or shutil.which("chromium")):
        missing = f"{CHROMIUM} not found; install Debian's chromium (`apt-get install chromium`, as .ci/run does)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            missing = "the Python package playwright is not installed (`make setup` installs the test extras)"
    if missing:
        if os.environ.get("RADAR_REQUIRE_BROWSER") == "1":
            pytest.fail(f"browser tests are required (RADAR_REQUIRE_BROWSER=1) but {missing}")
        pytest.skip(f"browser tests skipped: {missing}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def streamlit_server(env: dict[str, str], timeout: float = 60):
    """`streamlit run dashboard/streamlit_app.py` on 127.0.0.1:<free port>; yields the base URL."""
    from radar.config import load_config
    from radar.processes import dashboard_command

    port = free_port()
    cmd = dashboard_command(load_config(env["RADAR_CONFIG"]), port)  # exactly what `radar dashboard` runs
    assert "127.0.0.1" in cmd
    log = open(env.get("RADAR_TEST_LOG", os.devnull), "w")
    proc = subprocess.Popen(cmd, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(base + "/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"streamlit did not start (exit {proc.poll()}); see {env.get('RADAR_TEST_LOG')}")
            time.sleep(0.3)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@contextmanager
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()
