"""Reports at scale: ``status``, ``show``, ``export`` and ``--version`` on 100,000 measures and
1,000,000 status changes, each beside a floor that writes the same output.

The database is built through the schema (the migrations, then Core bulk inserts: synthetic
cities with aliases, sources, measures and histories of about ten changes each), then its periods
cache is computed once, as ``tracker db refresh`` does. Every command runs as the installed CLI in
a process of its own; the floor is a bare ``sqlite3`` script reading the same cache and writing
the same bytes (the benchmark checks that the outputs are identical). For each it prints the CPU
time (user + sys, what the machine's other work disturbs least), the wall time and the peak
resident memory. "work" is the CPU time minus the start-up (one place's status on a day when
nothing is known, which imports, opens the database and checks the schema).

    python bench/status_scale.py                       # builds /tmp/tracker-status-scale.sqlite once
    python bench/status_scale.py --measures 10000      # a smaller database
    python bench/status_scale.py --rebuild
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import os
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TRACKER = [sys.executable, str(ROOT / "cli.py")]
STATES = ["CA", "MA", "OR", "WA", "NY", "TX", "ME", "VT", "MN", "VA", "LA", "IL"]
SCOPES = ["government use", "police use", "private use in public places", "schools", "police body cameras"]
KINDS = ["ban", "moratorium", "restriction"]


# -- building the database -------------------------------------------------------------------
def _history(rng: random.Random, size: int) -> list[dict]:
    """A measure's life: proposals, an enactment (sometimes for a term), extensions, an end,
    and restatements, some without a date (counted from their source's publication)."""
    day = dt.date(2016, 1, 1) + dt.timedelta(days=rng.randrange(3000))
    out = []
    for _ in range(size):
        day += dt.timedelta(days=rng.randrange(0, 200))
        r = rng.random()
        status = ("proposed" if r < 0.15 else "enacted" if r < 0.55 else "in_force" if r < 0.7
                  else "extended" if r < 0.8 else rng.choice(["repealed", "suspended", "expired", "failed"]))
        precision = rng.choice(["day", "day", "day", "month", "year"])
        start = day if precision == "day" else day.replace(day=1) if precision == "month" else day.replace(month=1, day=1)
        out.append({
            "status": status,
            "effective_date": None if rng.random() < 0.1 else start,
            "precision": precision,
            "duration_months": 12 if status in ("enacted", "extended") and rng.random() < 0.15 else None,
            "open_ended": status == "extended" and rng.random() < 0.5,
            "known_by": day + dt.timedelta(days=rng.randrange(1, 30)),
        })
    return out


def build(url: str, measures: int, per_measure: int, seed: int) -> None:
    from sqlalchemy import insert, select

    from tracker.app import Tracker
    from tracker.models import (
        Company,
        Jurisdiction,
        JurisdictionAlias,
        Measure,
        Source,
        StatusChange,
    )
    from tracker.report import periods
    from tracker.seeds import normalize_alias

    rng = random.Random(seed)
    now = dt.datetime(2026, 11, 30, tzinfo=dt.UTC)
    tracker = Tracker(url)  # the migrations and the reference data
    started = time.perf_counter()
    with tracker.engine.begin() as conn:
        companies = list(conn.scalars(select(Company.id)))
        first_j = (conn.scalar(select(Jurisdiction.id).order_by(Jurisdiction.id.desc()).limit(1)) or 0) + 1
        cities = max(1, measures // 5)
        conn.execute(insert(Jurisdiction), [
            {"id": first_j + i, "ocd_id": f"ocd-division/country:us/state:{STATES[i % 12].lower()}/place:benchville_{i}",
             "name": f"Benchville {i}", "kind": "place", "state_code": STATES[i % 12]}
            for i in range(cities)
        ])
        conn.execute(insert(JurisdictionAlias), [
            {"jurisdiction_id": first_j + i, "alias": normalize_alias(f"Benchville {i}")} for i in range(cities)
        ])
        n_sources = max(1, measures * per_measure // 5)
        base = dt.date(2016, 1, 1)
        published = [base + dt.timedelta(days=rng.randrange(3500)) for _ in range(n_sources)]
        conn.execute(insert(Source), [
            {"id": i + 1, "url": f"https://news.example/{i}", "title": f"Story {i}", "publisher": "Bench Gazette",
             "published_date": published[i], "published_how": "stated", "content_hash": f"{i:064x}",
             "text": "-", "ingested_at": now}
            for i in range(n_sources)
        ])
        change_id = 0
        for chunk in range(0, measures, 10_000):
            rows, changes = [], []
            for mid in range(chunk + 1, min(measures, chunk + 10_000) + 1):
                company = companies and rng.random() < 0.05
                kind, scope = rng.choice(KINDS), rng.choice(SCOPES)
                rows.append({
                    "id": mid, "jurisdiction_id": None if company else first_j + rng.randrange(cities),
                    "company_id": rng.choice(companies) if company else None, "kind": kind, "scope": scope,
                    "title": f"{kind} on facial recognition ({scope}) #{mid}", "natural_key": f"bench:{mid}",
                    "created_at": now,
                })
                for c in _history(rng, rng.randint(max(1, per_measure - 6), per_measure + 6)):
                    change_id += 1
                    source = rng.randrange(n_sources)
                    changes.append({
                        **c, "id": change_id, "measure_id": mid, "source_id": source + 1,
                        "known_by": published[source] if c["effective_date"] is None else c["known_by"],
                        "evidence": f"Officials said measure {mid} was {c['status']} (report {change_id}).",
                        "evidence_hash": f"{change_id:064x}", "confidence": 0.8, "origin": "extracted",
                        "duration_days": None, "end_date": None, "end_precision": None, "created_at": now,
                    })
            conn.execute(insert(Measure), rows)
            conn.execute(insert(StatusChange), changes)
    print(f"built {measures} measures, {change_id} changes, {n_sources} sources in {time.perf_counter() - started:.1f} s",
          flush=True)
    started, cpu = time.perf_counter(), time.process_time()
    count = periods.rebuild(tracker.sessions)
    print(f"periods: {count} computed in {time.perf_counter() - started:.1f} s "
          f"({time.process_time() - cpu:.1f} s CPU; the one-sweep compute_periods)", flush=True)
    tracker.close()


# -- the floor: bare sqlite3, the same output ----------------------------------------------------
FLOOR = r'''
import csv, json, sqlite3, sys
db, what, arg, out = sys.argv[1:5]
conn = sqlite3.connect(db)
w = open(out, "w", encoding="utf-8")
NAME = ("CASE WHEN m.jurisdiction_id IS NULL THEN c.name WHEN j.kind IN ('place', 'county') AND j.state_code IS NOT NULL"
        " AND j.state_code != '' THEN j.name || ', ' || j.state_code ELSE j.name END")
SELECT = ("SELECT m.id, m.kind, m.scope, m.title, m.jurisdiction_id, " + NAME + " AS name, j.ocd_id, p.status, p.since,"
          " p.until, p.uncertain, p.known_by, p.in_force_from_date, p.in_force_from_precision, p.effective_assumed"
          " FROM measure_periods p JOIN measures m ON m.id = p.measure_id"
          " LEFT JOIN jurisdictions j ON j.id = m.jurisdiction_id LEFT JOIN companies c ON c.id = m.company_id"
          " WHERE (p.start_date IS NULL OR p.start_date <= :d) AND (p.end_date IS NULL OR :d < p.end_date)")
ORDER = " ORDER BY m.jurisdiction_id IS NULL, name, m.kind, m.scope, m.id"
EVIDENCE = ("SELECT e.measure_id, COALESCE(s.url, s.path), s.published_date, sc.evidence,"
            " s.published_date IS NOT NULL AND s.published_how = 'inferred',"
            " sc.origin = 'manual' OR sc.review IS 'confirmed' FROM measure_evidence e"
            " JOIN status_changes sc ON sc.id = e.change_id LEFT JOIN sources s ON s.id = sc.source_id"
            " WHERE e.measure_id IN ({}) AND (e.counts_from IS NULL OR e.counts_from <= ?) ORDER BY e.measure_id, sc.id")

cut = lambda d, p: None if d is None else d if p in (None, "day") else d[:4] if p == "year" else d[:7]

def evidence_object(s, p, q, guessed):
    e = {"source": s, "published": p, "quote": q}
    if guessed:
        e["published_guessed"] = True
    return e

def record(r, evidence, reviewed):
    d = {"subject": {"type": "jurisdiction" if r[4] is not None else "company", "name": r[5], "ocd_id": r[6]},
         "measure": {"id": r[0], "kind": r[1], "scope": r[2], "title": r[3]},
         "status": r[7], "since": r[8], "until": r[9],
         "evidence": [evidence_object(*e) for e in evidence]}
    if r[10]:
        d["uncertain"] = True
    if r[11] is not None:
        d["known_by"] = r[11]
    if r[12] is not None:
        d["in_force_from"] = cut(r[12], r[13])
    if r[14]:
        d["effective_assumed"] = True
    d["reviewed"] = reviewed
    return d

def status(day, where, params):
    cur = conn.execute(SELECT + where + ORDER, {"d": day, **params})
    w.write('{\n  "as_of": ' + json.dumps(day) + ',\n  "measures": [')
    n = 0
    while rows := cur.fetchmany(500):
        ev = {}
        for mid, s, p, q, guessed, reviewed in conn.execute(EVIDENCE.format(",".join("?" * len(rows))), [r[0] for r in rows] + [day]):
            ev.setdefault(mid, []).append((s, p, q, guessed, reviewed))
        for r in rows:
            mine = ev.get(r[0], [])
            text = json.dumps(record(r, [e[:4] for e in mine], any(e[4] for e in mine)), indent=2, ensure_ascii=False)
            w.write(("\n    " if n == 0 else ",\n    ") + text.replace("\n", "\n    "))
            n += 1
    w.write("\n  ]\n}\n" if n else "]\n}\n")

if what == "in_force":
    status(arg, " AND p.status = 'in_force' AND p.start_date IS NOT NULL", {})
elif what == "all":
    status(arg, "", {})
elif what == "jurisdiction":
    day, name = arg.split("|")
    status(day, " AND m.jurisdiction_id IN (SELECT jurisdiction_id FROM jurisdiction_aliases WHERE alias = :a)",
           {"a": name.lower()})
elif what == "show":
    mid, day = arg.split("|")
    r = conn.execute(SELECT.replace("p.start_date IS NULL OR", "p.start_date IS NULL OR") + " AND m.id = :m",
                     {"d": day, "m": int(mid)}).fetchone()
    changes = conn.execute(
        "SELECT sc.id, sc.status, sc.effective_date, sc.precision, sc.end_date, sc.end_precision, sc.open_ended,"
        " sc.origin, sc.confidence, COALESCE(s.url, s.path), s.published_date, sc.evidence,"
        " s.published_date IS NOT NULL AND s.published_how = 'inferred', sc.review,"
        " sc.origin = 'manual' OR sc.review IS 'confirmed' FROM status_changes sc"
        " LEFT JOIN sources s ON s.id = sc.source_id WHERE sc.measure_id = ?"
        " ORDER BY COALESCE(sc.effective_date, sc.known_by) IS NULL, COALESCE(sc.effective_date, sc.known_by), sc.id",
        (int(mid),)).fetchall()
    used = {c for (c,) in conn.execute("SELECT change_id FROM measure_evidence WHERE measure_id = ?"
                                       " AND (counts_from IS NULL OR counts_from <= ?)", (int(mid), day))}
    # no decisions in this database: every fact counts
    d = record(r, [(c[9], c[10], c[11], c[12]) for c in changes], any(c[14] for c in changes if c[0] in used))
    d["history"] = [{"id": c[0], "status": c[1], "date": cut(c[2], c[3]), "until": cut(c[4], c[5]),
                     "open_ended": bool(c[6]), "origin": c[7], "confidence": c[8], "source": c[9],
                     "published": c[10], "quote": c[11], "published_guessed": bool(c[12]), "review": c[13]}
                    for c in changes]
    w.write(json.dumps(d, indent=2, ensure_ascii=False) + "\n")
elif what == "export":
    cur = conn.execute(f"SELECT * FROM {arg} ORDER BY 1")
    writer = csv.writer(w, lineterminator="\n")
    names = [c[0] for c in cur.description]
    writer.writerow(names)
    # tracker writes booleans as true/false (sqlite3 gives the view's booleans as 0/1)
    flags = [n in ("in_force", "uncertain", "open_ended", "effective_assumed") for n in names]
    spell = lambda v, flag: "" if v is None else ("true" if v else "false") if flag else v
    while rows := cur.fetchmany(1000):
        writer.writerows([[spell(v, f) for v, f in zip(row, flags)] for row in rows])
elif what == "version":
    w.write("tracker, version 0.1.0\n")
w.close()
'''


def run(argv: list[str], out: Path, repeat: int = 1) -> tuple[float, float, float]:
    """Run ``argv`` ``repeat`` times with stdout to ``out``: the least (CPU seconds, wall
    seconds, peak RSS MiB) as GNU time measures them (a child forked from this big process
    would report its size); the least is the run the machine's other work disturbed least."""
    runs = [_run(argv, out) for _ in range(repeat)]
    return min(r[0] for r in runs), min(r[1] for r in runs), min(r[2] for r in runs)


def _run(argv: list[str], out: Path) -> tuple[float, float, float]:
    stats = out.with_suffix(".time")
    started = time.perf_counter()
    with out.open("wb") as stdout:
        proc = subprocess.run(["/usr/bin/time", "-f", "%U %S %M", "-o", str(stats), *argv],
                              stdout=stdout, stderr=subprocess.PIPE, cwd=ROOT, check=False)
    wall = time.perf_counter() - started
    if proc.returncode:
        raise SystemExit(f"{' '.join(argv)} failed: {proc.stderr.decode()}")
    user, sys_, rss = stats.read_text().split()[-3:]
    return float(user) + float(sys_), wall, int(rss) / 1024


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--measures", type=int, default=100_000)
    parser.add_argument("--changes-per-measure", type=int, default=10)
    parser.add_argument("--db", default="/tmp/tracker-status-scale.sqlite")
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--as-of", default="2021-06-01")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each command; the least CPU time is shown")
    args = parser.parse_args()
    path = Path(args.db)
    url = f"sqlite:///{path}"
    if args.rebuild or not path.exists():
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        build(url, args.measures, args.changes_per_measure, args.seed)

    import sqlite3

    from tracker import db as tdb

    conn = sqlite3.connect(path)
    revision = conn.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    conn.close()
    if revision != tdb.HEAD_REVISION:
        # built by an older tracker: upgrade the schema, and compute the cache with today's code
        from tracker.app import Tracker
        from tracker.report import periods

        started = time.perf_counter()
        tracker = Tracker(url)
        count = periods.rebuild(tracker.sessions)
        tracker.close()
        print(f"upgraded from {revision} and recomputed {count} periods in {time.perf_counter() - started:.0f} s", flush=True)
    conn = sqlite3.connect(path)
    n_measures, n_changes = (conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in ("measures", "status_changes"))
    day = args.as_of
    busy = conn.execute("SELECT measure_id FROM status_changes GROUP BY measure_id ORDER BY COUNT(*) DESC LIMIT 1").fetchone()[0]
    city = conn.execute(
        "SELECT j.name FROM measures m JOIN jurisdictions j ON j.id = m.jurisdiction_id WHERE j.name LIKE 'Benchville %'"
        " GROUP BY j.id ORDER BY COUNT(*) DESC LIMIT 1").fetchone()[0]
    in_force_sql = ("SELECT measure_id FROM measure_periods WHERE status = 'in_force' AND start_date IS NOT NULL"
                    " AND start_date <= ? AND (end_date IS NULL OR ? < end_date)")
    floor_times = []
    for _ in range(args.repeat):
        cpu = time.process_time()
        in_force = len(conn.execute(in_force_sql, (day, day)).fetchall())
        floor_times.append(time.process_time() - cpu)
    floor_ids = min(floor_times)
    evidence = conn.execute(
        "SELECT COUNT(*) FROM measure_evidence e JOIN measure_periods p ON p.measure_id = e.measure_id"
        " WHERE p.status = 'in_force' AND p.start_date IS NOT NULL AND p.start_date <= ? AND (p.end_date IS NULL OR ? < p.end_date)"
        " AND (e.counts_from IS NULL OR e.counts_from <= ?)", (day, day, day)).fetchone()[0]
    conn.close()
    print(f"database: {n_measures} measures, {n_changes} status changes; on {day}: {in_force} in force "
          f"with {evidence} evidence entries; busiest measure {busy}; {city!r}")

    # the in-force set in-process, without start-up: the ids through ix_measure_periods_status
    # (above), and the library's query (every in-force measure with its subject and status, in
    # report order) through SQLAlchemy and as bare SQL on sqlite3
    from tracker.report import report

    engine = tdb.make_engine(url)
    with engine.connect() as c:
        query = report._status_query(c, dt.date.fromisoformat(day), False, [])
        sql = str(query.compile(c, compile_kwargs={"literal_binds": True}))
        times = []
        for _ in range(args.repeat):
            cpu = time.process_time()
            rows = c.execute(query).all()
            times.append(time.process_time() - cpu)
    engine.dispose()
    conn = sqlite3.connect(path)
    bare = []
    for _ in range(args.repeat):
        cpu = time.process_time()
        conn.execute(sql).fetchall()
        bare.append(time.process_time() - cpu)
    conn.close()
    print(f"in force on {day}, CPU: the ids from measure_periods {floor_ids * 1000:.0f} ms; the library's query"
          f" ({len(rows)} measures with subject and status, in report order) {min(times) * 1000:.0f} ms,"
          f" the same SQL on bare sqlite3 {min(bare) * 1000:.0f} ms\n")

    tmp = Path(os.environ.get("TMPDIR", "/tmp"))
    floor_py = tmp / "tracker-status-floor.py"
    floor_py.write_text(FLOOR)
    base = [*TRACKER, "--database", url]
    # what every database command pays before its query: imports, engine, schema check (one
    # place's status on a day before anything: an indexed look-up that finds nothing)
    startup_cpu, _, startup_rss = run([*base, "status", "--as-of", "1000-01-01", "--all", "--jurisdiction", city, "--format", "json"],
                                      tmp / "scale-startup.out", args.repeat)
    print(f"start-up (one place's status on a day nothing is known): {startup_cpu:.2f} s CPU, {startup_rss:.0f} MiB\n")
    cases = [
        ("status --as-of (in force), json", ["status", "--as-of", day, "--format", "json"], "in_force", day),
        ("status --all, json", ["status", "--as-of", day, "--all", "--format", "json"], "all", day),
        (f"status --jurisdiction '{city}', json", ["status", "--as-of", day, "--all", "--jurisdiction", city, "--format", "json"],
         "jurisdiction", f"{day}|{city}"),
        (f"show {busy}, json", ["show", str(busy), "--as-of", day, "--format", "json"], "show", f"{busy}|{day}"),
        ("export --view measures_current", ["export", "--view", "measures_current"], "export", "measures_current"),
        ("--version", ["--version"], "version", ""),
    ]
    print(f"{'command':<44} {'CPU s':>7} {'work s':>7} {'wall s':>7} {'MiB':>6} | {'floor CPU':>9} {'wall':>6} {'MiB':>5} | {'ratio':>5} same")
    for label, argv, what, arg in cases:
        out, floor_out = tmp / "scale-tracker.out", tmp / "scale-floor.out"
        cpu, wall, rss = run([*base, *argv] if argv[0] != "--version" else [*TRACKER, *argv], out, args.repeat)
        fcpu, fwall, frss = run([sys.executable, str(floor_py), str(path), what, arg, str(floor_out)], tmp / "scale-floor.stdout",
                                args.repeat)
        same = digest(out) == digest(floor_out)
        work = cpu - startup_cpu if argv[0] != "--version" else cpu
        print(f"{label:<44} {cpu:>7.2f} {work:>7.2f} {wall:>7.2f} {rss:>6.0f} | {fcpu:>9.2f} {fwall:>6.2f} {frss:>5.0f} |"
              f" {cpu / max(fcpu, 1e-9):>5.2f} {'yes' if same else 'NO'}", flush=True)
    floor_py.unlink()
    cpu, wall, _ = run([*TRACKER, "--help"], tmp / "scale-help.out", args.repeat)
    print(f"\n--help: {cpu:.2f} s CPU, {wall:.2f} s wall")


if __name__ == "__main__":
    main()
