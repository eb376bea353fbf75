"""Write outputs completely or not at all, and never over an input."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from mappa_stats.errors import OutputError


def check_output_path(output: Path, inputs: Iterable[Path] = ()) -> None:
    """Refuse an output that is an input, a folder, or in a folder that does not exist."""
    target = output.resolve()
    for source in inputs:
        if str(source) != "-" and source.exists() and source.resolve() == target:
            raise OutputError(
                f"{output}: is also an input file; the input is never overwritten, choose another name"
            )
    if output.is_dir():
        raise OutputError(f"{output}: is a folder; give a file name such as {output / 'out.xlsx'}")
    if not target.parent.is_dir():
        raise OutputError(f"{output}: the folder {output.parent} does not exist; create it first")


def write_atomic(output: Path, write: Callable[[Path], None], inputs: Iterable[Path] = ()) -> None:
    """Call write() on a temporary file beside output, then rename it into place."""
    check_output_path(output, inputs)
    handle, temp_name = tempfile.mkstemp(
        prefix=f".{output.name}.", suffix=".part", dir=output.resolve().parent
    )
    os.close(handle)
    temp = Path(temp_name)
    try:
        write(temp)
        os.replace(temp, output)
    except OSError as exc:
        raise OutputError(
            f"{output}: cannot be written ({exc.strerror or exc}); check the folder and free space"
        ) from exc
    finally:
        if temp.exists():
            temp.unlink()


def write_text_atomic(output: Path, text: str, inputs: Iterable[Path] = ()) -> None:
    """Write text (UTF-8) completely or not at all."""

    def write(temp: Path) -> None:
        temp.write_text(text, encoding="utf-8")

    write_atomic(output, write, inputs)
