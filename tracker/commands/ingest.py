"""``tracker ingest``: load articles from files, folders, stdin and URLs."""

from __future__ import annotations

import datetime as dt
import sys
from typing import Any

import click

from tracker.commands.options import (
    CONTEXT,
    DATE,
    SUMMARY_FORMATS,
    format_option,
    get_tracker,
    handle_errors,
    no_op,
)


@click.command("ingest", context_settings=CONTEXT)
@click.argument("inputs", nargs=-1, required=True, metavar="PATH_OR_URL...")
@click.option("--published", type=DATE, help="Publication date of a single article (YYYY-MM-DD).")
@click.option("--url", help="The URL a single article (a file or stdin) was published at.")
@format_option(SUMMARY_FORMATS, help="Summary format.")
@click.option("--progress/--no-progress", default=None, help="A progress bar on stderr with the count, the rate and the time left (default: when stderr is a terminal).")
@click.option("-j", "--jobs", type=click.IntRange(min=1), metavar="N",
              help="Worker processes that read and extract articles (default: one per CPU core); one writer stores them in order.")
@click.pass_context
@handle_errors
def command(ctx: click.Context, inputs: tuple[str, ...], published: dt.date | None, url: str | None, fmt: str, progress: bool | None, jobs: int | None) -> None:
    """Load articles: .txt, .md and .html files, folders of them, - for stdin, http(s) URLs.

    Each article is stored in its own transaction; an article already stored (same text or
    URL) is a duplicate and changes nothing. Errors name the input and the run goes on; the
    exit code is 1 if any input failed.

    \b
    Examples:
      tracker ingest seeds/articles
      curl -s https://example.org/story.html | tracker ingest - --url https://example.org/story.html
      tracker ingest note.txt --published 2021-05-19
      tracker ingest --jobs 2 archive/
    """
    from tracker.commands.progress import ProgressBar
    from tracker.ingest.pipeline import expand_inputs
    from tracker.report import render

    articles = list(expand_inputs(inputs))
    if published or url:
        check_single_article(inputs, articles)
    tracker = get_tracker(ctx)
    show = sys.stderr.isatty() if progress is None else progress
    with ProgressBar(len(articles), "ingesting", sys.stderr) if show else no_op() as bar:
        def step(outcome: Any) -> None:
            text = f"error: {outcome.where}: {outcome.error}" if outcome.error else None
            if bar is None:
                if text:
                    click.echo(text, err=True)
                return
            if text:
                bar.message(text)
            bar.update(1)
        summary = tracker.ingest(articles, published=published, url=url, progress=step, jobs=jobs)
    click.echo(render.summary_json(summary) if fmt == "json" else render.summary_line(summary))
    if summary.failed:
        sys.exit(1)


def check_single_article(inputs: tuple[str, ...], articles: list[str]) -> None:
    """``--published`` and ``--url`` describe one article: refuse a folder (even one holding a
    single file: what it holds may grow) and anything that expands to several articles."""
    from pathlib import Path

    folders = [i for i in inputs if i != "-" and "://" not in i and Path(i).is_dir()]
    if folders:
        raise click.UsageError(f"--published and --url apply to a single article, not a folder ({folders[0]})")
    if len(articles) != 1:
        raise click.UsageError(f"--published and --url apply to a single article, not {len(articles)} articles")
