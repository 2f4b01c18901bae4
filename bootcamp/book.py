"""A small Sphinx extension for the course book, loaded from ``_config.yml``.

- Jupyter Book 1 registers sphinx-thebe's and sphinx-togglebutton's inline configuration scripts
  twice on every page; the second ``const THEBE_JS_URL`` is a JavaScript SyntaxError in the
  reader's browser. We drop exact duplicate script entries before each page is written, and
  sphinx-thebe's files altogether while the "live code" button is off (``_config.yml``).
- Launch and download buttons: the theme points Colab, Binder and a JupyterHub at the page's
  source (a MyST ``.md`` that Colab cannot open and that still holds the hidden glue cells). We
  point them at the page's runnable copy in ``notebooks/`` (committed, see
  :mod:`bootcamp.notebooks`) and the download button at the same copy published in the site's
  ``_notebooks/`` folder, which this extension writes when the build finishes.
- Icons: the theme loads Font Awesome's whole SVG library as a 1.45 MB script on every page, to
  draw about twenty icons. ``_templates/static/webpack-macros.html`` loads ``_static/icons.css``
  instead, which this extension writes when the build finishes: only the icons the pages use, as
  CSS masks (no script, a few kilobytes), including those the theme's CSS drew in the icon font
  (admonition titles, external links), so the 156 kB font is not downloaded either.
- Every page's footer says which release of the course it is (version and date from
  ``CITATION.cff``, the one place they are written) and when its source last changed (git).
- Accessibility fixes to the page body (the theme's own markup is fixed by ``_static/course.js``):
  the "show code cell source" toggles lose an ``aria-label`` that hid their visible text, and
  pandas' empty corner header cell becomes a plain cell. The theme's color mode gets a valid
  default ("auto"), so the first visit no longer logs "Got invalid theme mode".
"""

from __future__ import annotations

import datetime
import html
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sphinx.errors import ExtensionError

from bootcamp import notebooks


def _script_key(script: Any) -> tuple:
    attributes = getattr(script, "attributes", {}) or {}
    # the same inline script is registered once with filename None and once with ""
    return (getattr(script, "filename", str(script)) or "", tuple(sorted(attributes.items())))


def drop_duplicate_scripts(app, pagename, templatename, context, doctree) -> None:
    scripts = context.get("script_files")
    if not scripts:
        return
    # Jupyter Book always loads sphinx-thebe; with the "live code" button off, nothing uses it
    launch = app.config.html_theme_options.get("launch_buttons", {}) or {}
    thebe_off = not launch.get("thebe")
    seen: set[tuple] = set()
    unique = []
    for script in scripts:
        key = _script_key(script)
        if thebe_off and ("sphinx-thebe" in key[0] or "THEBE_JS_URL" in str(key)):
            continue
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"] = unique
    if thebe_off and context.get("css_files"):
        context["css_files"] = [c for c in context["css_files"] if "sphinx-thebe" not in str(c)]


def _runnable(app) -> dict[str, Path]:
    # on the application, not the (pickled) environment: read afresh on every build
    if not hasattr(app, "_bootcamp_runnable"):
        app._bootcamp_runnable = notebooks.runnable_pages(Path(app.srcdir))
    return app._bootcamp_runnable


