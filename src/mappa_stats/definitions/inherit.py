"""A year written as what changed from the year it `extends`: a definition file resolved to a whole one.

A definition file may name the year it builds on with `"extends"`; it then holds only what changed, as R
`validate` rule files include one another. Resolving follows the chain to a whole file and lays each file
over its parent, oldest first (docs/templates.md, "How a year is written"):

- objects merge key by key; a key set to `null` is removed; a new key goes where the file writes it: before
  the next key the file writes that the parent has (`"key": {}` merges nothing), else at the end;
- a list of objects that each have an `id` (tables, label sets, rows, columns) or a `rule` (relations,
  claims) merges item by item: an item with a known id merges into it where it stands, a new one is
  appended, `"before": "<id>"` puts a new or known item before the one it names, and
  `{"id": "x", "remove": true}` removes one;
- any other list (aliases, match, sources, not_applicable, a return's fields …) and any other value replaces
  the parent's whole.

`template` (the year), `changes` (what changed from the year before) and `status` belong to one file and are
never inherited. A year is `provisional` unless its own file says `"status": "verified"` and its own
`sources` name what verified it: the child of a verified year is provisional until its own source is read.

`"extends": "2024-25"` (a year) names that year's file in the folder of years: for a shipped file its own
folder, for a file given with --template the shipped years. Anything else is a path relative to the folder
of the file that says it. Pure functions, apart from reading files through the reader they are given.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from mappa_stats.definitions.constants import YEAR
from mappa_stats.errors import TemplateError

# Far longer than the return's history (2014-15 to 2024-25 is 11 years): a longer chain is a mistake.
MAX_CHAIN = 40
# Keys that describe one file and are never taken from the year it extends.
OWN_KEYS = ("template", "changes", "status")
# The keys by which a list of objects merges item by item.
ITEM_KEYS = ("id", "rule")

Reader = Callable[[Path], Any]


class _MergeError(ValueError):
    """A merge instruction that cannot be carried out; resolve() names the file."""


def resolve(path: Path, read: Reader, years: Path | None = None) -> Any:
    """The whole definition of the file at `path`, its `extends` chain followed and merged.

    `read` turns a path into parsed JSON (raising TemplateError); `years` is the folder a bare year such as
    '2024-25' is looked up in (default: the folder of the file that names it)."""
    chain = _chain(path, read, years)
    current, spec = chain[-1]
    try:
        spec = _clean(spec, "")
        for current, child in reversed(chain[:-1]):  # noqa: B007 (current names the file in an error)
            spec = merge(spec, child)
    except _MergeError as exc:
        raise TemplateError(f"{current.name}: {exc}") from None
    return settle(spec, chain[0][1], path)


def _chain(path: Path, read: Reader, years: Path | None) -> list[tuple[Path, Any]]:
    """The files from `path` up to its whole ancestor, each with its parsed JSON (the child first)."""
    chain: list[tuple[Path, Any]] = []
    seen: set[Path] = set()
    current = path
    while True:
        real = current.resolve()
        if real in seen:
            steps = " -> ".join(p.name for p, _ in [*chain, (current, None)])
            raise TemplateError(
                f"{path.name}: extends goes round in a circle ({steps}); one year must be whole"
            )
        if len(chain) >= MAX_CHAIN:
            raise TemplateError(
                f"{path.name}: more than {MAX_CHAIN} files extend one another; shorten the chain"
            )
        seen.add(real)
        spec = read(current)
        chain.append((current, spec))
        parent = spec.get("extends") if isinstance(spec, dict) else None
        if parent is None:
            return chain
        parent_file = parent_path(current, parent, years)
        if not parent_file.is_file():
            raise TemplateError(
                f"{current.name}: extends {parent!r}, but there is no such definition ({parent_file}); "
                "check the name"
            )
        current = parent_file


def parent_path(child: Path, parent: Any, years: Path | None) -> Path:
    """Where the file `child`'s `"extends": parent` points."""
    if not isinstance(parent, str) or not parent.strip():
        raise TemplateError(f"{child.name}: extends: {parent!r} is not a year such as '2024-25' nor a file")
    if YEAR.match(parent):
        return (years if years is not None else child.parent) / f"{parent}.json"
    return child.parent / parent


