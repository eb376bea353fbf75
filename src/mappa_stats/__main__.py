"""Allow ``python -m mappa_stats``."""

from mappa_stats.cli.main import run

if __name__ == "__main__":
    run()
