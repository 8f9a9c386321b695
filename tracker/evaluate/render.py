"""Text and JSON for evaluations (both corpus formats)."""

from __future__ import annotations

import json
from typing import Any


def evaluation_json(result: Any) -> str:
    return json.dumps(result.as_dict(), indent=2)


def _calibration_lines(data: dict[str, Any]) -> list[str]:
    lines = ["calibration (confidence: facts, right):"]
    for b in data["calibration"]:
        if b["facts"]:
            lines.append(f"  {b['confidence']}: {b['facts']:4d} facts, {b['right']:4d} right ({b['accuracy']:.3f})")
    high = data.get("confident")
    if high and high["facts"]:
        lines.append(f"  >= 0.8: {high['facts']} facts, {high['accuracy']:.3f} right")
    return lines


def evaluation_text(result: Any, *, details: bool = False) -> str:
    """The project's own format (``--articles``/``--expected``)."""
    data = result.as_dict()
    f, st = data["facts"], data["status"]
    lines = [
        f"status changes: {f['found']}/{f['expected']} expected found (recall {f['recall']:.3f}), "
        f"{f['correct']}/{f['extracted']} extracted correct (precision {f['precision']:.3f}); "
        f"kind right for {f['kind_right_among_found']}/{f['found']} found",
        f"status --all on {st['dates']} dates: {st['found_in_force']}/{st['expected_in_force']} "
        f"expected in force found (recall {st['recall']:.3f}), {st['false_in_force']} false 'in force' claims",
    ]
    for day in st["by_date"]:
        line = f"  {day['as_of']}: {day['found_in_force']}/{day['expected_in_force']} in force found"
        if day["false_in_force"]:
            line += "; FALSE: " + ", ".join(day["false_in_force"])
        if day["missing"]:
            line += "; missing: " + ", ".join(day["missing"])
        lines.append(line)
    lines.extend(_calibration_lines(data))
    if details:
        lines.append("missed facts:")
        lines.extend(f"  {m['article']}: {m['subject']} {m['status']} {m['date']}" for m in data["misses"])
        lines.append("extra facts:")
        lines.extend(f"  {m['article']}: {m['subject']} {m['status']} {m['date']}" for m in data["extras"])
    return "\n".join(lines)


def corpus_text(result: Any, *, details: bool = False) -> str:
    """A corpus in the shared format (``labels.jsonl``)."""
    data = result.as_dict()
    f, d, st = data["facts"], data["dates"], data["in_force"]
    lines = [
        f"{data['corpus']}: {data['sources']} sources",
        f"facts: recall {f['recall']:.3f} ({f['found']}/{f['expected']} labelled found), "
        f"precision {f['precision']:.3f} ({f['correct']}/{f['extracted']} extracted right)",
        f"dates: {d['agreement']:.3f} of matched facts agree ({d['agree']}/{d['matched']})",
        f"in force on {st['check_dates']} dates: recall {st['recall']:.3f} ({st['right']}/{st['expected']}), "
        f"precision {st['precision']:.3f} ({st['right']}/{st['claimed']})",
    ]
    lines.extend(_calibration_lines(data))
    if details:
        for title, key in (("missed facts", "misses"), ("false facts", "false_facts"),
                           ("wrong dates", "wrong_dates"), ("in force errors", "in_force_errors")):
            lines.append(f"{title}: {len(data[key])}")
            lines.extend(f"  {item}" for item in data[key])
    return "\n".join(lines)
