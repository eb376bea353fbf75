"""Regenerate docs/screenshots/: the sign-off packs of a passing and a failing return, in Chromium.

Run from the repository root with the test extras installed and Chromium present
(`apt-get install chromium`): python tools/make_screenshots.py
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PACKS = {
    "signoff-pass": ["samples/kent_2015.xlsx", "--population", "samples/ons_mid2014.csv"],
    "signoff-fail": ["samples/errors/swapped_digits.xlsx"],
}


def main() -> None:
    """Write each pack to a temporary folder, open it in Chromium, save a full-page screenshot."""
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for name, args in PACKS.items():
            html = Path(folder) / f"{name}.html"
            command = [sys.executable, "-m", "mappa_stats", "signoff", *args, "-o", str(html)]
            subprocess.run(command, cwd=ROOT, check=False)
            page = browser.new_page(viewport={"width": 1000, "height": 800})
            page.goto(html.as_uri())
            page.screenshot(path=str(OUT / f"{name}.png"), full_page=False)
            print(f"wrote {OUT / f'{name}.png'}")
            # The end of the pack: lines to sign for a passing return, the "not ready" panel otherwise.
            end = page.locator("#signature, #not-ready")
            end.scroll_into_view_if_needed()
            end.screenshot(path=str(OUT / f"{name}-end.png"))
            print(f"wrote {OUT / f'{name}-end.png'}")
            page.close()
        browser.close()


if __name__ == "__main__":
    main()
