"""Runnable copies of the book's pages for Colab, Binder, a JupyterHub and the download button.

A lesson is a MyST Markdown notebook written for the book: hidden cells glue numbers into the
prose (``{glue:text}`n_rows:,```) and assert the claims the prose makes, and the text uses MyST
roles and directives that Jupyter shows as raw markup. This module turns each page with code into
a clean ``.ipynb`` a learner can run top to bottom on a fresh kernel:

- an install cell first, which installs the course package from the repository when the kernel
  lacks it (``BOOTCAMP_INSTALL_SOURCE`` overrides where it installs from, for the tests);
- hidden (``remove-cell``) cells dropped, except the statements later visible cells need: glue
  calls, ``assert`` statements and the ``myst_nb`` import go, setup code that defines a name a
  later cell uses stays (as a visible cell);
- ``{glue:text}`` markers replaced by the numbers the executed lesson glued, ``{doc}`` links
  pointing at the published site, admonitions written as Markdown quotes and dropdowns as
  ``<details>``;

Exercise pages need no copy: they are the released student notebooks, which carry their own
install cell.

The glued numbers come from the book's execution cache (``_build/.jupyter_cache``), so the book
and its notebooks always carry the same numbers; a page missing from the cache is executed here.

``bootcamp notebooks`` writes the copies into ``notebooks/`` (committed, so Colab and Binder can
open them from the repository); the book's Sphinx extension writes the same copies into the
site's ``_notebooks/`` folder for the download button, and a test compares the two.
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bootcamp.errors import BootcampError
from bootcamp.paths import BOOK_CACHE, REPO_ROOT

if TYPE_CHECKING:
    import argparse

    from nbformat import NotebookNode

#: Where the committed copies live, mirroring the book's page paths.
PUBLISHED_DIR = "notebooks"
#: Where the site keeps the same copies for the download button.
SITE_DIR = "_notebooks"
#: The environment variable that overrides what the install cell installs (a path or a pip URL).
INSTALL_SOURCE_ENV = "BOOTCAMP_INSTALL_SOURCE"
REMOVE_TAGS = {"remove-cell", "remove_cell"}
#: Cells that only exist for the web page: concept checks are answered in the book, and their
#: renderer needs the hidden preamble, which the runnable copy does not carry.
PAGE_ONLY_TAGS = {"concept-check"}
GLUE_PREFIX = "application/papermill.record/"


@dataclass(frozen=True)
class BookSettings:
    """The few facts of ``_config.yml`` the notebooks need, read from there (stated once)."""

    repository: str  # https://github.com/org/repo
    branch: str
    site_url: str  # where the book is published, ending in "/"

    @property
    def install_source(self) -> str:
        return f"git+{self.repository}@{self.branch}"


def book_settings(root: Path = REPO_ROOT) -> BookSettings:
    import yaml

    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    repository = config["repository"]["url"].rstrip("/")
    branch = config["repository"].get("branch", "main")
    site_url = (config.get("html", {}).get("baseurl") or "").strip()
    if not site_url:
        match = re.match(r"https://github\.com/([^/]+)/([^/]+)", repository)
        if not match:
            raise BootcampError("_config.yml: set html.baseurl to the published book's address")
        site_url = f"https://{match[1]}.github.io/{match[2]}/"
    return BookSettings(repository, branch, site_url.rstrip("/") + "/")


def toc_pages(root: Path = REPO_ROOT) -> list[str]:
    """Every page named in ``_toc.yml``, root first, in reading order (without suffix)."""
    import yaml

    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    pages = [toc["root"]]

    def walk(entries):
        for entry in entries or []:
            if "file" in entry:
                pages.append(entry["file"])
            walk(entry.get("sections"))

    for part in toc.get("parts", []):
        walk(part.get("chapters"))
    walk(toc.get("chapters"))
    return pages


def runnable_pages(root: Path = REPO_ROOT) -> dict[str, Path]:
    """The pages that get a runnable copy: lessons, as MyST notebooks (pages with code cells) or
    ``.ipynb`` notebooks.

    Exercise pages are ``.ipynb`` already: the released student copy, with its own install cell,
    is what their buttons open."""
    pages = {}
    for page in toc_pages(root):
        md, ipynb = root / f"{page}.md", root / f"{page}.ipynb"
        if md.exists() and "```{code-cell}" in md.read_text(encoding="utf-8"):
            pages[page] = md
        elif ipynb.exists() and "exercises" not in ipynb.name:
            pages[page] = ipynb
    return pages


# --- the install cell ---------------------------------------------------------------------------


def install_cell(settings: BookSettings) -> NotebookNode:
    import nbformat

    source = f'''# Run this cell first. It installs the course's Python package (bootcamp) and the
# tools it uses when they are missing, as on Colab; on the course's Binder or JupyterHub
# they are already there and nothing is installed.
import importlib.util
import os
import subprocess
import sys

if importlib.util.find_spec("bootcamp") is None:
    source = os.environ.get("{INSTALL_SOURCE_ENV}", "{settings.install_source}")
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", source], check=True)
    importlib.invalidate_caches()'''
    return nbformat.v4.new_code_cell(source, metadata={"tags": ["bootcamp-install"]})


# --- hidden cells -------------------------------------------------------------------------------


def _is_glue_only(statement: ast.stmt) -> bool:
    """Statements that exist only for the book: glue calls, asserts, the myst_nb import."""
    if isinstance(statement, ast.Assert):
        return True
    if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call):
        func = statement.value.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
        return name == "glue"
    if isinstance(statement, ast.ImportFrom):
        return (statement.module or "").split(".")[0] == "myst_nb"
    if isinstance(statement, ast.Import):
        return all(alias.name.split(".")[0] == "myst_nb" for alias in statement.names)
    if isinstance(statement, (ast.For, ast.If, ast.With, ast.While)):
        body = list(statement.body) + list(getattr(statement, "orelse", []))
        return all(_is_glue_only(inner) for inner in body)
    return False


def _code(source: str) -> str:
    """Cell source without IPython magics, which ``ast`` cannot parse."""
    return "\n".join(
        "" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines()
    )


def _bound_names(tree: ast.AST) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
    return names


def _used_names(source: str) -> set[str]:
    try:
        tree = ast.parse(_code(source))
    except SyntaxError:
        return set()
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def _setup_code(source: str, needed: set[str]) -> str | None:
    """What of a hidden cell a learner still needs: the statements left once the book-only ones
    go, if they define a name that later code (``needed``) uses; otherwise nothing."""
    text = _code(source)
    tree = ast.parse(text)
    kept = [s for s in tree.body if not _is_glue_only(s)]
    if not kept:
        return None
    if not (_bound_names(ast.Module(body=kept, type_ignores=[])) & needed):
        return None
    lines = text.splitlines()
    parts = ["\n".join(lines[s.lineno - 1 : s.end_lineno]) for s in kept]
    return "\n".join(parts)


def _setup_cells(cells: list, hidden: set[int], skipped: set[int]) -> dict[int, str]:
    """For each hidden code cell (by index), the setup code a learner needs from it: read backward,
    so a hidden cell that only feeds another kept hidden cell is kept too."""
    needed: set[str] = set()
    setups: dict[int, str] = {}
    for index in range(len(cells) - 1, -1, -1):
        cell = cells[index]
        if cell.cell_type != "code" or index in skipped:
            continue
        if index in hidden:
            setup = _setup_code(cell.source, needed)
            if setup:
                setups[index] = setup
                needed |= _used_names(setup)
        else:
            needed |= _used_names(cell.source)
    return setups


# --- Markdown -----------------------------------------------------------------------------------

_ROLE = re.compile(r"\{([a-zA-Z:_-]+)\}`([^`]*)`")
_DIRECTIVE_OPEN = re.compile(r"^(\s*)(:{3,}|`{3,})\{([a-zA-Z:_-]+)\}\s*(.*)$")
_TARGET = re.compile(r"^\(([^)]+)\)=\s*$")


def _glossary_term(root: Path, written: str) -> str:
    """The glossary's own spelling of a term (Sphinx matches {term} case-insensitively)."""
    from bootcamp.glossary import glossary_terms

    return next((t for t in glossary_terms(root) if t.lower() == written.lower()), written)


