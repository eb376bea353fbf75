"""Allow ``python -m mappa_stats``."""

from mappa_stats.cli import main

if __name__ == "__main__":
    main()
