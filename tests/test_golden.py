"""The golden corpus: every command's output on tests/golden/inputs/ is byte for byte the recorded one.

tools/golden.py runs each case as a subprocess (`python -m mappa_stats ...`); a difference is shown as a
unified diff. Re-record with `python tools/golden.py --write` only when a change of output is intended, and
say so in the commit (docs/development.md, "The golden corpus").
"""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT


def test_golden_corpus_unchanged() -> None:
    proc = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "golden.py"), "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert proc.returncode == 0, f"golden corpus differs:\n{proc.stdout}\n{proc.stderr}"
    assert "all equal" in proc.stdout
