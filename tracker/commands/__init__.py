"""The command line's commands, one module per command or group; ``cli.py`` at the top of the
repository loads each one lazily, on first use, so that ``--help`` and ``--version`` import
none of the database, network or chart libraries.

``options`` holds what every command shares: the context settings, the database and output
format decorators (``format_option``, ``emit``), the date, duration (``SINCE``) and interval
parameters, and the error handler; ``progress`` draws the progress bar. docs/cli.md sets out
the conventions they keep.
"""
