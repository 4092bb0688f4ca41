"""The dashboard shell: login and role pages, headless with AppTest."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from radar.auth import create_user
from radar.db import get_sessionmaker

APP = str(Path(__file__).resolve().parents[1] / "dashboard" / "streamlit_app.py")


@pytest.fixture
def users(config_dir, db_url):
    with get_sessionmaker(db_url).begin() as s:
        create_user(s, "ada", "ada-password-1", "admin")


def _login(at: AppTest, username: str, password: str) -> AppTest:
    at.text_input[0].input(username)
    at.text_input[1].input(password)
    at.button[0].click()
    return at.run()


def test_login_wrong_password(users):
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert not at.exception
    at = _login(at, "ada", "nope")
    assert any("Wrong username or password" in e.value for e in at.error)


def test_login_shows_overview(users):
    at = AppTest.from_file(APP, default_timeout=30).run()
    at = _login(at, "ada", "ada-password-1")
    assert not at.exception
    labels = [m.label for m in at.metric]
    assert "Mentions" in labels and "Leads" in labels


def test_reruns_do_not_grow_sys_path(users):
    """The app script runs again on every click in the same process; it once put the repo root in
    front of sys.path on every run, so sys.path (every import miss, every importlib.metadata scan
    Streamlit makes per session) grew without end in a long-running dashboard."""
    import sys

    at = AppTest.from_file(APP, default_timeout=30).run()
    before = list(sys.path)
    for _ in range(3):
        at = _login(at, "ada", "nope")
    AppTest.from_file(APP, default_timeout=30).run()
    assert sys.path == before
