"""mappa-stats: check and publish MAPPA annual report statistics."""

__version__ = "0.1.0"
