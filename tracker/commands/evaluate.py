"""``tracker evaluate``: score extraction against a labelled corpus."""

from __future__ import annotations

import click

from tracker.commands.options import CONTEXT, format_option, handle_errors


@click.command("evaluate", context_settings=CONTEXT, short_help="Score extraction against a labelled corpus: facts, dates, in force and calibration.")
@click.argument("corpus", required=False, type=click.Path(exists=True, file_okay=False))
@click.option("--articles", type=click.Path(exists=True, file_okay=False), help="The folder of labelled articles (the project's own format) [default: the seeds].")
@click.option("--expected", type=click.Path(exists=True, dir_okay=False), help="Their expected facts and status checks [default: seeds/evaluation.json].")
@format_option(("text", "json"))
@click.option("--details", is_flag=True, help="List every missed fact, false fact and wrong date.")
@handle_errors
def command(corpus: str | None, articles: str | None, expected: str | None, fmt: str, details: bool) -> None:
    """Score extraction against a labelled corpus, in a temporary database: fact precision and
    recall (subject + event class), date agreement, 'in force' precision and recall over dates,
    and calibration by confidence.

    CORPUS is a folder with a labels.jsonl (articles keyed by path, feed items keyed by link in
    an RSS file beside it). Without it, the project's own seeds/articles corpus is scored.

    \b
    Examples:
      tracker evaluate --details
      tracker evaluate ../shared/corpus/news-feeds --format json
    """
    from pathlib import Path

    from tracker.app import Tracker
    from tracker.evaluate import render
    from tracker.evaluate.corpus import evaluate_corpus, is_corpus
    from tracker.evaluate.expected import evaluate as run

    if corpus is not None and articles is None and is_corpus(Path(corpus)):
        result = evaluate_corpus(Path(corpus), lambda url: Tracker(url))
        click.echo(render.evaluation_json(result) if fmt == "json" else render.corpus_text(result, details=details))
        return
    if corpus is not None and articles is None and expected is None:
        raise click.UsageError(f"{corpus}: no labels.jsonl in this folder (or give --expected for the seeds format)")
    seeds = Path(__file__).resolve().parents[2] / "seeds"  # the source tree's, wherever we run
    folder = Path(articles or corpus or seeds / "articles")
    labels = Path(expected) if expected else seeds / "evaluation.json"
    if not labels.is_file() or not folder.is_dir():
        raise click.UsageError(f"{labels if not labels.is_file() else folder}: not there (the sample corpus comes with the source tree; give --articles and --expected)")
    result = run(folder, labels, lambda url: Tracker(url))
    click.echo(render.evaluation_json(result) if fmt == "json" else render.evaluation_text(result, details=details))
