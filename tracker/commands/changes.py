"""``changes``: what the tracker learned in a window of time."""

from __future__ import annotations

import click

from tracker.commands.options import (
    CONTEXT,
    SINCE,
    STREAMED_FORMATS,
    Since,
    emit,
    format_option,
    get_tracker,
    handle_errors,
    terminal_width,
)

#: the report formats, and an Atom feed for feed readers
FORMATS = (*STREAMED_FORMATS, "atom")


@click.command("changes", context_settings=CONTEXT)
@click.option("--since", type=SINCE, default="7d", show_default=True,
              help="From this day (2021-01-01, 2021-01, 2021), or this far back from today (7d, 2w, 1m, 1y).")
@click.option("--feed-id", default="urn:tracker:changes", show_default=True, metavar="URI",
              help="The Atom feed's id (use your published feed's URL).")
@format_option(FORMATS, help="table for people; json: one object; csv: a line per change; ndjson: an object per change; atom: a feed for feed readers.")
@click.pass_context
@handle_errors
def command(ctx: click.Context, since: Since, feed_id: str, fmt: str) -> None:
    """What the tracker learned: new measures, new status changes, and facts people confirmed,
    rejected or corrected, each with its evidence, by the day the tracker learned it.

    \b
    Examples:
      tracker changes --since 7d
      tracker changes --since 2021-01-01 --format csv > changes.csv
      tracker changes --since 7d --format atom > /var/www/tracker/changes.xml
    """
    from tracker.commands.options import EchoStream
    from tracker.curate import changes

    tracker = get_tracker(ctx)
    now = tracker.clock()
    start = since.on(now.date())
    # streamed: read in batches, written a change at a time, on a read that takes no write lock
    with tracker.sessions(bind=tracker.engine.connect().execution_options(sqlite_begin="DEFERRED")) as session:
        try:
            entries = changes.stream(session, start, now)
            if fmt == "atom":
                out = EchoStream()
                for chunk in changes.atom_chunks(entries, start, now, feed_id):
                    out.write(chunk)
                out.flush()
                return
            emit(
                fmt,
                table=lambda: changes.table_chunks(entries, start, now, width=terminal_width()),
                document=lambda: changes.json_chunks(entries, start),
                columns=changes.FIELDS, rows=lambda: changes.as_rows(entries),
            )
        finally:
            session.get_bind().close()  # type: ignore[union-attr]
