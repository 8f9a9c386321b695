"""``timeline`` and ``changes`` at scale, each beside a floor that writes the same output.

The database is ``bench/status_scale.py``'s (100,000 measures and 1,000,000 status changes by
default, built through the schema; every fact was learned at the same instant, so ``changes``
since the day before lists all of them). Every command runs as the CLI in a process of its own,
and prints the CPU time (user + sys), the wall time and the peak resident memory; the run of a
smaller database beside a larger one shows whether memory stays flat with the database's size.

The floors are bare ``sqlite3`` scripts that write the same bytes (the benchmark checks it):
``changes``' reads the window's facts and decisions and sorts them in memory; ``timeline``'s reads
every measure's periods and facts in one pass and calls the same pure function for the events
(``tracker.report.timeline.measure_events``: merging restatements is the report's own work),
then sorts them in memory. ``--old DIR`` runs the commands of another checkout of tracker too
(e.g. ``mkdir -p /tmp/tracker-old && git archive COMMIT | tar -x -C /tmp/tracker-old``), to compare with the code before.

    python bench/timeline_changes_scale.py --db /tmp/tracker-status-scale.sqlite
    python bench/timeline_changes_scale.py --db /tmp/small.sqlite --measures 10000 --old /tmp/tracker-old
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sqlite3
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from status_scale import ROOT, build, digest, run  # noqa: E402

FLOOR = r'''
import datetime as dt, json, sqlite3, sys
from itertools import groupby
from types import SimpleNamespace
sys.path.insert(0, sys.argv[5])
from tracker.curate.rules import counting
from tracker.report.periods import Period
from tracker.report.status import MeasureState
from tracker.report.timeline import MeasureLine, event_record, measure_events
from tracker.dates import PartialDate
from tracker.vocab import Precision, ReportStatus, SubjectType

db, what, arg, out = sys.argv[1:5]
conn = sqlite3.connect(db)
w = open(out, "w", encoding="utf-8")
day = lambda s: dt.date.fromisoformat(s) if s else None
part = lambda d, p: PartialDate(dt.date.fromisoformat(d), Precision(p or "day")) if d else None

def subject(jid, jname, jkind, state, cname):
    if jid is not None:
        return (f"{jname}, {state}" if jkind in ("place", "county") and state else jname), SubjectType.JURISDICTION
    return cname, SubjectType.COMPANY

def timeline(today, since, alias):
    where = " WHERE m.jurisdiction_id IN (SELECT jurisdiction_id FROM jurisdiction_aliases WHERE alias = ?)" if alias else ""
    params = (alias,) if alias else ()
    heads = {r[0]: r for r in conn.execute(
        "SELECT m.id, m.kind, m.scope, m.title, m.jurisdiction_id, j.name, j.kind, j.state_code, c.name FROM measures m"
        " LEFT JOIN jurisdictions j ON j.id = m.jurisdiction_id LEFT JOIN companies c ON c.id = m.company_id" + where, params)}
    periods = {}
    for mid, rows in groupby(conn.execute(
            "SELECT measure_id, start_date, end_date, status, since_date, since_precision, until_date, until_precision,"
            " uncertain, known_by, effective_assumed, in_force_from_date, in_force_from_precision FROM measure_periods"
            " ORDER BY measure_id, seq"), key=lambda r: r[0]):
        if mid in heads:
            periods[mid] = tuple(Period(day(r[1]), day(r[2]), MeasureState(
                ReportStatus(r[3]), part(r[4], r[5]), part(r[6], r[7]), bool(r[8]), (), day(r[9]), bool(r[10]),
                part(r[11], r[12]))) for r in rows)
    names = ("id", "measure_id", "status", "effective_date", "precision", "known_by", "end_date", "end_precision",
             "duration_months", "duration_days", "open_ended", "evidence", "origin", "review", "source_url",
             "source_path", "published_date", "published_how")
    events, n = [], 0
    for mid, rows in groupby(conn.execute(
            "SELECT sc.id, sc.measure_id, sc.status, sc.effective_date, sc.precision, sc.known_by, sc.end_date,"
            " sc.end_precision, sc.duration_months, sc.duration_days, sc.open_ended, sc.evidence, sc.origin, sc.review,"
            " s.url, s.path, s.published_date, s.published_how FROM status_changes sc"
            " LEFT JOIN sources s ON s.id = sc.source_id ORDER BY sc.measure_id, sc.id"), key=lambda r: r[1]):
        if mid not in heads:
            continue
        mine = counting([SimpleNamespace(**{k: (day(v) if k in ("effective_date", "known_by", "end_date", "published_date") else v)
                                            for k, v in zip(names, r)}) for r in rows])
        if not mine:
            continue
        n += 1
        h = heads[mid]
        name, kind = subject(*h[4:9])
        line = MeasureLine(mid, name, kind, h[1], h[2], h[3], (), ())
        for seq, e in enumerate(measure_events(mine, periods.get(mid, ()))):
            if since is None or (e.day is not None and e.day >= since):
                events.append(((e.day is not None, e.day or dt.date.min, mid, -seq), e, line))
    events.sort(key=lambda x: x[0], reverse=True)
    w.write('{\n  "today": ' + json.dumps(today) + ',\n  "since": ' + (json.dumps(since.isoformat()) if since else "null")
            + ',\n  "events": [')
    for i, (_, e, line) in enumerate(events):
        text = json.dumps(event_record(e, line), indent=2, ensure_ascii=False)
        w.write(("\n    " if i == 0 else ",\n    ") + text.replace("\n", "\n    "))
    w.write("\n  ]\n}\n" if events else "]\n}\n")

def learned(stamp):
    return stamp[:10] + "T" + stamp[11:19] + "+00:00"

def cut(d, p):
    return "date unknown" if d is None else d if p in (None, "day") else d[:4] if p == "year" else d[:7]

def changes(since, now):
    start = since + " 00:00:00.000000"
    fact = ("sc.id, sc.effective_date, sc.precision, sc.status, sc.evidence, m.kind, m.scope, m.jurisdiction_id, j.name,"
            " j.kind, j.state_code, c.name, s.url, s.path, s.published_date")
    join = (" LEFT JOIN measures m ON m.id = sc.measure_id LEFT JOIN jurisdictions j ON j.id = m.jurisdiction_id"
            " LEFT JOIN companies c ON c.id = m.company_id LEFT JOIN sources s ON s.id = sc.source_id")
    entries, first = [], set()
    for r in conn.execute("SELECT " + fact + ", sc.created_at, sc.measure_id, sc.origin, sc.review, m.created_at"
                          " FROM status_changes sc" + join + " WHERE sc.created_at >= ? AND sc.created_at <= ?"
                          " ORDER BY sc.created_at, sc.id", (start, now)):
        if r[18] == "rejected":
            continue
        new = start <= r[19] <= now and r[16] not in first
        if new:
            first.add(r[16])
        name = subject(r[7], r[8], r[9], r[10], r[11])[0]
        summary = ("new measure: " if new else "") + f"#{r[0]} {name}: {r[5]} ({r[6]}) {r[3]} {cut(r[1], r[2])}" \
            + (" (manual)" if r[17] == "manual" else "")
        entries.append({"id": f"fact/{r[0]}", "learned": learned(r[15]), "type": "new_measure" if new else "status_change",
                        "action": None, "fact": r[0], "measure": r[16], "subject": name, "summary": summary,
                        "quote": r[4], "source": r[12] or r[13], "published": r[14], "by": None, "reason": None})
    for r in conn.execute("SELECT d.id, d.made_at, d.action, d.change_id, d.measure_id, d.summary, d.made_by, d.reason, "
                          + fact + " FROM decisions d LEFT JOIN status_changes sc"
                          " ON sc.id = COALESCE(d.change_id, d.new_change_id)" + join +
                          " WHERE d.made_at >= ? AND d.made_at <= ? AND d.action != 'add'", (start, now)):
        found = r[8] is not None
        entries.append({"id": f"decision/{r[0]}", "learned": learned(r[1]), "type": "decision", "action": r[2],
                        "fact": r[3], "measure": r[4], "subject": subject(*r[15:20])[0] if found else None,
                        "summary": r[5], "quote": r[12] if found else None,
                        "source": (r[20] or r[21]) if found else None, "published": r[22] if found else None,
                        "by": r[6], "reason": r[7]})
    entries.sort(key=lambda e: (e["learned"], e["id"]), reverse=True)
    w.write('{\n  "since": ' + json.dumps(since) + ',\n  "changes": [')
    for i, e in enumerate(entries):
        w.write(("\n    " if i == 0 else ",\n    ") + json.dumps(e, indent=2, ensure_ascii=False).replace("\n", "\n    "))
    w.write("\n  ]\n}\n" if entries else "]\n}\n")

if what == "timeline":
    today, since, alias = arg.split("|")
    timeline(today, dt.date.fromisoformat(since) if since else None, alias.lower() or None)
else:
    since, now = arg.split("|")
    changes(since, now)
w.close()
'''


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default="/tmp/tracker-status-scale.sqlite")
    parser.add_argument("--measures", type=int, default=100_000, help="when the database is built")
    parser.add_argument("--changes-per-measure", type=int, default=10)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--since", default="2025-01-01", help="the window of 'timeline --since'")
    parser.add_argument("--old", metavar="DIR", help="also run the CLI of this checkout (the code before)")
    parser.add_argument("--only", help="run only the cases whose label contains this")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    path = Path(args.db)
    url = f"sqlite:///{path}"
    if args.rebuild or not path.exists():
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        build(url, args.measures, args.changes_per_measure, args.seed)
    conn = sqlite3.connect(path)
    n_measures, n_changes = (conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in ("measures", "status_changes"))
    city = conn.execute(
        "SELECT j.name FROM measures m JOIN jurisdictions j ON j.id = m.jurisdiction_id WHERE j.name LIKE 'Benchville %'"
        " GROUP BY j.id ORDER BY COUNT(*) DESC LIMIT 1").fetchone()[0]
    learned = conn.execute("SELECT MAX(created_at) FROM status_changes").fetchone()[0]
    conn.close()
    # the day everything was learned, and the clock of the 'changes' run: the end of that day
    now = learned[:10]
    day_before = (dt.date.fromisoformat(now) - dt.timedelta(days=1)).isoformat()
    print(f"database: {n_measures} measures, {n_changes} status changes; {city!r}; learned on {now}")

    tmp = Path(os.environ.get("TMPDIR", "/tmp"))
    floor_py = tmp / "tracker-timeline-floor.py"
    floor_py.write_text(FLOOR)
    clock = f"{now}T23:59:59+00:00"
    cases = [
        ("timeline, json", ["timeline", "--format", "json"], "timeline", f"{now}||"),
        (f"timeline --since {args.since}, json", ["timeline", "--since", args.since, "--format", "json"], "timeline",
         f"{now}|{args.since}|"),
        (f"timeline --jurisdiction '{city}', json", ["timeline", "--jurisdiction", city, "--format", "json"], "timeline",
         f"{now}||{city}"),
        (f"changes --since {day_before}, json", ["changes", "--since", day_before, "--format", "json"], "changes",
         f"{day_before}|{now} 23:59:59.000000"),
    ]
    runner = [sys.executable, str(Path(__file__).resolve().parent / "fixed_clock.py")]
    print(f"{'command':<44} {'CPU s':>7} {'wall s':>7} {'MiB':>6} | {'floor CPU':>9} {'wall':>6} {'MiB':>5} | {'ratio':>5} same"
          + (" | old CPU s    MiB" if args.old else ""))
    for label, argv, what, arg in cases:
        if args.only and args.only not in label:
            continue
        out, floor_out = tmp / "tlc-tracker.out", tmp / "tlc-floor.out"
        cpu, wall, rss = run([*runner, str(ROOT), clock, "--database", url, *argv], out, args.repeat)
        fcpu, fwall, frss = run([sys.executable, str(floor_py), str(path), what, arg, str(floor_out), str(ROOT)],
                                tmp / "tlc-floor.stdout", args.repeat)
        same = digest(out) == digest(floor_out)
        line = (f"{label:<44} {cpu:>7.2f} {wall:>7.2f} {rss:>6.0f} | {fcpu:>9.2f} {fwall:>6.2f} {frss:>5.0f} |"
                f" {cpu / max(fcpu, 1e-9):>5.2f} {'yes' if same else 'NO'}")
        if args.old:
            old_out = tmp / "tlc-old.out"
            ocpu, _, orss = run([*runner, args.old, clock, "--database", url, *argv], old_out)
            line += f" | {ocpu:>9.2f} {orss:>6.0f} {'same' if digest(old_out) == digest(out) else 'DIFFERENT'}"
        print(line, flush=True)
    floor_py.unlink()


if __name__ == "__main__":
    main()
