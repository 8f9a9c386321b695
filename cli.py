"""The tracker command line: parse options, call the library, print. All behaviour lives in
the ``tracker`` package; the commands live in ``tracker/commands/``, one module per command or
group, and are imported only when they run (or when help lists them), so that ``--help`` and
``--version`` stay fast.

Run ``python cli.py --help`` (or the installed ``tracker --help``).
"""

from __future__ import annotations

import importlib
import logging
import sys
from typing import Any

import click

from tracker import __version__
from tracker.commands.options import CONTEXT

#: command name -> "module:attribute" under tracker.commands, in the order help lists them
COMMANDS = {
    "ingest": "ingest:command",
    "status": "report:status",
    "show": "report:show",
    "timeline": "report:timeline",
    "export": "report:export",
    "feeds": "feeds:group",
    "evaluate": "evaluate:command",
    "explain": "explain:command",
    "db": "db:group",
}


class LazyGroup(click.Group):
    """A group whose subcommands are imported on first use (Click's documented lazy pattern)."""

    def __init__(self, *args: Any, lazy: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = lazy

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.lazy) + sorted(set(super().list_commands(ctx)) - set(self.lazy))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.lazy:
            return super().get_command(ctx, cmd_name)
        module, attr = self.lazy[cmd_name].split(":")
        return getattr(importlib.import_module(f"tracker.commands.{module}"), attr)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """List the commands with their whole one-line summary, never cut off."""
        rows = []
        for name in self.list_commands(ctx):
            cmd = self.get_command(ctx, name)
            if cmd is not None and not cmd.hidden:
                rows.append((name, cmd.get_short_help_str(limit=200)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


@click.group(cls=LazyGroup, lazy=COMMANDS, context_settings=CONTEXT)
@click.version_option(__version__, "-V", "--version", prog_name="tracker")
@click.option(
    "--database", "database", envvar="TRACKER_DATABASE_URL", metavar="URL",
    help="SQLAlchemy database URL [env TRACKER_DATABASE_URL; default: an SQLite file under "
    "$XDG_DATA_HOME/tracker, see 'tracker db path'].",
)
@click.option("-v", "--verbose", count=True, help="More log output on stderr (-vv for debug).")
@click.pass_context
def cli(ctx: click.Context, database: str | None, verbose: int) -> None:
    """Track facial-recognition bans, moratoria and restrictions: who adopted what, since when,
    and which article says so.

    \b
    Typical use:
      tracker ingest seeds/articles          # load articles (files, folders, URLs, -)
      tracker status                         # what is in force today
      tracker status --as-of 2020-07-01 --all --format json
    """
    level = logging.WARNING - 10 * verbose
    logging.basicConfig(level=max(level, logging.DEBUG), format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    ctx.obj = {"database": database}


def main() -> None:
    cli(prog_name="tracker")


if __name__ == "__main__":
    main()
