"""The relational schema, as SQLAlchemy 2 typed declarative models.

The migrations under ``migrations/versions`` create exactly this (``alembic check`` proves it);
production code never calls ``create_all``. Analysts should read the views documented in
``docs/schema.md`` rather than these tables.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timezone-aware UTC timestamp on every backend (SQLite stores no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):  # type: ignore[no-untyped-def]
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value, dialect):  # type: ignore[no-untyped-def]
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Jurisdiction(Base):
    __tablename__ = "jurisdictions"

    id: Mapped[int] = mapped_column(primary_key=True)
    ocd_id: Mapped[str] = mapped_column(String(200), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("jurisdictions.id"), index=True)
    state_code: Mapped[str | None] = mapped_column(String(2))
    population: Mapped[int | None] = mapped_column(Integer)

    parent: Mapped[Jurisdiction | None] = relationship(remote_side=[id])
    aliases: Mapped[list[JurisdictionAlias]] = relationship(
        back_populates="jurisdiction", cascade="all, delete-orphan"
    )


class JurisdictionAlias(Base):
    __tablename__ = "jurisdiction_aliases"
    __table_args__ = (UniqueConstraint("jurisdiction_id", "alias"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    jurisdiction_id: Mapped[int] = mapped_column(
        ForeignKey("jurisdictions.id", ondelete="CASCADE")
    )
    alias: Mapped[str] = mapped_column(String(200), index=True)

    jurisdiction: Mapped[Jurisdiction] = relationship(back_populates="aliases")


class Company(Base):
    __tablename__ = "companies"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)

    aliases: Mapped[list[CompanyAlias]] = relationship(
        back_populates="company", cascade="all, delete-orphan"
    )
    products: Mapped[list[Product]] = relationship(
        back_populates="company", cascade="all, delete-orphan"
    )


class CompanyAlias(Base):
    __tablename__ = "company_aliases"
    __table_args__ = (UniqueConstraint("company_id", "alias"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"))
    alias: Mapped[str] = mapped_column(String(200), index=True)

    company: Mapped[Company] = relationship(back_populates="aliases")


class Product(Base):
    __tablename__ = "products"

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(
        ForeignKey("companies.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200), unique=True)

    company: Mapped[Company] = relationship(back_populates="products")


class Measure(Base):
    """One rule. Its subject is exactly one jurisdiction or one company."""

    __tablename__ = "measures"
    __table_args__ = (
        CheckConstraint(
            "(jurisdiction_id IS NULL) <> (company_id IS NULL)", name="one_subject"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    jurisdiction_id: Mapped[int | None] = mapped_column(
        ForeignKey("jurisdictions.id"), index=True
    )
    company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    scope: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(300))
    #: subject, kind and scope in one string: how extraction finds "the same measure" again.
    natural_key: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())

    jurisdiction: Mapped[Jurisdiction | None] = relationship()
    company: Mapped[Company | None] = relationship()
    changes: Mapped[list[StatusChange]] = relationship(
        back_populates="measure", cascade="all, delete-orphan", order_by="StatusChange.id"
    )


class StatusChange(Base):
    """A dated event in a measure's life, with the sentence that says so."""

    __tablename__ = "status_changes"
    __table_args__ = (
        UniqueConstraint("measure_id", "source_id", "status", "evidence_hash"),
        Index("ix_status_changes_measure_effective", "measure_id", "effective_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[int] = mapped_column(ForeignKey("measures.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(20))
    #: The earliest day the text allows; NULL when the date is unknown.
    effective_date: Mapped[dt.date | None] = mapped_column(Date, index=True)
    precision: Mapped[str] = mapped_column(String(10))
    #: The day the measure stops, when the text gives one (or a duration from a known start).
    end_date: Mapped[dt.date | None] = mapped_column(Date)
    end_precision: Mapped[str | None] = mapped_column(String(10))
    #: A stated duration ("a one-year moratorium"), counted from the start (or the old end).
    duration_months: Mapped[int | None] = mapped_column(Integer)
    duration_days: Mapped[int | None] = mapped_column(Integer)
    #: "until further notice": the change removes any end date.
    open_ended: Mapped[bool] = mapped_column(Boolean, default=False)
    #: The latest day by which the event certainly happened (the article's publication date).
    known_by: Mapped[dt.date | None] = mapped_column(Date)
    source_id: Mapped[int | None] = mapped_column(
        ForeignKey("sources.id", ondelete="CASCADE"), index=True
    )
    evidence: Mapped[str] = mapped_column(Text)
    evidence_hash: Mapped[str] = mapped_column(String(64))
    confidence: Mapped[float] = mapped_column(Float)
    origin: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    #: A person's verdict on this row: confirmed, rejected or corrected (tracker.curate);
    #: NULL while nobody has reviewed it. Rejected and corrected rows never count.
    review: Mapped[str | None] = mapped_column(String(10))

    measure: Mapped[Measure] = relationship(back_populates="changes")
    source: Mapped[Source | None] = relationship()


class MeasurePeriod(Base):
    """A span of days over which a measure's status stays the same: a cache of
    ``status.state_on``, recomputed by ``tracker.report.periods`` whenever facts are stored (and by
    ``tracker db refresh``). The analyst views (docs/schema.md) read it."""

    __tablename__ = "measure_periods"
    __table_args__ = (
        Index("ix_measure_periods_dates", "start_date", "end_date"),
        Index("ix_measure_periods_status", "status", "end_date", "start_date", "measure_id"),
    )

    measure_id: Mapped[int] = mapped_column(
        ForeignKey("measures.id", ondelete="CASCADE"), primary_key=True
    )
    #: 0, 1, 2... in date order.
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    status: Mapped[str] = mapped_column(String(20))
    #: The first day of the period; NULL for a measure none of whose changes can be dated.
    start_date: Mapped[dt.date | None] = mapped_column(Date)
    #: The first day after the period; NULL while it lasts.
    end_date: Mapped[dt.date | None] = mapped_column(Date)
    #: ``since`` and ``until`` as ``status`` reports them: ISO cut to their precision.
    since: Mapped[str | None] = mapped_column(String(10))
    since_date: Mapped[dt.date | None] = mapped_column(Date)
    since_precision: Mapped[str | None] = mapped_column(String(10))
    until: Mapped[str | None] = mapped_column(String(10))
    until_date: Mapped[dt.date | None] = mapped_column(Date)
    until_precision: Mapped[str | None] = mapped_column(String(10))
    uncertain: Mapped[bool] = mapped_column(Boolean)
    #: For a period that starts from an undated fact: the day the tracker could know it.
    known_by: Mapped[dt.date | None] = mapped_column(Date)
    #: The period starts from an adoption whose effective date no text gives.
    effective_assumed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    #: For an ``enacted`` period: the day the measure takes effect, and that date's precision.
    in_force_from_date: Mapped[dt.date | None] = mapped_column(Date)
    in_force_from_precision: Mapped[str | None] = mapped_column(String(10))


class MeasureEvidence(Base):
    """The status changes a measure's status rests on, each from the day it counts: on day D the
    evidence is the rows with ``counts_from <= D`` (NULL: always, for a measure none of whose
    changes can be dated). Filled with ``measure_periods`` by ``tracker.report.periods``, so that
    reports select exactly the evidence ``status.state_on`` names, in SQL."""

    __tablename__ = "measure_evidence"

    measure_id: Mapped[int] = mapped_column(
        ForeignKey("measures.id", ondelete="CASCADE"), primary_key=True
    )
    change_id: Mapped[int] = mapped_column(
        ForeignKey("status_changes.id", ondelete="CASCADE"), primary_key=True
    )
    counts_from: Mapped[dt.date | None] = mapped_column(Date)


class Feed(Base):
    __tablename__ = "feeds"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(2000), unique=True)
    name: Mapped[str | None] = mapped_column(String(300))
    title: Mapped[str | None] = mapped_column(String(500))
    etag: Mapped[str | None] = mapped_column(String(500))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    interval_seconds: Mapped[int] = mapped_column(Integer, default=3600)
    fetch_articles: Mapped[bool] = mapped_column(Boolean, default=False)
    next_poll_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), index=True)
    last_poll_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    last_success_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    error_count: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    disabled_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class Source(Base):
    """An ingested article or feed entry."""

    __tablename__ = "sources"
    __table_args__ = (UniqueConstraint("feed_id", "entry_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str | None] = mapped_column(String(2000), unique=True)
    path: Mapped[str | None] = mapped_column(String(2000))
    title: Mapped[str | None] = mapped_column(String(500))
    publisher: Mapped[str | None] = mapped_column(String(300))
    published_date: Mapped[dt.date | None] = mapped_column(Date, index=True)
    published_how: Mapped[str] = mapped_column(String(10))
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)
    text: Mapped[str] = mapped_column(Text)
    feed_id: Mapped[int | None] = mapped_column(
        ForeignKey("feeds.id", ondelete="SET NULL"), index=True
    )
    entry_id: Mapped[str | None] = mapped_column(String(2000))
    #: A feed entry's fingerprint (title, link, dates, content as the feed gave them): a poll
    #: re-extracts the entry only when it changes (tracker.feeds).
    entry_hash: Mapped[str | None] = mapped_column(String(64))
    #: The character encoding assumed when its bytes were decoded (utf-8, windows-1252...).
    encoding: Mapped[str | None] = mapped_column(String(40))
    run_id: Mapped[int | None] = mapped_column(ForeignKey("ingest_runs.id"))
    ingested_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    #: ``ingested`` (an article or feed entry) or ``manual`` (cited by ``tracker facts add``;
    #: its text is the quote, and re-extraction leaves it alone).
    origin: Mapped[str] = mapped_column(String(10), default="ingested", server_default="ingested")


class Decision(Base):
    """A person's decision about a fact: confirm, reject, correct or add (tracker.curate).

    The fact is named by its source, subject, status and evidence as well as by its row, so that
    the decision is applied again when re-extraction replaces the row."""

    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    action: Mapped[str] = mapped_column(String(10))
    #: The status change decided about (NULL once it is gone).
    change_id: Mapped[int | None] = mapped_column(
        ForeignKey("status_changes.id", ondelete="SET NULL"), index=True
    )
    #: The manual status change a correction or an addition made.
    new_change_id: Mapped[int | None] = mapped_column(
        ForeignKey("status_changes.id", ondelete="SET NULL")
    )
    measure_id: Mapped[int | None] = mapped_column(ForeignKey("measures.id", ondelete="SET NULL"))
    source_id: Mapped[int | None] = mapped_column(
        ForeignKey("sources.id", ondelete="SET NULL"), index=True
    )
    #: The fact's subject (an OCD id or ``company:slug``), status and evidence hash: with kind
    #: and scope, how ``reapply`` finds the fact again.
    subject: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str | None] = mapped_column(String(20))
    evidence_hash: Mapped[str | None] = mapped_column(String(64))
    #: The kind and scope of the fact's measure when the decision was made.
    kind: Mapped[str | None] = mapped_column(String(20))
    scope: Mapped[str | None] = mapped_column(String(100))
    #: One line a person can read: "reject #106 Portland, ME ban (private use...)".
    summary: Mapped[str] = mapped_column(Text)
    #: The corrected or added values, as JSON.
    details: Mapped[str | None] = mapped_column(Text)
    made_by: Mapped[str] = mapped_column(String(100))
    made_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    reason: Mapped[str | None] = mapped_column(Text)


class IngestRun(Base):
    """A record of each ingestion run (``ingest`` or ``feeds poll``)."""

    __tablename__ = "ingest_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    new: Mapped[int] = mapped_column(Integer, default=0)
    duplicate: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    facts: Mapped[int] = mapped_column(Integer, default=0)
