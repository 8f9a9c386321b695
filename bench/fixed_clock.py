"""Run a checkout's CLI with its clock fixed: ``python bench/fixed_clock.py ROOT NOW ARGS...``
(``NOW`` an ISO timestamp with its zone), so that the benchmarks' reports of "today" and "the
last days" do not depend on the day they run."""

from __future__ import annotations

import datetime as dt
import functools
import sys

root, now = sys.argv[1], dt.datetime.fromisoformat(sys.argv[2])
sys.path.insert(0, root)
sys.argv = [f"{root}/cli.py", *sys.argv[3:]]

from tracker.app import Tracker  # noqa: E402
from tracker.commands import options  # noqa: E402

options.make_tracker = functools.partial(Tracker, clock=lambda: now)

import cli  # noqa: E402

cli.cli()
