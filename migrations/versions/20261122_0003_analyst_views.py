"""analyst views: measure_periods (the status cache) and the SQL views of docs/schema.md

Revision ID: 0003_analyst_views
Revises: 0002_feeds
Create Date: 2026-11-22 13:36:15.871423+00:00

``measure_periods`` caches ``tracker.report.status.state_on`` as periods (``tracker.report.periods``); it is
filled whenever facts are stored, and ``tracker db refresh`` recomputes it. A database that
already holds facts when it is upgraded to this revision needs one ``tracker db refresh``.

The views are part of the analysts' contract (docs/schema.md): add columns at the end, never
rename or drop one. On SQLite, a later migration that rebuilds a table in batch mode ("move and
copy") must drop these views first and create them again after, or run with
``PRAGMA legacy_alter_table=ON``: SQLite refuses to rename a table while a view names a table
that is missing ("error in view ...: no such table").
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0003_analyst_views'
down_revision: str | None = '0002_feeds'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STARTS = "('enacted', 'in_force', 'extended')"
ENDS = "('expired', 'failed', 'repealed', 'suspended')"


def _effect(status: str) -> str:
    """What a status change does: starts, ends or proposes the measure (tracker.report.status)."""
    return (
        f"CASE WHEN {status} IN {STARTS} THEN 'start' "
        f"WHEN {status} IN {ENDS} THEN 'end' ELSE 'proposal' END"
    )


def _iso(date: str, precision: str, dialect: str) -> str:
    """A date cut to its precision, as the CLI prints it: 2019, 2019-05 or 2019-05-14."""
    if dialect == "postgresql":
        day, month, year = (f"to_char({date}, '{f}')" for f in ("YYYY-MM-DD", "YYYY-MM", "YYYY"))
    else:  # SQLite keeps dates as YYYY-MM-DD text
        day, month, year = date, f"substr({date}, 1, 7)", f"substr({date}, 1, 4)"
    return (
        f"CASE COALESCE({precision}, 'day') WHEN 'day' THEN {day} "
        f"WHEN 'year' THEN {year} ELSE {month} END"
    )


def _views(dialect: str) -> list[tuple[str, str, str]]:
    """(name, what a row is, SELECT) for every view, in creation order."""
    in_force = "CASE WHEN p.status = 'in_force' AND p.start_date IS NOT NULL THEN TRUE ELSE FALSE END"
    subject_columns = (
        "s.measure_id, s.subject_type, s.subject, s.ocd_id, s.jurisdiction_kind, s.state_code, "
        "s.company_slug, s.kind, s.scope, s.title"
    )
    return [
        (
            "measure_subjects",
            "one row per measure: its subject (a jurisdiction or a company), kind, scope and title",
            """
SELECT
    m.id AS measure_id,
    CASE WHEN m.jurisdiction_id IS NOT NULL THEN 'jurisdiction' ELSE 'company' END AS subject_type,
    CASE WHEN j.kind IN ('place', 'county') AND j.state_code IS NOT NULL
         THEN j.name || ', ' || j.state_code
         ELSE COALESCE(j.name, c.name) END AS subject,
    j.ocd_id,
    j.kind AS jurisdiction_kind,
    j.state_code,
    c.slug AS company_slug,
    m.kind,
    m.scope,
    m.title,
    m.jurisdiction_id,
    m.company_id,
    m.created_at
FROM measures m
LEFT JOIN jurisdictions j ON j.id = m.jurisdiction_id
LEFT JOIN companies c ON c.id = m.company_id""",
        ),
        (
            "measure_status_periods",
            "one row per measure and period: the measure's status from start_date (inclusive) "
            "to end_date (exclusive; NULL = still); start_date NULL = a measure with no date",
            f"""
SELECT
    {subject_columns},
    p.seq AS period,
    p.status,
    {in_force} AS in_force,
    p.start_date,
    p.end_date,
    p.since,
    p.until,
    p.uncertain,
    p.since_date,
    p.since_precision,
    p.until_date,
    p.until_precision
FROM measure_periods p
JOIN measure_subjects s ON s.measure_id = p.measure_id""",
        ),
        (
            "measures_current",
            "one row per measure: its subject, kind, scope and its status today "
            "(NULL when nothing is known of it yet)",
            f"""
SELECT
    {subject_columns},
    p.status,
    {in_force} AS in_force,
    p.since,
    p.until,
    p.uncertain,
    p.since_date,
    p.until_date,
    (SELECT COUNT(*) FROM status_changes sc WHERE sc.measure_id = s.measure_id) AS changes,
    (SELECT COUNT(DISTINCT sc.source_id) FROM status_changes sc
      WHERE sc.measure_id = s.measure_id) AS sources
