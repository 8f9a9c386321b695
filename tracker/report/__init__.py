"""Report: stored facts in, what is in force where and when out.

    status    a measure's state on a day, from its status changes (pure)
    periods   that state cached as periods in ``measure_periods``
    report    the status report and a measure's history, read from the database
    render    the tables for people, and the JSON of status and show
    rows      the rows of status, show and timeline for JSON, CSV and NDJSON
    timeline  a subject's events over time; ``chart`` draws them
    export    views and tables streamed as CSV, JSON, NDJSON or a table
"""
