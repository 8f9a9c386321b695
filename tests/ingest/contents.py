"""What an ingest stored, by what identifies each row rather than by row ids or timestamps:
two databases built from the same input must give the same ``contents``, whatever the writer's
batching (tests/ingest/test_store_batch.py; bench/compare_ingest.py compares two versions)."""

from __future__ import annotations

from sqlalchemy import create_engine, text

#: Every column of the tables ingestion writes, ids replaced by the natural keys they point to;
#: run, clock and row ids left out.
QUERIES = {
    "sources": (
        "SELECT url, path, title, publisher, published_date, published_how, content_hash, text, "
        "feed_id, entry_id, entry_hash, encoding, origin FROM sources"
    ),
    "measures": (
        "SELECT m.natural_key, m.kind, m.scope, m.title, j.ocd_id, c.slug FROM measures m "
        "LEFT JOIN jurisdictions j ON j.id = m.jurisdiction_id LEFT JOIN companies c ON c.id = m.company_id"
    ),
    "status_changes": (
        "SELECT m.natural_key, s.content_hash, c.status, c.effective_date, c.precision, c.end_date, "
        "c.end_precision, c.duration_months, c.duration_days, c.open_ended, c.known_by, c.evidence, "
        "c.evidence_hash, c.confidence, c.origin, c.review FROM status_changes c "
        "JOIN measures m ON m.id = c.measure_id LEFT JOIN sources s ON s.id = c.source_id"
    ),
    "measure_periods": (
        "SELECT m.natural_key, p.seq, p.status, p.start_date, p.end_date, p.since, p.since_date, "
        "p.since_precision, p.until, p.until_date, p.until_precision, p.uncertain, p.known_by, "
        "p.effective_assumed, p.in_force_from_date, p.in_force_from_precision "
        "FROM measure_periods p JOIN measures m ON m.id = p.measure_id"
    ),
    "measure_evidence": (
        "SELECT m.natural_key, s.content_hash, c.status, c.evidence_hash, e.counts_from "
        "FROM measure_evidence e JOIN measures m ON m.id = e.measure_id "
        "JOIN status_changes c ON c.id = e.change_id LEFT JOIN sources s ON s.id = c.source_id"
    ),
}


def contents(url: str) -> dict[str, list[tuple[str, ...]]]:
    """Each table's rows as sorted tuples of strings (booleans as 0/1 on every database)."""

    def cell(value: object) -> str:
        return str(int(value)) if isinstance(value, bool) else str(value)

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return {
                name: sorted(tuple(map(cell, row)) for row in conn.execute(text(sql)))
                for name, sql in QUERIES.items()
            }
    finally:
        engine.dispose()
