import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from radar.cli import main
from radar.config import ConfigError, iter_settings, iter_source_keys, load_config, parse_duration

ROOT = Path(__file__).resolve().parents[1]


def test_default_config_is_valid():
    cfg = load_config(ROOT / "config")
    assert cfg.sources, "the default config ships sources"
    assert {s.kind for s in cfg.sources} >= {"reddit", "hackernews", "stackexchange", "discourse", "mastodon"}


@pytest.mark.parametrize("text,seconds", [("15m", 900), ("2h", 7200), ("1d", 86400), ("30s", 30), (45, 45), ("1.5h", 5400)])
def test_parse_duration(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("bad", ["often", "-5m", "0", "", "5x"])
def test_parse_duration_rejects(bad):
    with pytest.raises(ValueError):
        parse_duration(bad)


def _write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return folder


def test_wrong_value_names_file_key_reason_and_example(tmp_path):
    folder = _write(tmp_path / "cfg", "radar.toml", '[crawl]\ndownload_delay = "fast"\n')
    with pytest.raises(ConfigError) as exc:
        load_config(folder)
    msg = str(exc.value)
    assert str(folder / "radar.toml") in msg
    assert "crawl.download_delay" in msg
    assert "valid number" in msg
    assert "Example: download_delay = 2.0" in msg


@pytest.mark.parametrize("table, reason", [
    ('{ fr = 0.5 }', "unknown language 'fr': use one of de, en, other"),
    ('{ de = 1.5 }', "threshold for 'de' is 1.5: it must be between 0 and 1"),
    ('{ de = "high" }', "classifier.request_threshold_by_language.de"),
])
def test_wrong_language_threshold_names_the_language(tmp_path, table, reason):
    folder = _write(tmp_path / "cfg", "radar.toml", f"[classifier]\nrequest_threshold_by_language = {table}\n")
    with pytest.raises(ConfigError) as exc:
        load_config(folder)
    assert reason in str(exc.value) and "Example: request_threshold_by_language = { de = 0.5, en = 0.4 }" in str(exc.value)


def test_language_threshold_falls_back_to_request_threshold(tmp_path):
    folder = _write(tmp_path / "cfg", "radar.toml", "[classifier]\nrequest_threshold = 0.3\nrequest_threshold_by_language = { en = 0.5 }\n")
    s = load_config(folder).settings.classifier
    assert (s.threshold_for("en"), s.threshold_for("de"), s.threshold_for("other"), s.threshold_for(None)) == (0.5, 0.3, 0.3, 0.3)


def test_unknown_key_is_refused(tmp_path):
    folder = _write(tmp_path / "cfg", "radar.toml", "[crawl]\ndownload_dealy = 2\n")
    with pytest.raises(ConfigError, match=r"crawl\.download_dealy: unknown setting"):
        load_config(folder)


def test_invalid_toml_is_reported(tmp_path):
    folder = _write(tmp_path / "cfg", "radar.toml", "[crawl\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(folder)


def test_source_errors_name_the_source(tmp_path):
    folder = _write(tmp_path / "cfg", "sources.toml", '[[sources]]\nname = "x"\nkind = "feed"\ninterval = "10s"\n')
    with pytest.raises(ConfigError) as exc:
        load_config(folder)
    msg = str(exc.value)
    assert "sources[0] (name 'x')" in msg
    assert "at least 60 seconds" in msg or "needs 'url'" in msg


def test_feed_source_needs_url(tmp_path):
    folder = _write(tmp_path / "cfg", "sources.toml", '[[sources]]\nname = "x"\nkind = "feed"\n')
    with pytest.raises(ConfigError, match="a feed source needs 'url'"):
        load_config(folder)


def test_duplicate_source_names(tmp_path):
    src = '[[sources]]\nname = "a"\nkind = "hackernews"\n' * 2
    folder = _write(tmp_path / "cfg", "sources.toml", src)
    with pytest.raises(ConfigError, match="used twice"):
        load_config(folder)


def test_config_check_cli_exit_code_2(tmp_path):
    folder = _write(tmp_path / "cfg", "radar.toml", "[classifier]\nhot_threshold = 150\n")
    result = CliRunner().invoke(main, ["--config", str(folder), "config", "check"])
    assert result.exit_code == 2
    assert "radar.toml" in result.output and "classifier.hot_threshold" in result.output
    assert "less than or equal to 100" in result.output


def test_config_check_ok(monkeypatch):
    monkeypatch.setenv("RADAR_CONFIG", str(ROOT / "config"))
    result = CliRunner().invoke(main, ["config", "check"])
    assert result.exit_code == 0, result.output
    assert "OK" in result.output


def test_env_overrides_database_url(tmp_path, monkeypatch):
    folder = _write(tmp_path / "cfg", "radar.toml", "")
    monkeypatch.setenv("RADAR_DATABASE_URL", "sqlite:////tmp/elsewhere.db")
    assert load_config(folder).database_url == "sqlite:////tmp/elsewhere.db"
    monkeypatch.delenv("RADAR_DATABASE_URL")
    assert load_config(folder).database_url == f"sqlite:///{(tmp_path / 'data' / 'radar.db')}"


def test_every_setting_is_documented_in_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [f"[{sec}] {key}" for sec, key, _d, _h in iter_settings() if f"`[{sec}] {key}`" not in readme]
    assert not missing, f"README lacks these settings (run `radar config docs`): {missing}"
    missing_src = [key for key, _d, _h in iter_source_keys() if f"| `{key}` |" not in readme]
    assert not missing_src, f"README lacks these source keys: {missing_src}"


def test_every_setting_has_help_text():
    assert all(h for _s, _k, _d, h in iter_settings())
    assert all(h for _k, _d, h in iter_source_keys())


def test_every_cli_command_has_help_and_example():
    import click

    def walk(cmd, path):
        yield path, cmd
        if isinstance(cmd, click.Group):
            for name, sub in cmd.commands.items():
                yield from walk(sub, path + [name])

    for path, cmd in walk(main, ["radar"]):
        assert cmd.help, f"{' '.join(path)} has no help"
        assert re.search(r"Example:", cmd.help), f"{' '.join(path)} has no Example: in its docstring"
        result = CliRunner().invoke(main, path[1:] + ["--help"])
        assert result.exit_code == 0, (path, result.output)
