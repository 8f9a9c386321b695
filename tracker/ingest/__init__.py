"""Ingest: files, folders, stdin and URLs in; stored sources and facts out.

    fetch     I/O only: bytes from a path, stdin or an http(s) URL
    parse     bytes -> Article (text, title, publication date and how it was learned)
    pipeline  the order of the stages, one transaction per article (its docstring draws it)
    store     the only writer: sources, measures and status changes

It takes an article's bytes and gives stored facts; extraction itself is ``tracker.extract``.
"""
