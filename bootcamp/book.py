"""A small Sphinx extension for the course book, loaded from ``_config.yml``.

Jupyter Book 1 registers sphinx-thebe's and sphinx-togglebutton's inline configuration scripts
twice on every page; the second ``const THEBE_JS_URL`` is a JavaScript SyntaxError in the reader's
browser. We drop exact duplicate script entries before each page is written.
"""

from __future__ import annotations

from typing import Any


def _script_key(script: Any) -> tuple:
    attributes = getattr(script, "attributes", {}) or {}
    # the same inline script is registered once with filename None and once with ""
    return (getattr(script, "filename", str(script)) or "", tuple(sorted(attributes.items())))


def drop_duplicate_scripts(app, pagename, templatename, context, doctree) -> None:
    scripts = context.get("script_files")
    if not scripts:
        return
    seen: set[tuple] = set()
    unique = []
    for script in scripts:
        key = _script_key(script)
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"] = unique


def setup(app) -> dict[str, bool]:
    app.connect("html-page-context", drop_duplicate_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