def merge(parent: Any, child: Any, where: str = "") -> Any:
    """`child` laid over `parent` by the rules above; neither is changed."""
    if isinstance(parent, dict) and isinstance(child, dict):
        out = {}
        for key in _key_order(parent, child):
            at = f"{where}.{key}" if where else key
            if key not in child:
                out[key] = parent[key]
            elif child[key] is None:
                continue
            elif key in parent:
                out[key] = merge(parent[key], child[key], at)
            else:
                out[key] = _clean(child[key], at)
        return out
    item_key = _item_key(parent, child)
    if item_key is not None:
        return _merge_items(parent, child, item_key, where)
    return _clean(child, where)


def _key_order(parent: dict[str, Any], child: dict[str, Any]) -> list[str]:
    """The parent's keys in order, each new key of the child just before the next key the child writes that
    the parent has (at the end when there is none)."""
    order = list(parent)
    waiting: list[str] = []
    for key in child:
        if key in parent:
            at = order.index(key)
            order[at:at] = waiting
            waiting = []
        else:
            waiting.append(key)
    return order + waiting


def _item_key(parent: Any, child: Any) -> str | None:
    """The key two lists merge by, or None when the child's list replaces the parent's whole."""
    if not (isinstance(parent, list) and isinstance(child, list) and parent and child):
        return None
    for key in ITEM_KEYS:
        if all(isinstance(item, dict) and isinstance(item.get(key), str) for item in (*parent, *child)):
            return key
    return None


def _merge_items(parent: list[Any], child: list[Any], key: str, where: str) -> list[Any]:
    out = list(parent)
    for item in child:
        name = item[key]
        at = next((i for i, old in enumerate(out) if old[key] == name), None)
        remove = item.get("remove")
        if remove is not None and (remove is not True or len(item) != 2):
            raise _MergeError(f"{where}: write a removal as {{{key!r}: {name!r}, 'remove': true}}")
        if remove and at is None:
            raise _MergeError(f"{where}: {name!r} cannot be removed: the year extended has none")
        if remove and at is not None:
            del out[at]
        elif at is None:
            new = {k: v for k, v in item.items() if k != "before"}
            out.insert(_place(out, item, key, where), _clean(new, f"{where}[{name}]"))
        else:
            merged = merge(out[at], {k: v for k, v in item.items() if k != "before"}, f"{where}[{name}]")
            del out[at]
            out.insert(_place(out, item, key, where) if "before" in item else at, merged)
    return out


def _place(items: list[Any], item: dict[str, Any], key: str, where: str) -> int:
    """Where an item goes: before the one its `before` names, else at the end."""
    before = item.get("before")
    if before is None:
        return len(items)
    at = next((i for i, old in enumerate(items) if old[key] == before), None)
    if at is None:
        raise _MergeError(f"{where}[{item[key]}]: before {before!r}, which the year extended does not have")
    return at


# Where a value stands, for an error message: a path string, or (where its container stands, key or index),
# spelled out only when a message needs it (a definition has thousands of values and no error).
_Where = str | tuple[Any, str | int]


def _spelled(where: _Where) -> str:
    """'tables[2].rows' from the nested (where, key) pairs _clean builds."""
    if isinstance(where, str):
        return where
    parent, key = where
    above = _spelled(parent)
    if isinstance(key, int):
        return f"{above}[{key}]"
    return f"{above}.{key}" if above else key


def _clean(value: Any, where: _Where) -> Any:
    """A value with nothing under it to merge into, taken as it is: a removal in it has nothing to remove."""
    if isinstance(value, dict):
        if value.get("remove") is True:
            name = value.get("id", value.get("rule"))
            raise _MergeError(f"{_spelled(where)}: {name!r} cannot be removed: the year extended has none")
        return {
            k: _clean(v, (where, k)) if isinstance(v, (dict, list)) else v
            for k, v in value.items()
            if v is not None
        }
    if isinstance(value, list):
        return [_clean(v, (where, i)) if isinstance(v, (dict, list)) else v for i, v in enumerate(value)]
    return value


def settle(spec: Any, own: Any, path: Path) -> Any:
    """The merged definition with the keys of the file itself (never inherited), and `extends` gone."""
    if not isinstance(spec, dict) or not isinstance(own, dict):
        return spec
    out = {k: v for k, v in spec.items() if k not in (*OWN_KEYS, "extends")}
    for key in OWN_KEYS:
        if own.get(key) is not None:
            out[key] = own[key]
    out.setdefault("status", "provisional")
    if out["status"] == "verified" and not own.get("sources"):
        raise TemplateError(
            f"{path.name}: status: 'verified' needs the file's own 'sources' naming what verified it "
            "(a year never inherits 'verified')"
        )
    return out
