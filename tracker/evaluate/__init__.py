"""Evaluation of extraction against hand-labelled corpora, in a temporary database.

    expected   the project's own format: a folder of articles and ``seeds/evaluation.json``
    corpus     the shared format: a folder with ``labels.jsonl`` (articles keyed by ``path``,
               feed items keyed by ``link`` in an RSS file beside it)
    calibrate  how often facts are right, by confidence bucket
    render     text and JSON for both
"""

from tracker.evaluate.expected import Evaluation, evaluate

__all__ = ["Evaluation", "evaluate"]