FROM measure_subjects s
LEFT JOIN measure_periods p ON p.measure_id = s.measure_id
    AND (p.start_date IS NULL OR p.start_date <= CURRENT_DATE)
    AND (p.end_date IS NULL OR CURRENT_DATE < p.end_date)""",
        ),
        (
            "measures_in_force_today",
            "one row per measure in force today (what 'tracker status' lists)",
            """
SELECT
    measure_id, subject_type, subject, ocd_id, jurisdiction_kind, state_code, company_slug,
    kind, scope, title, since, until, uncertain, since_date, until_date
FROM measure_status_periods
WHERE status = 'in_force'
  AND start_date <= CURRENT_DATE
  AND (end_date IS NULL OR CURRENT_DATE < end_date)""",
        ),
        (
            "status_change_evidence",
            "one row per status change: what happened to which measure, when, "
            "the sentence that says so and its source",
            f"""
SELECT
    sc.id AS change_id,
    {subject_columns},
    sc.status,
    {_effect('sc.status')} AS effect,
    {_iso('sc.effective_date', 'sc.precision', dialect)} AS date,
    sc.effective_date,
    sc.precision,
    CASE WHEN sc.effective_date IS NOT NULL THEN sc.effective_date
         WHEN NOT EXISTS (
             SELECT 1 FROM status_changes o
             WHERE o.measure_id = sc.measure_id AND o.effective_date IS NOT NULL
               AND {_effect('o.status')} = {_effect('sc.status')}
         ) THEN sc.known_by
    END AS counts_from,
    {_iso('sc.end_date', 'sc.end_precision', dialect)} AS until,
    sc.end_date,
    sc.end_precision,
    sc.duration_months,
    sc.duration_days,
    sc.open_ended,
    sc.known_by,
    sc.evidence,
    sc.confidence,
    sc.origin,
    sc.source_id,
    COALESCE(src.url, src.path) AS source,
    src.url AS source_url,
    src.path AS source_path,
    src.title AS source_title,
    src.publisher,
    src.published_date,
    src.published_how,
    sc.created_at AS recorded_at
FROM status_changes sc
JOIN measure_subjects s ON s.measure_id = sc.measure_id
LEFT JOIN sources src ON src.id = sc.source_id""",
        ),
    ]


AS_OF_FUNCTION = """
CREATE FUNCTION measures_as_of(as_of date) RETURNS SETOF measure_status_periods
LANGUAGE sql STABLE AS $$
    SELECT * FROM measure_status_periods
    WHERE (start_date IS NULL OR start_date <= as_of)
      AND (end_date IS NULL OR as_of < end_date)
$$"""


def upgrade() -> None:
    op.create_table('measure_periods',
    sa.Column('measure_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=True),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('since', sa.String(length=10), nullable=True),
    sa.Column('since_date', sa.Date(), nullable=True),
    sa.Column('since_precision', sa.String(length=10), nullable=True),
    sa.Column('until', sa.String(length=10), nullable=True),
    sa.Column('until_date', sa.Date(), nullable=True),
    sa.Column('until_precision', sa.String(length=10), nullable=True),
    sa.Column('uncertain', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['measure_id'], ['measures.id'], name=op.f('fk_measure_periods_measure_id_measures'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('measure_id', 'seq', name=op.f('pk_measure_periods'))
    )
    with op.batch_alter_table('measure_periods', schema=None) as batch_op:
        batch_op.create_index('ix_measure_periods_dates', ['start_date', 'end_date'], unique=False)

    dialect = op.get_bind().dialect.name
    for name, meaning, select in _views(dialect):
        op.execute(f"CREATE VIEW {name} AS{select}")
        if dialect == "postgresql":
            comment = f"{meaning} (docs/schema.md)".replace("'", "''")
            op.execute(f"COMMENT ON VIEW {name} IS '{comment}'")
    if dialect == "postgresql":
        op.execute(AS_OF_FUNCTION)
        op.execute(
            "COMMENT ON FUNCTION measures_as_of(date) IS "
            "'every measure with its status on the day given (tracker status --all --as-of)'"
        )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS measures_as_of(date)")
    for name, _, _ in reversed(_views(dialect)):
        op.execute(f"DROP VIEW IF EXISTS {name}")

    with op.batch_alter_table('measure_periods', schema=None) as batch_op:
        batch_op.drop_index('ix_measure_periods_dates')

    op.drop_table('measure_periods')