def point_buttons_at_notebooks(app, pagename, templatename, context, doctree) -> None:
    """Launch buttons open ``notebooks/<page>.ipynb``; download offers ``_notebooks/<page>.ipynb``.

    Exercise pages (``.ipynb``, the released student copy) keep the theme's buttons: that copy
    is the runnable notebook."""
    buttons = context.get("header_buttons")
    if not buttons:
        return
    runnable = _runnable(app)
    source = runnable.get(pagename)
    published = f"{notebooks.PUBLISHED_DIR}/{pagename}.ipynb"
    for group in list(buttons):
        label = group.get("label")
        if label == "launch-buttons" and source is not None:
            for button in group["buttons"]:
                url = button.get("url")
                if not url:
                    continue
                source_path = f"/{pagename}{source.suffix}"
                if source_path not in url:
                    raise ExtensionError(f"launch URL of {pagename} has no {source_path}: {url}")
                button["url"] = url.replace(source_path, f"/{published}", 1)
        elif label == "download-buttons" and source is not None:
            pathto = context["pathto"]
            notebook = {
                "type": "link",
                "url": f"{pathto(notebooks.SITE_DIR, 1)}/{pagename}.ipynb",
                "text": ".ipynb",
                "icon": "fas fa-code",
                "tooltip": "Download a notebook of this page that runs anywhere",
                "label": "download-notebook-button",
            }
            kept = [
                b
                for b in group["buttons"]
                if b.get("label") not in ("download-notebook-button", "download-source-button")
            ]
            group["buttons"] = [notebook, *kept]


def publish_notebooks(app, exception) -> None:
    """Write the runnable copies into the site (``_notebooks/``), from this build's cache."""
    if exception is not None or app.builder.format != "html":
        return
    out = Path(app.outdir) / notebooks.SITE_DIR
    if out.exists():
        shutil.rmtree(out)
    config = getattr(app.env, "mystnb_config", None)
    cache = getattr(config, "execution_cache_path", "") or ""
    cache_dir = Path(cache) if cache else Path(app.outdir).parent / ".jupyter_cache"
    notebooks.build_all(out, cache_dir, Path(app.srcdir))


ICON_STYLES = {
    "fa-solid": "fas",
    "fas": "fas",
    "fa-regular": "far",
    "far": "far",
    "fa-brands": "fab",
    "fab": "fab",
}
#: Font Awesome classes that are modifiers, not icon names.
ICON_MODIFIERS = {"fa-lg", "fa-fw", "fa-xs", "fa-sm", "fa-xl", "fa-2x", "fa-spin"}
_ICON = re.compile(
    r'(?:"([^"]+)"|([A-Za-z0-9_$]+)):\[(\d+),(\d+),\[[^\]]*\],"([0-9a-f]*)","((?:[^"\\]|\\.)*)"\]'
)


def used_icons(html_dir: Path) -> set[tuple[str, str]]:
    """(style, name) of every Font Awesome icon the site's pages (or the theme's scripts) use."""
    texts = [page.read_text("utf-8") for page in html_dir.rglob("*.html")]
    texts += [
        script.read_text("utf-8")
        for script in (html_dir / "_static").rglob("*.js")
        if not script.name.startswith("fontawesome")
    ]
    used = set()
    for text in texts:
        for classes in re.findall(r'class(?:List)?="([^"]*\bfa[a-z-]*[^"]*)"', text):
            names = classes.split()
            styles = [ICON_STYLES[n] for n in names if n in ICON_STYLES]
            if not styles:
                continue
            for name in names:
                if name.startswith("fa-") and name not in set(ICON_STYLES) | ICON_MODIFIERS:
                    used.add((styles[0], name[3:]))
    return used


def icon_library(script: str) -> dict[str, dict[str, tuple[int, int, str]]]:
    """Each style's icons (name -> width, height, SVG path) from the theme's fontawesome.js."""
    packs: dict[str, dict[str, tuple[int, int, str]]] = {}
    for match in re.finditer(r'd\("(fa[srb])",p\)', script):
        start = script.rfind("var p={", 0, match.start())
        icons = packs.setdefault(match[1], {})
        for icon in _ICON.finditer(script, start, match.start()):
            icons[icon[1] or icon[2]] = (int(icon[3]), int(icon[4]), icon[6])
            icons.setdefault(f"U+{icon[5]}", (int(icon[3]), int(icon[4]), icon[6]))
    return packs


def _mask_url(icon: tuple[int, int, str]) -> str:
    width, height, path = icon
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}">'
        f'<path d="{html.escape(path)}"/></svg>'
    )
    return 'url("data:image/svg+xml,' + quote(svg, safe=" /:=,.-") + '")'


