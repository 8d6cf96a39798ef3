"""cockpit: a terminal incident cockpit with a hash-chained incident journal."""

__version__ = "0.1.0"
