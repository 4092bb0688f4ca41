"""The foundation CLI as a user runs it, in a real subprocess and with CliRunner."""

import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import select

from radar.cli import main
from radar.db import get_sessionmaker
from radar.models import Source, User

ROOT = Path(__file__).resolve().parents[1]


def test_radar_help_runs_as_installed_command():
    out = subprocess.run([sys.executable, "-m", "radar", "--help"], capture_output=True, text=True, check=True).stdout
    for cmd in ("init", "db", "config", "users", "run"):
        assert cmd in out


def test_db_cycle_on_engine(config_dir, db_url):
    r = CliRunner()
    for args in (["db", "upgrade"], ["db", "downgrade", "base"], ["db", "upgrade"], ["db", "current"]):
        res = r.invoke(main, args)
        assert res.exit_code == 0, (args, res.output)
    assert "up to date" in res.output


def test_config_load_is_idempotent(config_dir, db_url):
    r = CliRunner()
    first = r.invoke(main, ["config", "load"])
    assert first.exit_code == 0, first.output
    second = r.invoke(main, ["config", "load"])
    assert "sources: 0 added, 0 updated, 0 disabled" in second.output
    with get_sessionmaker(db_url)() as s:
        names = set(s.scalars(select(Source.name)))
    assert "reddit-smallbusiness" in names


def test_users_add_and_list(config_dir, db_url):
    r = CliRunner()
    res = r.invoke(main, ["users", "add", "anna", "--role", "consultant", "--password", "correct-horse", "--email", "a@example.com"])
    assert res.exit_code == 0, res.output
    again = r.invoke(main, ["users", "add", "anna", "--role", "consultant", "--password", "correct-horse"])
    assert again.exit_code == 1 and "exists already" in again.output
    short = r.invoke(main, ["users", "add", "bob", "--role", "admin", "--password", "short"])
    assert short.exit_code == 1 and "at least 8" in short.output
    with get_sessionmaker(db_url)() as s:
        u = s.scalar(select(User).where(User.username == "anna"))
    from radar.auth import verify_password

    assert verify_password("correct-horse", u.password_hash) and not verify_password("wrong", u.password_hash)


def test_command_refuses_unmigrated_database(tmp_path, monkeypatch):
    monkeypatch.setenv("RADAR_CONFIG", str(ROOT / "config"))
    monkeypatch.setenv("RADAR_DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    res = CliRunner().invoke(main, ["users", "list"])
    assert res.exit_code == 1 and "radar db upgrade" in res.output


def test_init_creates_instance(tmp_path):
    env = {**os.environ, "RADAR_DATABASE_URL": ""}
    env.pop("RADAR_DATABASE_URL")
    env.pop("RADAR_CONFIG", None)
    res = subprocess.run([sys.executable, "-m", "radar", "init", str(tmp_path / "inst"), "--password", "first-pass-123"],
                         capture_output=True, text=True, env=env)
    assert res.returncode == 0, res.stderr
    assert (tmp_path / "inst" / "config" / "radar.toml").exists()
    assert (tmp_path / "inst" / "data" / "radar.db").exists()
    assert "Log in to the dashboard as 'admin'" in res.stdout
