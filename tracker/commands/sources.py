"""``sources list|show|remove`` and ``reextract``."""

from __future__ import annotations

import json

import click

from tracker.commands.options import (
    CONTEXT,
    ID,
    STREAMED_FORMATS,
    emit,
    format_option,
    get_tracker,
    handle_errors,
)
from tracker.formats import plural


@click.group("sources", context_settings=CONTEXT)
def group() -> None:
    """The ingested sources: list them, show one with its facts, remove one.

    \b
    Examples:
      tracker sources list
      tracker sources show 12
      tracker sources remove 12     # and the facts it gave
    """


@group.command("list", context_settings=CONTEXT)
@click.option("--search", metavar="TEXT", help="Only sources whose URL, path or title contains TEXT.")
@format_option(STREAMED_FORMATS, help="table for people; json: one array; csv: a line per source; ndjson: an object per source.")
@click.pass_context
@handle_errors
def list_command(ctx: click.Context, search: str | None, fmt: str) -> None:
    """List every source with how many facts cite it.

    \b
    Examples:
      tracker sources list --search portland
      tracker sources list --format csv > sources.csv
    """
    from tracker.curate.sources import COLUMNS, list_sources

    with get_tracker(ctx).sessions() as session:
        rows = list_sources(session, search=search)

    def table() -> str:
        lines = []
        for r in rows:
            pub = (r.published or "date unknown") + (" (guessed)" if r.published_guessed else "")
            extra = f", {r.rejected} rejected" if r.rejected else ""
            manual = " [manual]" if r.origin == "manual" else ""
            lines.append(f"[{r.id}] {r.where}{manual}  {pub}  {plural(r.facts, 'fact')}{extra}")
        return "\n".join([*lines, f"{plural(len(rows), 'source')}."])

    emit(fmt, table=table, document=lambda: [r.as_dict() for r in rows], columns=COLUMNS,
         rows=lambda: (r.as_dict() for r in rows))


@group.command("show", context_settings=CONTEXT)
@click.argument("source_id", type=ID)
@format_option(("table", "json"))
@click.pass_context
@handle_errors
def show(ctx: click.Context, source_id: int, fmt: str) -> None:
    """A source and the facts it gave, with their ids and any decision.

    Example: tracker sources show 28
    """
    import textwrap

    from tracker.curate.sources import show_source

    with get_tracker(ctx).sessions() as session:
        info, facts = show_source(session, source_id)
    if fmt == "json":
        data = info.as_dict()
        data["facts"] = [
            {"id": f.id, "measure": f.measure_id, "summary": f.summary, "quote": f.quote,
             "confidence": f.confidence, "origin": f.origin, "review": f.review}
            for f in facts
        ]
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    pub = (info.published or "date unknown") + (" (guessed)" if info.published_guessed else "")
    click.echo(f"Source {info.id}: {info.title or '(no title)'}")
    click.echo(f"  {info.where}, published {pub}, ingested {info.ingested_at}" + (" [manual]" if info.origin == "manual" else ""))
    click.echo("")
    for f in facts:
        mark = f" [{f.review}]" if f.review else ""
        click.echo("\n".join(textwrap.wrap(f"{f.summary}{mark} (confidence {f.confidence:.2f}, {f.origin})", 96,
                                           initial_indent="  ", subsequent_indent="      ")))
        click.echo("\n".join(textwrap.wrap(f"\u201c{f.quote}\u201d", 96, initial_indent="      ", subsequent_indent="      ")))
    if not facts:
        click.echo("  (no facts)")


@group.command("remove", context_settings=CONTEXT)
@click.argument("source_ids", type=ID, nargs=-1, required=True)
@click.pass_context
@handle_errors
def remove(ctx: click.Context, source_ids: tuple[int, ...]) -> None:
    """Remove sources and the facts they gave; a measure left with no fact goes too.

    Example: tracker sources remove 61
    """
    from tracker.curate.sources import remove_source

    tracker = get_tracker(ctx)
    for source_id in source_ids:
        with tracker.sessions.begin() as session:
            info, facts, measures = remove_source(session, source_id)
        click.echo(f"removed source {info.id} ({info.where}): {facts} fact{'s' if facts != 1 else ''}, "
                   f"{measures} measure{'s' if measures != 1 else ''} left with no fact")


@click.command("reextract", context_settings=CONTEXT)
@click.argument("source_ids", type=ID, nargs=-1)
@click.option("--all", "all_sources", is_flag=True, help="Every ingested source.")
@format_option(("text", "json"))
@click.pass_context
@handle_errors
def reextract(ctx: click.Context, source_ids: tuple[int, ...], all_sources: bool, fmt: str) -> None:
    """Run the current extractor again over stored texts, keeping every decision people made.

    This is how an improved extractor reaches an existing database. Each source is re-extracted
    in its own transaction; facts people confirmed, rejected or corrected stay so, and facts
    entered by hand are not touched.

    \b
    Examples:
      tracker reextract --all
      tracker reextract 12 28
    """
    from tracker.curate.sources import reextract as run

    if bool(source_ids) == all_sources:
        raise click.UsageError("give source ids or --all ('tracker sources list' lists the ids)")
    results = run(get_tracker(ctx), None if all_sources else source_ids)
    if fmt == "json":
        click.echo(json.dumps([r.__dict__ for r in results], indent=2, ensure_ascii=False))
        return
    before = sum(r.before for r in results)
    after = sum(r.after for r in results)
    kept = sum(r.decisions_kept for r in results)
    total = sum(r.decisions_total for r in results)
    click.echo(f"{len(results)} source{'s' if len(results) != 1 else ''} re-extracted: {before} facts before, "
               f"{after} after; {kept} of {total} decisions about them applied again")
