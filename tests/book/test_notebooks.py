"""The runnable copies of the book's pages (``notebooks/``, see bootcamp/notebooks.py): what the
launch and download buttons open. They must be fresh, free of book-only markup, and run top to
bottom on a fresh kernel that has only what their install cell installs."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import venv
from pathlib import Path

import nbformat
import pytest

from bootcamp import notebooks
from bootcamp.notebooks import MarkdownWriter, _setup_code, book_settings

REPO = Path(__file__).resolve().parents[2]
PUBLISHED = REPO / notebooks.PUBLISHED_DIR


def published_pages() -> list[str]:
    return sorted(notebooks.runnable_pages(REPO))


# --- fast: the conversion itself ----------------------------------------------------------------


def test_every_page_with_code_has_a_committed_copy():
    pages = published_pages()
    assert len(pages) >= 8, "expected every lesson (and the codebook) to have a runnable copy"
    committed = sorted(
        p.relative_to(PUBLISHED).with_suffix("").as_posix() for p in PUBLISHED.rglob("*.ipynb")
    )
    assert committed == pages, "run `make` (bootcamp notebooks) to regenerate notebooks/"


@pytest.mark.parametrize("page", published_pages())
def test_committed_copy_is_clean(page):
    notebook = nbformat.read(PUBLISHED / f"{page}.ipynb", as_version=4)
    first = notebook.cells[0]
    assert first.cell_type == "code" and notebooks.INSTALL_SOURCE_ENV in first.source
    assert "pip" in first.source and book_settings(REPO).install_source in first.source
    markdown = "\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")
    code = "\n".join(c.source for c in notebook.cells if c.cell_type == "code")
    assert not re.search(r"\{[a-z:]+\}`", markdown), "MyST roles left in the Markdown"
    assert ":::" not in markdown and "{admonition}" not in markdown
    assert "myst_nb" not in code and "glue(" not in code, "book-only glue code left in"
    for cell in notebook.cells:
        assert "remove-cell" not in cell.metadata.get("tags", [])
        if cell.cell_type == "code":
            assert not cell.outputs and cell.execution_count is None
    # every {doc} cross-reference became a link to the published page
    source = notebooks.runnable_pages(REPO)[page].read_text(encoding="utf-8")
    assert markdown.count("](https://") >= source.count("{doc}`")


def test_glue_markers_become_the_numbers_written_in():
    writer = MarkdownWriter(
        REPO,
        "chapters/01-voter-file/01-what-is-a-voter-file",
        book_settings(REPO),
        {"n_rows": "51048", "share": "0.4567", "name": "'UNA'"},
    )
    text = writer.convert(
        "The file has {glue:text}`n_rows:,` rows, {glue:text}`share:.1%` of them, "
        "mostly {glue:text}`name`; see {doc}`/welcome/responsible-data` and "
        "{doc}`the next lesson <02-filter-count-sort>`."
    )
    assert "51,048 rows, 45.7% of them, mostly UNA;" in text
    assert "(https://" in text and "welcome/responsible-data.html)" in text
    assert (
        "[the next lesson](" in text and "chapters/01-voter-file/02-filter-count-sort.html" in text
    )
    with pytest.raises(Exception, match="no value named 'missing'"):
        writer.convert("{glue:text}`missing`")
    with pytest.raises(Exception, match="cannot be written into a notebook"):
        writer.convert(":::{glue:figure} party_chart\nCaption\n:::")


def test_admonitions_become_markdown():
    writer = MarkdownWriter(REPO, "intro", book_settings(REPO), {})
    text = writer.convert(
        ":::{admonition} Try it\n:class: seealso\nCount the rows.\n:::\n\n"
        "````{admonition} Solution\n:class: dropdown\n```python\nlen(voters)\n```\n````"
    )
    assert "> **Try it**" in text and "> Count the rows." in text
    assert "<details>" in text and "<summary>Solution</summary>" in text
    assert "```python\nlen(voters)\n```" in text
    assert ":::" not in text and "{admonition}" not in text and ":class:" not in text


def test_hidden_cells_keep_only_what_later_cells_use():
    hidden = (
        "from myst_nb import glue\n\n"
        "party_counts = voters['party_cd'].value_counts()  # counted once\n"
        "assert party_counts.index[0] == 'UNA'\n"
        "glue('n_una', int(party_counts['UNA']), display=False)\n"
        "unused = 3\n"
    )
    kept = _setup_code(hidden, {"party_counts"})
    assert kept is not None
    assert "party_counts = voters" in kept and "# counted once" in kept
    assert "glue" not in kept and "assert" not in kept
    # nothing later needs it: the whole hidden cell goes
    assert _setup_code(hidden, {"voters"}) is None
    assert _setup_code("from myst_nb import glue\nglue('x', 1)", {"x"}) is None


def test_a_hidden_cell_that_feeds_a_kept_hidden_cell_is_kept_too():
    """Lesson 11.3: a hidden cell reads the measurements, a later hidden cell derives a table
    from them, and a visible cell shows the table; the runnable copy needs both hidden cells."""
    cells = [
        nbformat.v4.new_code_cell(
            "measured = load()\nglue('n', 1)", metadata={"tags": ["remove-cell"]}
        ),
        nbformat.v4.new_code_cell("unrelated = 2", metadata={"tags": ["remove-cell"]}),
        nbformat.v4.new_code_cell("table = measured['x']", metadata={"tags": ["remove-cell"]}),
        nbformat.v4.new_code_cell("table"),
    ]
    setups = notebooks._setup_cells(cells, hidden={0, 1, 2}, skipped=set())
    assert setups == {0: "measured = load()", 2: "table = measured['x']"}


# --- slow: against a real build, and in a fresh environment -------------------------------------


MEASURED = re.compile(rf'<span class=\\"{notebooks.MEASURED_CLASS}\\">[^<]*</span>')


def _without_measurements(text: str) -> str:
    """Timings of the build machine differ on every build: compare everything else."""
    return MEASURED.sub("<measured>", text)


@pytest.mark.slow
def test_committed_copies_match_a_fresh_build(built_book):
    """The site's download copies are generated by the build in a temporary folder; the committed
    copies (for Colab and Binder) must be identical."""
    site = built_book.html / notebooks.SITE_DIR

    def comparable(path):
        return _without_measurements(path.read_text())

    built = {p.relative_to(site).as_posix(): comparable(p) for p in site.rglob("*.ipynb")}
    committed = {
        p.relative_to(PUBLISHED).as_posix(): comparable(p) for p in PUBLISHED.rglob("*.ipynb")
    }
    assert any("<measured>" in text for text in committed.values()), "no measured value is marked"
    assert sorted(built) == sorted(committed)
    stale = [name for name in built if built[name] != committed[name]]
    assert not stale, f"stale runnable notebooks (run `make`): {stale}"


def _links(html: str) -> list[str]:
    return re.findall(r'href="([^"]+)"', html)


@pytest.mark.slow
@pytest.mark.parametrize("page", published_pages())
def test_launch_and_download_buttons_open_the_runnable_copy(built_book, page):
    html = (built_book.html / f"{page}.html").read_text(encoding="utf-8")
    links = _links(html)
    settings = book_settings(REPO)
    org_repo = settings.repository.removeprefix("https://github.com/")
    target = f"{notebooks.PUBLISHED_DIR}/{page}.ipynb"
    colab = [link for link in links if "colab.research.google.com" in link]
    binder = [link for link in links if "mybinder.org" in link]
    assert colab == [
        f"https://colab.research.google.com/github/{org_repo}/blob/{settings.branch}/{target}"
    ]
    assert len(binder) == 1 and binder[0].endswith(f"?urlpath=lab/tree/{target}")
    assert "hub.example.org" not in html and "git-pull" not in html, "no hub is configured"
    downloads = [link for link in links if link.endswith(".ipynb") and "://" not in link]
    assert len(downloads) == 1 and downloads[0].endswith(f"{notebooks.SITE_DIR}/{page}.ipynb")
    downloaded = (built_book.html / f"{page}.html").parent / downloads[0]
    assert _without_measurements(downloaded.resolve().read_text()) == _without_measurements(
        (PUBLISHED / f"{page}.ipynb").read_text()
    )
    assert not [link for link in links if "_sources/" in link and link.endswith(".md")]


@pytest.mark.slow
def test_exercise_pages_launch_the_student_copy(built_book):
    pages = [p for p in notebooks.toc_pages(REPO) if p.endswith("exercises-student")]
    assert len(pages) >= 2
    for page in pages:
        links = _links((built_book.html / f"{page}.html").read_text(encoding="utf-8"))
        branch = book_settings(REPO).branch
        assert any(link.endswith(f"/blob/{branch}/{page}.ipynb") for link in links), page
        assert any(link.endswith(f"urlpath=lab/tree/{page}.ipynb") for link in links), page


@pytest.fixture(scope="module")
def fresh_kernel(tmp_path_factory):
    """A virtual environment with only a Jupyter kernel (what Colab or a bare Jupyter has), and
    a kernelspec that starts it; the notebooks' install cells install the rest."""
    root = tmp_path_factory.mktemp("fresh")
    env_dir = root / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    subprocess.run(
        [python, "-m", "pip", "install", "--quiet", "ipykernel"], check=True, timeout=900
    )
    probe = subprocess.run([python, "-c", "import bootcamp"], capture_output=True, cwd=root)
    assert probe.returncode != 0, "the fresh environment must not have the course yet"
    # what `pip install git+URL` would fetch: the package and its metadata (a copy, so that pip's
    # build folder does not land in the checkout)
    source = root / "source"
    shutil.copytree(
        REPO / "bootcamp", source / "bootcamp", ignore=shutil.ignore_patterns("__pycache__")
    )
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy2(REPO / name, source / name)
    kernels = root / "share" / "jupyter" / "kernels" / "fresh"
    kernels.mkdir(parents=True)
    (kernels / "kernel.json").write_text(
        json.dumps(
            {
                "argv": [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                "display_name": "fresh",
                "language": "python",
            }
        )
    )
    return root, python, source


def _run_fresh(path: Path, fresh_kernel, cwd: Path) -> None:
    import nbclient

    root, _, source = fresh_kernel
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("MPLBACKEND", "BOOTCAMP_DATA_DIR", "PYTHONPATH", "VIRTUAL_ENV")
    }
    env.update(
        {
            notebooks.INSTALL_SOURCE_ENV: str(source),
            "JUPYTER_PATH": str(root / "share" / "jupyter"),
            "XDG_CACHE_HOME": str(root / "cache"),  # data generated afresh, as on Colab
            "PATH": f"{root / 'venv' / 'bin'}:{env.get('PATH', '')}",
        }
    )
    notebook = nbformat.read(path, as_version=4)
    old = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        client = nbclient.NotebookClient(
            notebook, timeout=900, kernel_name="fresh", resources={"metadata": {"path": str(cwd)}}
        )
        client.execute()
    finally:
        os.environ.clear()
        os.environ.update(old)


