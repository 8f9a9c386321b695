"""tracker: which facial-recognition restrictions are in force where, since when, and says who."""

__version__ = "0.1.0"
