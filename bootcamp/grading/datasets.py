"""Generate, before any sandbox starts, the datasets an assignment's notebooks load.

Kernels see the datasets folder read-only, so whatever ``bootcamp.data`` would generate on first
use must exist beforehand. The source notebook is read, not run: every ``data.load``,
``data.connect`` and ``data.path`` call whose arguments are literals, or names bound by a ``for``
over a literal tuple or list (``[data.load("voters", preset="tiny", seed=s) for s in (11, 12)]``),
is resolved and its dataset generated here, in the trusted process.
"""

from __future__ import annotations

import ast
import inspect
import itertools
from collections.abc import Iterator
from pathlib import Path

import nbformat

CALLS = {"load": ("parquet",), "connect": ("sqlite",), "path": None}


def _code(cell_source: str) -> ast.AST | None:
    lines = [
        "" if line.lstrip().startswith(("%", "!")) else line for line in cell_source.splitlines()
    ]
    try:
        return ast.parse("\n".join(lines))
    except SyntaxError:
        return None


def _value(node: ast.AST, scope: dict):
    if isinstance(node, ast.Name) and node.id in scope:
        return scope[node.id]
    return ast.literal_eval(node)


def _bindings(generators) -> Iterator[dict]:
    """Every assignment of comprehension/loop targets that iterate over literal sequences."""
    names, choices = [], []
    for gen in generators:
        target, iterable = gen
        if not isinstance(target, ast.Name):
            continue
        try:
            values = ast.literal_eval(iterable)
        except (ValueError, SyntaxError, TypeError):
            continue
        names.append(target.id)
        choices.append(list(values))
    for combo in itertools.product(*choices):
        yield dict(zip(names, combo, strict=True))


def calls(tree: ast.AST) -> list[tuple[str, list, dict]]:
    """(function, args, kwargs) of every resolvable ``data.X(...)`` call in ``tree``."""
    found = []

    def visit(node: ast.AST, loops: list) -> None:
        if isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
            loops = loops + [(g.target, g.iter) for g in node.generators]
        elif isinstance(node, ast.For):
            loops = loops + [(node.target, node.iter)]
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "data"
            and node.func.attr in CALLS
        ):
            for scope in _bindings(loops) if loops else [{}]:
                try:
                    args = [_value(a, scope) for a in node.args]
                    kwargs = {k.arg: _value(k.value, scope) for k in node.keywords if k.arg}
                except (ValueError, SyntaxError, TypeError):
                    continue
                found.append((node.func.attr, args, kwargs))
        for child in ast.iter_child_nodes(node):
            visit(child, loops)

    visit(tree, [])
    return found


def needed(notebooks: list[Path]) -> set[tuple]:
    """(preset, seed, size, messy, formats, snapshot) of every dataset the notebooks' code loads;
    a dataset loaded at a later snapshot brings its snapshot 0 too (the week before)."""
    from bootcamp import data

    out = set()
    for path in notebooks:
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            tree = _code(cell.source)
            if tree is None:
                continue
            for func, args, kwargs in calls(tree):
                try:
                    bound = inspect.signature(getattr(data, func)).bind(*args, **kwargs)
                except TypeError:
                    continue
                bound.apply_defaults()
                a = bound.arguments
                # Parquet and SQLite both: set-up helpers (two_weeks in chapter 4) often open the
                # same dataset the other way, and a tiny dataset costs little.
                asked = set(CALLS[func] or a.get("formats") or ())
                formats = tuple(sorted(asked | {"parquet", "sqlite"}))
                snapshot = a.get("snapshot", 0)
                out.add((a["preset"], a["seed"], a["size"], a["messy"], formats, snapshot))
    return out


def prepare(notebooks: list[Path]) -> list[Path]:
    """Generate (if missing) every dataset the notebooks load; returns their folders."""
    from bootcamp import data

    wanted = set()
    for preset, seed, size, messy, formats, snapshot in needed(notebooks):
        wanted |= {(preset, seed, size, messy, formats, week) for week in {0, snapshot}}
    return [
        data.path(preset, seed, size, messy, formats=formats, snapshot=snapshot)
        for preset, seed, size, messy, formats, snapshot in sorted(wanted, key=repr)
    ]
