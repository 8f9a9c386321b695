"""tracker: which facial-recognition restrictions are in force where, since when, and says who."""

__version__ = "0.1.0"
#: the distribution's name on the package index (the command is ``tracker``; ``tracker`` there
#: is another project): ``pip install 'fr-tracker[chart]'``
DISTRIBUTION = "fr-tracker"