def _page_title(root: Path, page: str) -> str:
    for suffix in (".md", ".ipynb"):
        path = root / f"{page}{suffix}"
        if path.exists():
            text = path.read_text(encoding="utf-8")
            if suffix == ".ipynb":
                text = "\n".join(
                    "".join(c["source"])
                    for c in json.loads(text)["cells"]
                    if c["cell_type"] == "markdown"
                )
            match = re.search(r"^#\s+(.+)$", text, re.MULTILINE)
            if match:
                return match[1].strip()
    return page.rsplit("/", 1)[-1]


#: Glue names that hold measurements of the build machine (timings): they differ on every build,
#: so the runnable copy marks them and the freshness test compares everything else.
MEASURED = "measured_"
MEASURED_CLASS = "bootcamp-measured"


class MarkdownWriter:
    """Turns the MyST of one page into Markdown that Jupyter, Colab and GitHub render."""

    def __init__(self, root: Path, page: str, settings: BookSettings, glue: dict[str, str]):
        self.root, self.page, self.settings, self.glue = root, page, settings, glue

    def _doc_link(self, content: str) -> str:
        match = re.match(r"^(.*?)\s*<([^>]+)>$", content)
        text, target = (match[1], match[2]) if match else (None, content)
        if target.startswith("/"):
            resolved = target.lstrip("/")
        else:
            resolved = str(Path(self.page).parent / target)
            resolved = "/".join(_normalize(resolved.split("/")))
        return (
            f"[{text or _page_title(self.root, resolved)}]({self.settings.site_url}{resolved}.html)"
        )

    def _glue_text(self, content: str) -> str:
        key, _, fmt = content.rpartition(":") if ":" in content else (content, "", "s")
        if not key:
            key, fmt = content, "s"
        if "::" in key:
            raise BootcampError(f"{self.page}: glue from another page ({key}) is not supported")
        if key not in self.glue:
            raise BootcampError(f"{self.page}: the executed lesson glued no value named {key!r}")
        from myst_nb.core.variables import format_plain_text

        text = format_plain_text(self.glue[key], fmt)
        if key.startswith(MEASURED):  # a timing of the machine that built the page
            return f'<span class="{MEASURED_CLASS}">{text}</span>'
        return text

    def role(self, match: re.Match) -> str:
        name, content = match[1], match[2]
        if name == "doc":
            return self._doc_link(content)
        if name in ("glue:text", "glue", "glue:"):
            return self._glue_text(content)
        if name.startswith("glue"):
            raise BootcampError(f"{self.page}: {{{name}}} cannot be written into a notebook")
        if name == "term":  # a glossary term: link to its entry in the published glossary
            match = re.match(r"^(.*?)\s*<([^>]+)>$", content)
            text, term = (match[1], match[2]) if match else (content, content)
            anchor = "term-" + re.sub(r"[^\w]+", "-", _glossary_term(self.root, term), flags=re.A)
            return f"[{text}]({self.settings.site_url}appendices/glossary.html#{anchor.strip('-')})"
        # any other role ({ref}, {term}, {abbr}...): keep its text
        label = re.match(r"^(.*?)\s*<[^>]+>$", content)
        return label[1] if label else content

    def convert(self, text: str) -> str:
        out = self._directives(text.splitlines())
        return _ROLE.sub(self.role, "\n".join(out))

    def _directives(self, lines: list[str]) -> list[str]:
        out: list[str] = []
        index = 0
        while index < len(lines):
            line = lines[index]
            if _TARGET.match(line):
                index += 1
                continue
            opened = _DIRECTIVE_OPEN.match(line)
            if not opened or opened[3] in ("code-cell",):
                out.append(line)
                index += 1
                continue
            indent, fence, name, argument = opened.groups()
            if name.startswith("glue"):
                raise BootcampError(
                    f"{self.page}: a {{{name}}} directive cannot be written into a notebook; "
                    "show the output in its own cell instead (plt.show(), display(...))"
                )
            index += 1
            options = {}
            while index < len(lines) and re.match(r"^\s*:[a-zA-Z_-]+:", lines[index]):
                key, _, value = lines[index].strip()[1:].partition(":")
                options[key] = value.strip()
                index += 1
            body = []
            while index < len(lines) and lines[index].strip() != fence:
                body.append(lines[index])
                index += 1
            index += 1  # the closing fence
            inner = self._directives(body)
            out.extend(self._render(name, argument, options, inner, indent))
        return out

    @staticmethod
    def _render(name, argument, options, body, indent) -> list[str]:
        title = argument or name.replace("-", " ").capitalize()
        while body and not body[0].strip():
            body = body[1:]
        if "dropdown" in options.get("class", "") or name == "dropdown":
            return (
                [f"{indent}<details>", f"{indent}<summary>{title}</summary>", ""]
                + body
                + [
                    "",
                    f"{indent}</details>",
                ]
            )
        if name in ("figure", "image", "math", "raw"):
            return body
        quoted = [f"{indent}> **{title}**", f"{indent}>"]
        quoted += [f"{indent}> {line[len(indent) :]}".rstrip() for line in body]
        return quoted


