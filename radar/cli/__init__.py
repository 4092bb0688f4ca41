"""The `radar` command line. Each feature adds its commands in its own module below;
`main` registers them. Every command has --help and an Example: in its docstring."""

from __future__ import annotations

import click

from radar import __version__
from radar.cli import collect, core


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


for command in core.COMMANDS:
    main.add_command(command)
for command in collect.COMMANDS:
    main.add_command(command)
