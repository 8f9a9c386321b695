"""The report commands: ``status``, ``show``, ``timeline`` and ``export``."""

from __future__ import annotations

import datetime as dt

import click

from tracker.commands.options import (
    CONTEXT,
    DATE,
    REPORT_FORMATS,
    format_option,
    get_tracker,
    handle_errors,
)

EXPORT_FORMATS = ("csv", "json", "ndjson")  # tracker.report.export.FORMATS


@click.command("status", context_settings=CONTEXT)
@click.option("--as-of", type=DATE, help="The day to report on (default: today).")
@click.option("--all", "include_all", is_flag=True, help="Every known measure with its status on that day, not only those in force.")
@click.option("--jurisdiction", metavar="NAME", help='Only this jurisdiction: a name ("Portland, Oregon", "Portland, ME"), an alias or an OCD id.')
@click.option("--company", metavar="NAME", help="Only this company (name, alias or product).")
@format_option(REPORT_FORMATS)
@click.pass_context
@handle_errors
def status(ctx: click.Context, as_of: dt.date | None, include_all: bool, jurisdiction: str | None, company: str | None, fmt: str) -> None:
    """What facial-recognition measures are in force where, as of a day.

    \b
    Examples:
      tracker status
      tracker status --as-of 2020-07-01 --all
      tracker status --jurisdiction "Portland, Maine" --format json
    """
    from tracker.report import render

    tracker = get_tracker(ctx)
    day = as_of or tracker.today()
    rows = tracker.status_rows(day, include_all=include_all, jurisdiction=jurisdiction, company=company)
    out = _Echo()
    if fmt == "json":
        render.write_status_json(day, rows, out)
    elif fmt == "csv":
        render.write_status_csv(day, rows, out)
    else:
        render.write_status_table(day, rows, out, include_all=include_all)
    out.flush()


class _Echo:
    """A text stream over ``click.echo`` (which writes what the terminal can show), buffered:
    reports are written a measure at a time, and echo flushes on every call."""

    def __init__(self, size: int = 1 << 16) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.size = size

    def write(self, text: str) -> int:
        self.parts.append(text)
        self.length += len(text)
        if self.length >= self.size:
            self.flush()
        return len(text)

    def flush(self) -> None:
        if self.parts:
            click.echo("".join(self.parts), nl=False)
            self.parts, self.length = [], 0


@click.command("show", context_settings=CONTEXT)
@click.argument("measure_id", type=int)
@click.option("--as-of", type=DATE, help="The day its status is given for (default: today).")
@format_option(("table", "json"))
@click.pass_context
@handle_errors
def show(ctx: click.Context, measure_id: int, as_of: dt.date | None, fmt: str) -> None:
    """A measure's full history, with every piece of evidence.

    Example: tracker show 3
    """
    from tracker.report import render

    history = get_tracker(ctx).history(measure_id, as_of)
    click.echo(render.history_json(history) if fmt == "json" else render.history_table(history))


@click.command("export", context_settings=CONTEXT)
@format_option(EXPORT_FORMATS, help="csv: a header, then a line per row; json: one array of objects; ndjson: an object per line.")
@click.option("--table", metavar="NAME", help="The table to export (e.g. status_changes).")
@click.option("--view", metavar="NAME", help="The view to export (e.g. measures_current; docs/schema.md lists them).")
@click.option("-o", "--output", metavar="PATH", type=click.Path(dir_okay=False, writable=True), help="Write to this file (default: stdout).")
@click.pass_context
@handle_errors
def export(ctx: click.Context, fmt: str, table: str | None, view: str | None, output: str | None) -> None:
    """Export a whole table or view, streamed: a database of any size exports in constant memory.

    \b
    Examples:
      tracker export --view measures_current > measures.csv
      tracker export --view status_change_evidence --format ndjson -o evidence.ndjson
      tracker export --table measures --format json
    """
    from tracker.report.export import export_relation, relations

    engine = get_tracker(ctx).engine
    if bool(table) == bool(view):
        names = relations(engine)
        raise click.UsageError(f"give one of --table NAME or --view NAME (tables: {', '.join(names['table'])}; views: {', '.join(names['view'])})")
    with click.open_file(output or "-", "w", encoding="utf-8", lazy=True) as out:
        count = export_relation(engine, table or view or "", "table" if table else "view", fmt, out)
    if output:
        click.echo(f"{count} rows written to {output}", err=True)


@click.command("timeline", context_settings=CONTEXT)
@click.option("--jurisdiction", metavar="NAME", help='Only this jurisdiction: a name ("Portland, Oregon"), an alias or an OCD id.')
@click.option("--company", metavar="NAME", help="Only this company (name, alias or product).")
@click.option("--since", type=DATE, help="Only what happened on or after this day.")
@click.option("--chart", "chart_path", metavar="PATH", type=click.Path(dir_okay=False),
              help="Draw a chart to PATH.svg or PATH.png instead of printing the text (needs matplotlib: pip install 'tracker[chart]').")
@click.pass_context
@handle_errors
def timeline(ctx: click.Context, jurisdiction: str | None, company: str | None, since: dt.date | None, chart_path: str | None) -> None:
    """The history of measures, newest first, with the evidence for each status change.

    \b
    Examples:
      tracker timeline
      tracker timeline --jurisdiction "Portland, Oregon" --since 2020-01-01
      tracker timeline --chart timeline.png
    """
    from tracker.report.timeline import format_text, load_timeline

    if jurisdiction and company:
        raise click.UsageError("give --jurisdiction or --company, not both")
    tracker = get_tracker(ctx)
    result = load_timeline(tracker.sessions, tracker.today(), jurisdiction=jurisdiction, company=company, since=since)
    if chart_path:
        from tracker.report.chart import draw_chart

        click.echo(f"chart written to {draw_chart(result, chart_path)} ({len(result.measures)} measures)", err=True)
    else:
        click.echo(format_text(result))
