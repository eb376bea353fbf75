"""Errors a user can cause: each carries a one-line message naming the file, place and fix."""

from __future__ import annotations


class MappaError(Exception):
    """An input or usage problem that stops a command (exit code 2)."""

    exit_code = 2

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class InputError(MappaError):
    """A file cannot be read as an area workbook, tidy CSV or population file."""


class ReturnAreaError(InputError):
    """A return whose area cells disagree: which area it is for is known by its id, but not certain."""

    def __init__(self, message: str, area_id: int) -> None:
        super().__init__(message)
        self.area_id = area_id


class TableNotFoundError(InputError):
    """A table of the template could not be found in the workbook."""


class LabelError(InputError):
    """A row or column label in the workbook is not one the template knows."""


class TemplateError(MappaError):
    """No template definition fits, or a definition file is broken."""


class OutputError(MappaError):
    """An output file cannot be written."""