FRESH_TESTS = (
    "test_published_notebook_runs_on_a_fresh_kernel",
    "test_exercise_notebook_runs_on_a_fresh_kernel",
)


def _solved_student_copy(page: str) -> nbformat.NotebookNode:
    """The released student copy with each answer cell replaced by the reference solution."""
    student = nbformat.read(REPO / f"{page}.ipynb", as_version=4)
    source = nbformat.read(REPO / page.replace("exercises-student", "exercises.ipynb"), 4)
    solutions = {
        cell.metadata["nbgrader"]["grade_id"]: cell.source
        for cell in source.cells
        if cell.metadata.get("nbgrader", {}).get("solution")
    }
    solved = 0
    for cell in student.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if cell.metadata.get("nbgrader", {}).get("solution") and cell.cell_type == "code":
            lines = solutions[grade_id].splitlines()
            cell.source = "\n".join(line for line in lines if "### " not in line)
            solved += 1
    assert solved >= 5, f"{page}: expected the answer cells of a chapter's exercises"
    return student


def _fresh_job(path: str, fresh_kernel, cwd: str) -> str | None:
    """In a worker process: run one notebook; the error's last line, or None."""
    try:
        _run_fresh(Path(path), fresh_kernel, Path(cwd))
    except Exception as error:  # noqa: BLE001 - reported by the test of that page
        lines = [line for line in str(error).strip().splitlines() if line.strip()]
        return f"{type(error).__name__}: {lines[-1] if lines else ''}"[:2000]
    return None