def pseudo_icon_css(theme_css: str, packs) -> list[str]:
    """The theme draws some icons as font glyphs in CSS (admonition titles, external links):
    ``content: var(--pst-icon-X)`` in Font Awesome's font, which downloads the 156 kB font on
    almost every page. Draw them as masks too: a ``--pst-mask-X`` for each ``--pst-icon-X``, and
    each rule that shows one gets an empty content and the mask instead."""
    rules = []
    variables = {}
    for name, value in re.findall(r"--pst-icon-([a-z-]+):([^;}]+)", theme_css):
        value = value.strip()
        # the glyph is written as the character itself or as a CSS escape ("\f058")
        glyph = re.fullmatch(r'"(?:\\(f[0-9a-f]{3})|([\ue000-\uf8ff]))"', value)
        alias = re.fullmatch(r"var\(--pst-icon-([a-z-]+)\)", value)
        if glyph:
            code = f"U+{glyph[1] or format(ord(glyph[2]), 'x')}"
            icon = packs.get("fas", {}).get(code) or packs.get("fab", {}).get(code)
            if icon:
                variables[name] = _mask_url(icon)
        elif alias:
            variables[name] = f"var(--pst-mask-{alias[1]})"
    rules.append(":root{" + ";".join(f"--pst-mask-{k}:{v}" for k, v in variables.items()) + "}")
    for selector, body in re.findall(
        r"([^{}]+)\{([^{}]*content:var\(--pst-icon-[^{}]*)\}", theme_css
    ):
        selector = selector.strip()
        if not re.search(r":(before|after)\b", selector) or "@" in selector:
            continue
        name = re.search(r"content:var\(--pst-icon-([a-z-]+)\)", body)[1]
        if name not in variables:
            continue
        mask = f"var(--pst-mask-{name})"
        declarations = [
            'content:""!important',
            "font-family:inherit!important",  # an empty box in the icon font still loads it
            f"-webkit-mask:{mask} no-repeat center/contain",
            f"mask:{mask} no-repeat center/contain",
            "background-color:currentColor",
        ]
        if "width:" not in body and "font:" in body:
            declarations += [
                "display:inline-block",
                "width:1em",
                "height:1em",
                "vertical-align:-0.125em",
            ]
        rules.append(f"{selector}{{{';'.join(declarations)}}}")
    return rules


def icon_css(used: set[tuple[str, str]], packs, theme_css: str = "") -> str:
    rules = [
        "/* The Font Awesome Free icons this site uses (https://fontawesome.com/license/free:",
        "   icons CC BY 4.0), as CSS masks; written by bootcamp/book.py at build time. */",
        ".fa-solid,.fas,.fa-regular,.far,.fa-brands,.fab{display:inline-block;width:1em;"
        "font-family:inherit!important;"
        "height:1em;vertical-align:-0.125em;background-color:currentColor;"
        "-webkit-mask:var(--fa-icon) no-repeat center/contain;"
        "mask:var(--fa-icon) no-repeat center/contain}",
        # the theme's CSS also draws each icon as a font glyph, which downloads the icon fonts
        ".fa-solid::before,.fas::before,.fa-regular::before,.far::before,.fa-brands::before,"
        ".fab::before{content:none!important}",
        ".fa-lg{font-size:1.25em;vertical-align:-0.2em}",
        ".fa-fw{width:1.25em}",
    ]
    selectors = {
        "fas": (".fa-solid", ".fas"),
        "far": (".fa-regular", ".far"),
        "fab": (".fa-brands", ".fab"),
    }
    missing = []
    for style, name in sorted(used):
        icon = packs.get(style, {}).get(name)
        if icon is None:
            missing.append(f"{style} {name}")
            continue
        sel = ",".join(f"{prefix}.fa-{name}" for prefix in selectors[style])
        rules.append(f"{sel}{{--fa-icon:{_mask_url(icon)};width:{icon[0] / icon[1]:.3f}em}}")
    rules += pseudo_icon_css(theme_css, packs)
    if missing:
        raise ExtensionError(f"icons used by the site but not in Font Awesome Free: {missing}")
    return "\n".join(rules) + "\n"


