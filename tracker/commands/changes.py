"""``changes``: what the tracker learned in a window of time."""

from __future__ import annotations

import click

from tracker.commands.options import CONTEXT, format_option, get_tracker, handle_errors


@click.command("changes", context_settings=CONTEXT)
@click.option("--since", "since_text", default="7d", show_default=True, metavar="DATE|7d|1m|1y",
              help="From this day, or this far back from today (d days, w weeks, m months, y years).")
@click.option("--feed-id", default="urn:tracker:changes", show_default=True, metavar="URI",
              help="The Atom feed's id (use your published feed's URL).")
@format_option(("table", "json", "csv", "atom"), help="table for people; json, csv for scripts; atom for feed readers.")
@click.pass_context
@handle_errors
def command(ctx: click.Context, since_text: str, feed_id: str, fmt: str) -> None:
    """What the tracker learned: new measures, new status changes, and facts people confirmed,
    rejected or corrected, each with its evidence, by the day the tracker learned it.

    \b
    Examples:
      tracker changes --since 7d
      tracker changes --since 2021-01-01 --format csv > changes.csv
      tracker changes --since 7d --format atom > /var/www/tracker/changes.xml
    """
    from tracker.curate import changes

    tracker = get_tracker(ctx)
    now = tracker.clock()
    try:
        since = changes.parse_since(since_text, now.date())
    except ValueError as e:
        raise click.BadParameter(str(e), param_hint="--since") from None
    with tracker.sessions() as session:
        entries = changes.collect(session, since, now)
    if fmt == "json":
        click.echo(changes.as_json(entries, since))
    elif fmt == "csv":
        click.echo(changes.as_csv(entries), nl=False)
    elif fmt == "atom":
        click.echo(changes.as_atom(entries, since, now, feed_id), nl=False)
    else:
        click.echo(changes.as_table(entries, since, now))