@pytest.fixture(scope="module")
def fresh_runs(fresh_kernel, request, tmp_path_factory) -> dict[tuple[str, str], str | None]:
    """Every selected fresh-kernel run, two at a time (the machine's cores), run once.

    The first runs alone: its install cell installs the course into the fresh environment and
    generates the default data, which the others then find (each later install cell installs
    nothing; data generation takes a lock)."""
    from concurrent.futures import ProcessPoolExecutor

    jobs = []
    for item in request.session.items:
        if (
            getattr(item, "originalname", None) not in FRESH_TESTS
            or "page" not in getattr(item, "callspec", type("", (), {"params": {}})).params
        ):
            continue
        kind, page = item.originalname, item.callspec.params["page"]
        cwd = tmp_path_factory.mktemp("run")
        if kind == FRESH_TESTS[0]:
            path = PUBLISHED / f"{page}.ipynb"
        else:
            notebook = _solved_student_copy(page)
            notebook.cells.insert(0, notebooks.install_cell(book_settings(REPO)))
            path = cwd / "exercises.ipynb"
            nbformat.write(notebook, path)
        jobs.append(((kind, page), str(path), str(cwd)))
    results: dict[tuple[str, str], str | None] = {}
    if not jobs:
        return results
    first, rest = jobs[0], jobs[1:]
    results[first[0]] = _fresh_job(first[1], fresh_kernel, first[2])
    with ProcessPoolExecutor(max_workers=min(2, os.cpu_count() or 1)) as pool:
        futures = {key: pool.submit(_fresh_job, path, fresh_kernel, cwd) for key, path, cwd in rest}
        for key, future in futures.items():
            results[key] = future.result()
    return results


