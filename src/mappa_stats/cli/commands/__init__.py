"""One module per mappa-stats command."""
