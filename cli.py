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
from tracker.commands.options import (
    CONTEXT,
    SIZE,
    Group,
    log_formatter,
    quiet_third_parties,
    start_up_gc,
)

#: command name -> "module:attribute" under tracker.commands, in the order help lists them
COMMANDS = {
    "ingest": "ingest:command",
    "status": "report:status",
    "show": "report:show",
    "timeline": "report:timeline",
    "export": "report:export",
    "review": "curate:review",
    "facts": "curate:facts",
    "sources": "sources:group",
    "reextract": "sources:reextract",
    "changes": "changes:command",
    "feeds": "feeds:group",
    "evaluate": "evaluate:command",
    "explain": "explain:command",
    "db": "db:group",
}


class LazyGroup(Group):
    """A group whose subcommands are imported on first use (Click's documented lazy pattern);
    its help lists their whole summaries (``Group``)."""

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


@click.group(cls=LazyGroup, lazy=COMMANDS, context_settings=CONTEXT)
@click.version_option(__version__, "-V", "--version", prog_name="tracker")
@click.option(
    "--database", "database", envvar="TRACKER_DATABASE_URL", metavar="URL_OR_PATH",
    help="An SQLite file path (./fr.sqlite) or a database URL (postgres://me@host/db, "
    "sqlite:////abs/path) [env TRACKER_DATABASE_URL; default: an SQLite file under "
    "$XDG_DATA_HOME/tracker, see 'tracker db path'].",
)
@click.option("-v", "--verbose", count=True, help="More log output on stderr (-vv for debug).")
@click.option(
    "--timeout", type=click.FloatRange(0.1, 3600), envvar="TRACKER_TIMEOUT", metavar="SECONDS",
    help="Total deadline for each HTTP response, redirects included [env TRACKER_TIMEOUT; default: 30].",
)
@click.option(
    "--max-bytes", type=SIZE, envvar="TRACKER_MAX_BYTES", metavar="SIZE",
    help="Size cap on every input: HTTP, files, stdin (bytes, or 500K, 20M) [env TRACKER_MAX_BYTES; default: 10M].",
)
@click.option(
    "--allow-private-hosts", is_flag=True, envvar="TRACKER_ALLOW_PRIVATE_HOSTS",
    help="Let links from feeds, and redirects, reach private, loopback and link-local addresses "
    "(a trusted intranet) [env TRACKER_ALLOW_PRIVATE_HOSTS].",
)
@click.pass_context
def cli(
    ctx: click.Context, database: str | None, verbose: int, timeout: float | None,
    max_bytes: int | None, allow_private_hosts: bool,
) -> None:
    """Track facial-recognition bans, moratoria and restrictions: who adopted what, since when,
    and which article says so.

    \b
    Typical use:
      tracker ingest seeds/articles          # load articles (files, folders, URLs, -)
      tracker status                         # what is in force today
      tracker status --as-of 2020-07-01 --all --format json
    """
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(log_formatter())
    logging.basicConfig(level=max(logging.WARNING - 10 * verbose, logging.DEBUG), handlers=[handler])
    quiet_third_parties(verbose)
    limits = {"timeout": timeout, "max_bytes": max_bytes, "allow_private_hosts": allow_private_hosts}
    ctx.obj = {"database": database, "limits": {k: v for k, v in limits.items() if v}}


def main() -> None:
    start_up_gc()  # until the Tracker is open: a faster start (tracker.commands.options)
    cli(prog_name="tracker")


if __name__ == "__main__":
    main()
