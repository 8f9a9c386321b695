"""A feed entry whose content changes is re-extracted; people's decisions about its facts stay,
and a manual fact on the same measure still outranks what extraction says."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from tracker.curate import decisions
from tracker.data import Article
from tracker.feeds.entries import update_entry
from tracker.models import Decision, StatusChange
from tracker.vocab import DateSource

from ..conftest import FIXED_NOW
from ..report.test_views import OAKLAND, SF, add_article, fact


def _facts(tracker, source_id):  # type: ignore[no-untyped-def]
    with tracker.sessions() as session:
        return session.execute(
            select(StatusChange.id, StatusChange.measure_id, StatusChange.review)
            .where(StatusChange.source_id == source_id).order_by(StatusChange.id)
        ).all()


def test_decisions_survive_a_feed_update(tracker):
    wrong = fact(OAKLAND, "enacted", "2019-01-05", evidence="Oakland banned it in January 2019.")
    right = fact(SF, "enacted", "2019-05-14", evidence="San Francisco banned it on May 14, 2019.")
    source = add_article(tracker, [wrong, right], "2019-06-01")
    (oak, oak_measure, _), (sf, _, _) = _facts(tracker, source)
    with tracker.sessions.begin() as session:
        decisions.reject(session, oak, by="ed", reason="wrong date", now=FIXED_NOW)
        decisions.confirm(session, sf, by="ed", reason=None, now=FIXED_NOW)
    assert tracker.status(dt.date(2019, 6, 1), jurisdiction="Oakland").rows == ()
    article = Article(text="An updated text. " + wrong.evidence + " " + right.evidence, title="Updated",
                      published=dt.date(2019, 6, 1), published_how=DateSource.GIVEN)
    with tracker.sessions.begin() as session:
        outcome = update_entry(session, source, article, [wrong, right], FIXED_NOW, "feed entry", "hash2")
    assert outcome.result == "updated" and outcome.facts == 2
    after = _facts(tracker, source)
    assert sorted(row.review for row in after) == ["confirmed", "rejected"]  # the same verdicts
    with tracker.sessions() as session:  # and the decisions name the new rows
        named = set(session.scalars(select(Decision.change_id)))
    assert named == {row.id for row in after}
    assert tracker.status(dt.date(2019, 6, 1), jurisdiction="Oakland").rows == ()
    sf_row = tracker.status(dt.date(2019, 6, 1), jurisdiction="San Francisco, CA").rows[0]
    assert sf_row.reviewed is True
    # a manual fact on a measure outranks an unconfirmed extracted start of the same measure
    with tracker.sessions.begin() as session:
        decisions.add(session, decisions.ManualFact(
            subject="Oakland, CA", kind=fact(OAKLAND, "enacted", None).kind, status=wrong.status,
            date=None, source="https://example.org/oakland", quote="Oakland's council voted in July 2019.",
            published=dt.date(2019, 7, 17)), by="ed", reason=None, now=FIXED_NOW)
    oakland = tracker.status(dt.date(2019, 8, 1), jurisdiction="Oakland").rows[0]
    assert oakland.state.since is None and oakland.state.known_by == dt.date(2019, 7, 17)
    assert oakland.measure_id == oak_measure and oakland.reviewed


def test_the_reviews_view_shows_decisions(tracker):
    from sqlalchemy import text

    source = add_article(tracker, [fact(OAKLAND, "enacted", "2019-07-16"), fact(SF, "enacted", "2019-05-14")], "2019-08-01")
    (oak, _, _), (sf, _, _) = _facts(tracker, source)
    with tracker.sessions.begin() as session:
        decisions.reject(session, oak, by="ed", reason="not so", now=FIXED_NOW)
    with tracker.engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT change_id, review, counts, reviewed, decision, made_by, reason FROM status_change_reviews ORDER BY change_id"
        )).all()
    assert [tuple(r) for r in rows] == [
        (oak, "rejected", False, False, "reject", "ed", "not so"),
        (sf, None, True, False, None, None, None),
    ]