def write_icon_css(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    # read from the installed theme: a rebuild with nothing changed does not copy it out again
    import pydata_sphinx_theme

    static = Path(pydata_sphinx_theme.__file__).parent / "theme" / "pydata_sphinx_theme" / "static"
    script = static / "scripts" / "fontawesome.js"
    theme_css = static / "styles" / "pydata-sphinx-theme.css"
    css = icon_css(
        used_icons(outdir),
        icon_library(script.read_text(encoding="utf-8")),
        theme_css.read_text(encoding="utf-8"),
    )
    (outdir / "_static" / "icons.css").write_text(css, encoding="utf-8")
    # nothing loads the 1.45 MB script (and its 1.7 MB map) any more: do not publish them
    for unused in (outdir / "_static" / "scripts").glob("fontawesome.js*"):
        unused.unlink()


def release(srcdir: Path) -> tuple[str, str]:
    """The course's version and release date, from CITATION.cff."""
    import yaml

    citation = yaml.safe_load((srcdir / "CITATION.cff").read_text(encoding="utf-8"))
    return str(citation["version"]), str(citation["date-released"])


def last_changed(path: Path) -> str:
    """The date the page's source last changed: its last commit, or today if it has edits."""
    today = datetime.date.today().isoformat()
    try:
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", path.name],
            cwd=path.parent,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        date = subprocess.run(
            ["git", "log", "-1", "--format=%cs", "--", path.name],
            cwd=path.parent,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return today
    return today if dirty or not date else date


def footer_and_fixes(app, pagename, templatename, context, doctree) -> None:
    if not context.get("default_mode"):
        context["default_mode"] = "auto"
    version, date = release(Path(app.srcdir))
    repository = app.config.html_theme_options.get("repository_url", "").rstrip("/")
    branch = app.config.html_theme_options.get("repository_branch") or "main"
    blob = f"{repository}/blob/{branch}"
    context["theme_extra_footer"] = (context.get("theme_extra_footer") or "") + (
        '<p class="bootcamp-license">The text of this course is licensed under '
        '<a href="https://creativecommons.org/licenses/by/4.0/">CC BY 4.0</a> and its code '
        f'under the <a href="{blob}/LICENSE">MIT License</a> '
        f'(<a href="{blob}/LICENSE-CONTENT.md">which covers what</a>); cite it with '
        f'<a href="{blob}/CITATION.cff">CITATION.cff</a>.</p>'
        f'<p class="bootcamp-version">Campaign Data Bootcamp version {version}, released '
        f'{date} (<a href="{blob}/CHANGELOG.md">what changed</a>).</p>'
    )
    if pagename in app.env.found_docs:
        context["last_updated"] = last_changed(Path(app.env.doc2path(pagename)))
    body = context.get("body")
    if body:
        body = body.replace('<summary aria-label="Toggle hidden content">', "<summary>")
        # Sphinx wraps a bibliography in role="list" but marks its entries doc-biblioentry, which
        # axe reports as a list without list items (critical): make the entries list items.
        body = body.replace('role="doc-biblioentry"', 'role="listitem"')
        context["body"] = re.sub(r"<th>\s*</th>", "<td></td>", body)


def setup(app) -> dict[str, bool]:
    app.connect("html-page-context", drop_duplicate_scripts, priority=900)
    app.connect("html-page-context", point_buttons_at_notebooks, priority=600)
    app.connect("html-page-context", footer_and_fixes, priority=600)
    app.connect("build-finished", publish_notebooks)
    app.connect("build-finished", write_icon_css)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
