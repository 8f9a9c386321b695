"""``tracker explain``: what the extractor saw in an article and what it decided, and why."""

from __future__ import annotations

import datetime as dt

import click

from tracker.commands.options import CONTEXT, DATE, format_option, get_tracker, handle_errors


@click.command("explain", context_settings=CONTEXT, short_help="What the extractor saw in an article, sentence by sentence, and what it decided and why.")
@click.argument("where", metavar="FILE_OR_URL")
@click.option("--published", type=DATE, help="Publication date to read the article with (YYYY-MM-DD).")
@click.option("--all-sentences", "show_all", is_flag=True, help="Also list the sentences that were not analysed.")
@format_option(("text", "json"))
@click.pass_context
@handle_errors
def command(ctx: click.Context, where: str, published: dt.date | None, show_all: bool, fmt: str) -> None:
    """Explain the extraction of one article (a file, - for stdin, or an http(s) URL): for each
    sentence, the places and companies named, the event cues, the dates, and each decision
    with its reason, including the candidates thrown away. Nothing is stored.

    \b
    Example:
      tracker explain seeds/articles/006-oakland-ban.txt
    """
    import json

    from tracker.extract.extract import explain
    from tracker.ingest.pipeline import read_source, with_overrides

    tracker = get_tracker(ctx)
    article = with_overrides(read_source(where, tracker.fetcher_factory), published, None)
    article, facts, trace = explain(article, tracker.gazetteer)
    if fmt == "json":
        data = {"source": where, "published": article.published.isoformat() if article.published else None,
                "published_how": article.published_how.value, **trace.as_dict()}
        click.echo(json.dumps(data, indent=2))
        return
    click.echo(f"{where}: published {article.published or 'unknown'} ({article.published_how.value})")
    for s in trace.sentences:
        if s.skipped and not show_all:
            continue
        click.echo(f"\n[{s.index}] {s.text}")
        if s.skipped:
            click.echo(f"    skipped: {s.skipped}")
            continue
        for label, items in (("names", s.mentions), ("cues", s.cues), ("dates", s.times), ("decision", s.decisions), ("fact", s.facts)):
            for item in items:
                click.echo(f"    {label}: {item}")
    click.echo("")
    for note in trace.notes:
        click.echo(note)
    if not facts:
        click.echo("no facts")