def _normalize(parts: list[str]) -> list[str]:
    out: list[str] = []
    for part in parts:
        if part == "..":
            if out:
                out.pop()
        elif part not in (".", ""):
            out.append(part)
    return out


# --- glue values --------------------------------------------------------------------------------


def glue_values(notebook: NotebookNode) -> dict[str, str]:
    """The text/plain of every value the executed notebook glued."""
    values = {}
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            scrapbook = output.get("metadata", {}).get("scrapbook")
            if not scrapbook:
                continue
            prefix = scrapbook.get("mime_prefix", "")
            text = output.get("data", {}).get(prefix + "text/plain")
            if text is not None:
                values[scrapbook["name"]] = text if isinstance(text, str) else "".join(text)
    return values


def executed(path: Path, cache_dir: Path | None) -> NotebookNode:
    """The page executed: from the book's execution cache when it holds this exact code."""
    import jupytext

    notebook = jupytext.read(path)
    if cache_dir is not None and (cache_dir / "global.db").exists():
        from jupyter_cache import get_cache

        try:
            _, merged = get_cache(cache_dir).merge_match_into_notebook(notebook)
            return merged
        except KeyError:
            pass  # not cached (or the code changed since): execute it below
    import nbclient

    client = nbclient.NotebookClient(
        notebook,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()
    return notebook


# --- building one notebook ----------------------------------------------------------------------


def _clean_metadata(notebook: NotebookNode) -> None:
    notebook.metadata = {
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"},
    }


def build_lesson(
    path: Path, page: str, settings: BookSettings, cache_dir: Path | None, root: Path = REPO_ROOT
) -> NotebookNode:
    import jupytext
    import nbformat

    source = jupytext.read(path)
    glue = glue_values(executed(path, cache_dir)) if "{glue" in path.read_text("utf-8") else {}
    writer = MarkdownWriter(root, page, settings, glue)
    cells = [install_cell(settings)]
    hidden = {
        i
        for i, c in enumerate(source.cells)
        if c.cell_type == "code"
        and REMOVE_TAGS & set(c.metadata.get("tags", []))
        and not PAGE_ONLY_TAGS & set(c.metadata.get("tags", []))
    }
    skipped = {
        i
        for i, c in enumerate(source.cells)
        if c.cell_type == "code" and PAGE_ONLY_TAGS & set(c.metadata.get("tags", []))
    }
    setups = _setup_cells(source.cells, hidden, skipped)
    for index, cell in enumerate(source.cells):
        tags = set(cell.metadata.get("tags", []))
        if cell.cell_type == "markdown":
            text = writer.convert(cell.source)
            if text.strip():
                cells.append(nbformat.v4.new_markdown_cell(text))
        elif index in skipped:
            continue
        elif index in hidden:
            if index in setups:
                cells.append(nbformat.v4.new_code_cell(setups[index]))
        elif cell.cell_type == "code":
            metadata = {"tags": sorted(tags)} if tags else {}
            cells.append(nbformat.v4.new_code_cell(cell.source, metadata=metadata))
    notebook = nbformat.v4.new_notebook(cells=cells)
    _clean_metadata(notebook)
    return notebook


def build_all(out_dir: Path, cache_dir: Path | None = None, root: Path = REPO_ROOT) -> list[Path]:
    """Write a runnable copy of every page with code into ``out_dir`` (mirroring page paths)."""
    import nbformat

    settings = book_settings(root)
    written = []
    for page, path in runnable_pages(root).items():
        notebook = build_lesson(path, page, settings, cache_dir, root)
        for index, cell in enumerate(notebook.cells):
            cell["id"] = f"cell-{index}"  # stable ids: regenerating changes nothing
        target = out_dir / f"{page}.ipynb"
        target.parent.mkdir(parents=True, exist_ok=True)
        text = nbformat.writes(notebook) + "\n"
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8")
        written.append(target)
    return written


# --- command line -------------------------------------------------------------------------------


def _run(args: argparse.Namespace) -> int:
    out = Path(args.out)
    written = build_all(out, Path(args.cache) if args.cache else None)
    expected = {p.resolve() for p in written}
    for stale in out.rglob("*.ipynb"):
        if stale.resolve() not in expected:
            stale.unlink()  # a page left the book: its copy goes too
    print(f"Wrote {len(written)} runnable notebooks into {out}/")
    return 0


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "notebooks",
        help="write a clean runnable .ipynb of every page with code (for Colab, Binder, download)",
        description=__doc__.split("\n\n")[0],
    )
    parser.add_argument("--out", default=str(REPO_ROOT / PUBLISHED_DIR), help="default: notebooks/")
    parser.add_argument(
        "--cache",
        default=str(BOOK_CACHE),
        help="the book's execution cache, for the glued numbers (default: _build/.jupyter_cache)",
    )
    parser.set_defaults(func=_run)
