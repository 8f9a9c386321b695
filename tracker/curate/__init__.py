"""Curation: the decisions people make about facts (confirm, reject, correct, add), the
sources they remove, re-extraction that keeps every decision, the review queue and the feed of
what changed. ``rules`` (which facts count) is pure; the other modules work in a session."""
