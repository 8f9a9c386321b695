"""``tracker evaluate``: score extraction against a labelled corpus."""

from __future__ import annotations

import click

from tracker.commands.options import CONTEXT, format_option


@click.command("evaluate", context_settings=CONTEXT)
@click.option("--articles", type=click.Path(exists=True, file_okay=False), default="seeds/articles", show_default=True, help="The folder of labelled articles.")
@click.option("--expected", type=click.Path(exists=True, dir_okay=False), default="seeds/evaluation.json", show_default=True, help="Their expected facts and status checks.")
@format_option(("text", "json"))
@click.option("--details", is_flag=True, help="List every missed and every extra fact.")
def command(articles: str, expected: str, fmt: str, details: bool) -> None:
    """Score extraction against a labelled corpus: precision and recall of the extracted status
    changes, and of 'status --all' on the corpus's check dates. Uses a temporary database.

    Example: tracker evaluate --details
    """
    from pathlib import Path

    from tracker.app import Tracker
    from tracker.evaluate import evaluate as run
    from tracker.report import render

    result = run(Path(articles), Path(expected), lambda url: Tracker(url))
    click.echo(render.evaluation_json(result) if fmt == "json" else render.evaluation_text(result, details=details))
