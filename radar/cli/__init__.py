"""The `radar` command line. Each feature adds its commands in its own module below;
`main` registers them. Every command has --help and an Example: in its docstring."""

from __future__ import annotations

import importlib

import click

from radar import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110})
@click.version_option(__version__, prog_name="radar")
@click.option("--config", "config_dir", envvar="RADAR_CONFIG", type=click.Path(file_okay=False), default=None,
              help="Config folder (default: $RADAR_CONFIG or ./config).")
@click.pass_context
def main(ctx: click.Context, config_dir: str | None) -> None:
    """Business Radar: finds public help requests and routes them as leads.

    Example: radar config check && radar db upgrade && radar run
    """
    import os

    if config_dir:
        os.environ["RADAR_CONFIG"] = config_dir
    ctx.ensure_object(dict)


# One line per feature module; each exposes COMMANDS.
_FEATURES = ["core", "collect", "leads", "export", "notify", "service", "classify"]

for _name in _FEATURES:
    for command in importlib.import_module(f"radar.cli.{_name}").COMMANDS:
        main.add_command(command)
