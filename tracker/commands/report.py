"""The report commands: ``status``, ``show``, ``timeline`` and ``export``."""

from __future__ import annotations

import datetime as dt

import click

from tracker import DISTRIBUTION
from tracker.commands.options import (
    CONTEXT,
    DATE,
    ID,
    SINCE,
    STREAMED_FORMATS,
    Since,
    emit,
    format_option,
    get_tracker,
    handle_errors,
    terminal_width,
)


@click.command("status", context_settings=CONTEXT)
@click.option("--as-of", type=DATE, help="The day to report on (default: today).")
@click.option("--all", "include_all", is_flag=True, help="Every known measure with its status on that day, not only those in force.")
@click.option("--jurisdiction", metavar="NAME", help='Only this jurisdiction: a name ("Portland, Oregon", "Portland, ME"), an alias or an OCD id.')
@click.option("--company", metavar="NAME", help="Only this company (name, alias or product).")
@click.option("--within", metavar="NAME", help='Roll up a jurisdiction with everything under it: "Massachusetts" gives the state, its counties and its cities.')
@click.option("--include-federal", is_flag=True, help="With --within: add the national level.")
@click.option("--reviewed", "reviewed_only", is_flag=True, help="Only facts a person confirmed or entered ('tracker review').")
@click.option("--min-confidence", type=click.FloatRange(0, 1), metavar="X", help="Only facts with at least this confidence (0-1); reviewed facts always count.")
@format_option(STREAMED_FORMATS, help="table for people; json: one object; csv: a line per measure; ndjson: an object per measure.")
@click.pass_context
@handle_errors
def status(ctx: click.Context, as_of: dt.date | None, include_all: bool, jurisdiction: str | None, company: str | None,
           within: str | None, include_federal: bool, reviewed_only: bool, min_confidence: float | None, fmt: str) -> None:
    """What facial-recognition measures are in force where, as of a day.

    \b
    Examples:
      tracker status
      tracker status --as-of 2020-07-01 --all
      tracker status --jurisdiction "Portland, ME" --format json
      tracker status --within Mass. --as-of 2021-03-01
      tracker status --reviewed --min-confidence 0.7
    """
    from tracker.report import render, rows

    if include_federal and not within:
        raise click.UsageError("--include-federal goes with --within NAME")
    filters: dict[str, object] = {}
    if within:
        filters.update(within=within, include_federal=include_federal)
    tracker = get_tracker(ctx)
    day = as_of or tracker.today()
    if reviewed_only or min_confidence is not None:
        # these change which facts count: computed in Python, not read from the periods cache
        if reviewed_only:
            filters["reviewed_only"] = True
        if min_confidence is not None:
            filters["min_confidence"] = min_confidence
        found = tracker.status(day, include_all=include_all, jurisdiction=jurisdiction, company=company, **filters).rows
    else:
        found = tracker.status_rows(day, include_all=include_all, jurisdiction=jurisdiction, company=company, **filters)  # type: ignore[arg-type]
    emit(
        fmt,
        table=lambda: render.status_table_chunks(day, found, include_all=include_all, by_level=bool(within), width=terminal_width()),
        document=lambda: render.status_json_chunks(day, found),
        columns=rows.STATUS_COLUMNS, rows=lambda: rows.status_flat(day, found), objects=lambda: rows.status_ndjson(day, found),
    )


@click.command("show", context_settings=CONTEXT)
@click.argument("measure_id", type=ID)
@click.option("--as-of", type=DATE, help="The day its status is given for (default: today).")
@format_option(STREAMED_FORMATS, help="table for people; json: the measure with its history; csv and ndjson: a row per status change.")
@click.pass_context
@handle_errors
def show(ctx: click.Context, measure_id: int, as_of: dt.date | None, fmt: str) -> None:
    """A measure's full history, with every piece of evidence.

    \b
    Examples:
      tracker show 3
      tracker show 3 --format csv > history.csv
    """
    from tracker.report import render, rows

    history = get_tracker(ctx).history(measure_id, as_of)
    emit(
        fmt,
        table=lambda: render.history_table(history, width=terminal_width()),
        document=lambda: render.history_json(history),
        columns=rows.HISTORY_COLUMNS, rows=lambda: rows.history_rows(history),
    )


@click.command("export", context_settings=CONTEXT)
@format_option(STREAMED_FORMATS, default="csv", help="csv: a header, then a line per row; json: one array of objects; ndjson: an object per line; table: aligned columns for reading.")
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
@click.option("--within", metavar="NAME", help='Roll up a jurisdiction with everything under it: "Massachusetts" gives the state, its counties and its cities.')
@click.option("--include-federal", is_flag=True, help="With --within: add the national level.")
@click.option("--since", type=SINCE, help="Only what happened on or after this day (2020-01-01, 2020) or in this last stretch of time (7d, 2w, 1m, 1y).")
@format_option(STREAMED_FORMATS, help="table for people; json: one object; csv: a line per event; ndjson: an object per event.")
@click.option("--chart", "chart_path", metavar="PATH", type=click.Path(dir_okay=False),
              help=f"Draw a chart to PATH.svg or PATH.png instead of printing the text (needs matplotlib: pip install '{DISTRIBUTION}[chart]').")
@click.pass_context
@handle_errors
def timeline(ctx: click.Context, jurisdiction: str | None, company: str | None, within: str | None, include_federal: bool,
             since: Since | None, fmt: str, chart_path: str | None) -> None:
    """The history of measures, newest first, with the evidence for each status change.

    \b
    Examples:
      tracker timeline
      tracker timeline --jurisdiction "Portland, Oregon" --since 2020-01-01
      tracker timeline --since 1y --format csv
      tracker timeline --within Mass. --since 2020
      tracker timeline --chart timeline.png
    """
    from tracker.report import rows
    from tracker.report.timeline import (
        flat_records,
        json_chunks,
        load_timeline,
        open_timeline,
        records,
        text_chunks,
    )

    if jurisdiction and company:
        raise click.UsageError("give --jurisdiction or --company, not both")
    if include_federal and not within:
        raise click.UsageError("--include-federal goes with --within NAME")
    tracker = get_tracker(ctx)
    today = tracker.today()
    window = since.on(today) if since else None
    places = {"within": within, "include_federal": include_federal}
    if chart_path:
        from tracker.report.chart import draw_chart, empty_reason, is_empty

        result = load_timeline(tracker.sessions, today, jurisdiction=jurisdiction, company=company, since=window, **places)
        n = 0 if is_empty(result) else len(result.measures)
        note = f"; {empty_reason(result)}" if is_empty(result) else ""
        click.echo(f"chart written to {draw_chart(result, chart_path)} ({n} measure{'' if n == 1 else 's'}{note})", err=True)
        return
    # streamed: read a batch of measures at a time, written an event at a time
    stream = open_timeline(tracker.engine, tracker.sessions, today, jurisdiction=jurisdiction, company=company, since=window, **places)
    emit(
        fmt,
        table=lambda: text_chunks(stream, width=terminal_width()),
        document=lambda: json_chunks(stream),
        columns=rows.TIMELINE_COLUMNS, rows=lambda: flat_records(stream), objects=lambda: records(stream),
    )
