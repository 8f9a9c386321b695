"""``tracker db``: create, upgrade and inspect the database."""

from __future__ import annotations

import sys

import click

from tracker.commands.options import CONTEXT, Group, database_url, fail, get_tracker, handle_errors


@click.group("db", cls=Group, context_settings=CONTEXT)
def group() -> None:
    """Create, upgrade and inspect the database."""


@group.command("upgrade", context_settings=CONTEXT)
@click.option("--no-seed", is_flag=True, help="Do not load the reference data.")
@click.pass_context
@handle_errors
def upgrade(ctx: click.Context, no_seed: bool) -> None:
    """Upgrade the schema to the newest revision and load the reference data.

    Example: tracker --database postgresql+psycopg://me@localhost/tracker db upgrade
    """
    from tracker import db

    engine = db.make_engine(database_url(ctx))
    try:
        before = db.current_revision(engine)
        db.upgrade(engine)
        after = db.current_revision(engine)
    finally:
        engine.dispose()
    click.echo(f"schema: {before or 'empty'} -> {after}")
    if not no_seed:
        result = get_tracker(ctx, seed=False).seed()
        click.echo(
            f"reference data: {result.jurisdictions_added} jurisdictions and "
            f"{result.companies_added} companies added, {result.jurisdictions_updated + result.companies_updated} updated"
        )


@group.command("current", context_settings=CONTEXT)
@click.pass_context
@handle_errors
def current(ctx: click.Context) -> None:
    """Print the database URL, its schema revision and the newest one.

    Example: tracker db current
    """
    from tracker import db

    engine = db.make_engine(database_url(ctx))
    try:
        revision, head = db.current_revision(engine), db.head_revision()
        click.echo(f"database: {db.safe_url(engine)}")
    finally:
        engine.dispose()
    click.echo(f"revision: {revision or 'none (empty database)'}")
    click.echo(f"newest:   {head}" + ("  (up to date)" if revision == head else "  (run 'tracker db upgrade')"))


@group.command("seed", context_settings=CONTEXT)
@click.pass_context
@handle_errors
def seed(ctx: click.Context) -> None:
    """Load the reference data (jurisdictions, companies); a second load changes nothing.

    Example: tracker db seed
    """
    result = get_tracker(ctx, seed=False).seed()
    click.echo(
        f"jurisdictions: {result.jurisdictions_added} added, {result.jurisdictions_updated} updated; "
        f"aliases: {result.aliases_added} added; companies: {result.companies_added} added, "
        f"{result.companies_updated} updated"
    )


@group.command("path", context_settings=CONTEXT)
@click.pass_context
def path(ctx: click.Context) -> None:
    """Print the database in use: an SQLite database's file path, another database's URL
    (without its password).

    \b
    Examples:
      sqlite3 "$(tracker db path)"
      datasette "$(tracker db path)"
    """
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    from tracker import db

    url = database_url(ctx)
    path = db.sqlite_path(url)
    if path is not None:
        click.echo(path)
        return
    try:
        click.echo(make_url(db.resolve_url(url)).render_as_string(hide_password=True))
    except ArgumentError:
        fail(f"not a database URL: {db.resolve_url(url)!r}")


@group.command("refresh", context_settings=CONTEXT)
@click.pass_context
@handle_errors
def refresh(ctx: click.Context) -> None:
    """Recompute the status periods that the analyst views read (table measure_periods).

    Storing facts keeps them up to date; run this after changing status_changes by hand, or
    once after upgrading a database that already held facts.

    Example: tracker db refresh
    """
    from tracker.report.periods import rebuild

    count = rebuild(get_tracker(ctx).sessions)
    click.echo(f"status periods: {count} computed")


@group.command("backup", context_settings=CONTEXT)
@click.argument("path", type=click.Path(dir_okay=False))
@click.pass_context
@handle_errors
def backup(ctx: click.Context, path: str) -> None:
    """Copy a live SQLite database to PATH, consistently (SQLite's backup API: safe while an
    ingest or a poll runs; the copy is checked before it is renamed into place). On
    PostgreSQL, print the pg_dump command to run instead.

    \b
    Examples:
      tracker db backup ~/backups/tracker-$(date +%F).sqlite
      sqlite3 ~/backups/tracker-2026-11-30.sqlite 'PRAGMA integrity_check'
    """
    from tracker import db, maintenance

    engine = db.make_engine(database_url(ctx))
    try:
        result = maintenance.backup(engine, path)
    finally:
        engine.dispose()
    if result.command:
        click.echo("tracker does not copy a PostgreSQL database itself; run:")
        click.echo(f"  {result.command}")
    else:
        click.echo(f"backed up to {result.path} ({result.size:,} bytes, integrity ok)")


@group.command("check", context_settings=CONTEXT)
@click.pass_context
@handle_errors
def check(ctx: click.Context) -> None:
    """Check the database: SQLite's integrity and foreign-key checks, and whether the cached
    status periods (what 'status' and the analyst views read) agree with the facts. Changes
    nothing; the exit code is 1 when a check fails.

    Example: tracker db check && tracker db backup nightly.sqlite
    """
    from tracker import maintenance

    tracker = get_tracker(ctx)
    report = maintenance.check(tracker.engine, tracker.sessions)
    if tracker.engine.dialect.name == "sqlite":
        click.echo("integrity: " + ("ok" if not report.integrity else "; ".join(report.integrity)))
        click.echo("foreign keys: " + ("ok" if not report.foreign_keys else "; ".join(report.foreign_keys)))
    else:
        click.echo("integrity: the server checks it (constraints are enforced; see pg_amcheck)")
    if report.stale_periods:
        ids = ", ".join(str(i) for i in report.stale_periods[:10]) + (", ..." if len(report.stale_periods) > 10 else "")
        click.echo(
            f"periods cache: {len(report.stale_periods)} of {report.measures} measures disagree with "
            f"their facts (ids {ids}): run 'tracker db refresh'"
        )
    else:
        click.echo(f"periods cache: agrees with the facts ({report.measures} measures)")
    if not report.ok:
        sys.exit(1)
