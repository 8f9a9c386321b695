"""``tracker evaluate``: score extraction against a labelled corpus."""

from __future__ import annotations

import click

from tracker.commands.options import CONTEXT, fail, format_option


@click.command("evaluate", context_settings=CONTEXT)
@click.option("--articles", type=click.Path(exists=True, file_okay=False), help="The folder of labelled articles [default: seeds/articles of the source tree, from any directory].")
@click.option("--expected", type=click.Path(exists=True, dir_okay=False), help="Their expected facts and status checks [default: seeds/evaluation.json of the source tree].")
@format_option(("text", "json"))
@click.option("--details", is_flag=True, help="List every missed and every extra fact.")
def command(articles: str | None, expected: str | None, fmt: str, details: bool) -> None:
    """Score extraction against a labelled corpus: precision and recall of the extracted status
    changes, and of 'status --all' on the corpus's check dates. Uses a temporary database.

    Example: tracker evaluate --details
    """
    from pathlib import Path

    from tracker.app import Tracker
    from tracker.evaluate import evaluate as run
    from tracker.report import render

    seeds = Path(__file__).resolve().parents[2] / "seeds"  # the source tree's, wherever we run
    articles_path, expected_path = Path(articles or seeds / "articles"), Path(expected or seeds / "evaluation.json")
    for given, default in ((articles, articles_path), (expected, expected_path)):
        if given is None and not default.exists():
            fail(f"{default}: the sample corpus is not there (it comes with the source tree); give --articles and --expected")
    result = run(articles_path, expected_path, lambda url: Tracker(url))
    click.echo(render.evaluation_json(result) if fmt == "json" else render.evaluation_text(result, details=details))