@pytest.mark.slow
@pytest.mark.parametrize("page", published_pages())
def test_published_notebook_runs_on_a_fresh_kernel(page, fresh_runs):
    """Run in an empty folder, from a venv with only ipykernel: the install cell installs the
    course from this checkout (BOOTCAMP_INSTALL_SOURCE), and every later cell must run."""
    key = (FRESH_TESTS[0], page)
    assert key in fresh_runs, f"{page} was not run"
    assert fresh_runs[key] is None, f"{page}.ipynb failed on a fresh kernel: {fresh_runs[key]}"


@pytest.mark.slow
@pytest.mark.parametrize(
    "page", [p for p in notebooks.toc_pages(REPO) if p.endswith("exercises-student")]
)
def test_exercise_notebook_runs_on_a_fresh_kernel(page, fresh_runs):
    """The student copy, answered with the reference solutions, runs top to bottom (check cells
    included) on a fresh kernel once the course is installed.

    Its own install cell installs from GitHub and cannot be pointed at this checkout (it ignores
    BOOTCAMP_INSTALL_SOURCE), so the lessons' install cell runs first; the exercise's then sees
    the package and installs nothing."""
    key = (FRESH_TESTS[1], page)
    assert key in fresh_runs, f"{page} was not run"
    assert fresh_runs[key] is None, f"{page}: the solved copy failed on a fresh kernel: " + str(
        fresh_runs[key]
    )
