"""The glossary's terms, and where the chapters first use them.

Issue 16: every campaign and data term is linked from its first use in the chapters. The terms
are the entries of the ``{glossary}`` blocks in ``appendices/glossary.md``; a chapter links one
with MyST's ``{term}`` role (``{term}`turf <Turf>```), which Sphinx checks (a misspelled term is
a build warning, and the book builds with warnings as errors).

:func:`first_uses` finds, for each term, the first place a chapter's prose mentions it, in
reading order (``_toc.yml``), ignoring code, inline code, roles, links and headings.
``tests/book/test_glossary.py`` fails when that first mention is not a link; ``python -m
bootcamp.glossary --fix`` turns each unlinked first mention into one (review the diff).
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from bootcamp.paths import REPO_ROOT

GLOSSARY = Path("appendices") / "glossary.md"

# Spans of a prose line that are not prose: inline code, roles ({doc}`x`, {term}`x`, {glue:}`x`),
# Markdown links and images, substitutions, HTML tags.
_NOT_PROSE = re.compile(
    r"\{[\w:-]+\}`[^`]*`"  # a role
    r"|`[^`]*`"  # inline code
    r"|!?\[[^\]]*\]\([^)]*\)"  # a link or image
    r"|\{\{[^}]*\}\}"  # a substitution
    r"|<[^>]+>"  # an HTML tag
)


def glossary_terms(root: Path = REPO_ROOT) -> list[str]:
    """The terms of the ``{glossary}`` blocks, as written (one per unindented line)."""
    text = (root / GLOSSARY).read_text(encoding="utf-8")
    terms = []
    for block in re.findall(r"```\{glossary\}\n(.*?)\n```", text, flags=re.S):
        terms += [
            line.strip()
            for line in block.splitlines()
            if line.strip() and not line[0].isspace() and not line.startswith(":")
        ]
    return terms


def term_pattern(term: str) -> re.Pattern:
    """The term as a whole word or phrase, any case, singular or plural."""
    words = r"\s+".join(re.escape(word) for word in term.split())
    return re.compile(rf"(?<![\w-])({words})(s|es)?(?![\w-])", flags=re.IGNORECASE)


@dataclass(frozen=True)
class Use:
    term: str
    page: str  # the page, as in _toc.yml
    line: int  # 1-based line number in the page's source
    text: str  # the words as written
    linked: bool  # inside a {term} role


def prose_lines(text: str):
    """(line number, line) of the page's prose: outside code and directive fences, front matter,
    headings, tables, comments and directive options."""
    fence = None
    lines = text.splitlines()
    start = 0
    if lines and lines[0].strip() == "---":
        end = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), 0)
        start = end + 1
    for number, line in enumerate(lines[start:], start=start + 1):
        stripped = line.strip()
        opening = re.match(r"^(`{3,}|~{3,}|:{3,})(.*)$", stripped)
        if fence:
            if stripped.startswith(fence) and not stripped[len(fence) :].strip():
                fence = None
            continue
        if opening:
            marker, rest = opening.groups()
            # Prose directives (notes, dropdowns, figures) hold prose; code fences do not.
            if marker.startswith(":") or re.match(
                r"\{(admonition|note|tip|important|warning|"
                r"seealso|dropdown|hint|caution)\}",
                rest,
            ):
                continue
            fence = marker
            continue
        if not stripped or stripped[0] in "#|%:(" or stripped.startswith("+++"):
            continue
        yield number, line


def uses_in(page: str, text: str, terms: list[str]):
    for number, line in prose_lines(text):
        linked_spans = [
            (m.start(), m.end(), m.group(1)) for m in re.finditer(r"\{term\}`([^`]*)`", line)
        ]
        masked = _NOT_PROSE.sub(lambda m: " " * len(m.group(0)), line)
        for term in terms:
            pattern = term_pattern(term)
            for start, _end, inner in linked_spans:
                target = re.search(r"<([^>]+)>$", inner)
                name = (target.group(1) if target else inner).strip()
                if name.lower() == term.lower() or pattern.fullmatch(name):
                    yield Use(term, page, number, inner, True), start
            for match in pattern.finditer(masked):
                yield Use(term, page, number, match.group(0), False), match.start()


def chapter_pages(root: Path = REPO_ROOT) -> list[str]:
    from bootcamp.notebooks import toc_pages

    return [
        page
        for page in toc_pages(root)
        if page.startswith("chapters/")
        and not page.endswith("instructor-notes")  # learners read the lessons, not the notes
        and (root / f"{page}.md").exists()
    ]


def first_uses(root: Path = REPO_ROOT) -> dict[str, Use]:
    """Each term's first mention in the chapters' prose, in reading order (terms never
    mentioned are left out)."""
    terms = glossary_terms(root)
    found: dict[str, Use] = {}
    for page in chapter_pages(root):
        text = (root / f"{page}.md").read_text(encoding="utf-8")
        for use, _column in sorted(uses_in(page, text, terms), key=lambda u: (u[0].line, u[1])):
            found.setdefault(use.term, use)
        if len(found) == len(terms):
            break
    return found


def fix(root: Path = REPO_ROOT) -> list[Use]:
    """Link every unlinked first use; return the uses changed."""
    changed = []
    for use in first_uses(root).values():
        if use.linked:
            continue
        path = root / f"{use.page}.md"
        lines = path.read_text(encoding="utf-8").split("\n")
        line = lines[use.line - 1]
        masked = _NOT_PROSE.sub(lambda m: " " * len(m.group(0)), line)
        match = term_pattern(use.term).search(masked)
        if match is None:
            continue
        written = line[match.start() : match.end()]
        role = (
            f"{{term}}`{written}`"
            if written.lower() == use.term.lower()
            else f"{{term}}`{written} <{use.term}>`"
        )
        lines[use.line - 1] = line[: match.start()] + role + line[match.end() :]
        path.write_text("\n".join(lines), encoding="utf-8")
        changed.append(use)
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Glossary terms and their first use")
    parser.add_argument("--fix", action="store_true", help="link each unlinked first use")
    args = parser.parse_args(argv)
    if args.fix:
        for use in fix():
            print(f"linked {use.term!r} in {use.page}.md:{use.line}")
        return 0
    uses = first_uses()
    missing = [term for term in glossary_terms() if term not in uses]
    for use in uses.values():
        state = "linked" if use.linked else "NOT LINKED"
        print(f"{use.term}: {use.page}.md:{use.line} ({state})")
    for term in missing:
        print(f"{term}: no chapter mentions it")
    return 1 if missing or any(not u.linked for u in uses.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
