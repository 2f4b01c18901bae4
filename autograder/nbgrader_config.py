"""nbgrader configuration for the Campaign Data Bootcamp course (run nbgrader from this folder).

The `bootcamp release / grade / feedback` commands read this same file, so plain nbgrader
commands and the bootcamp ones behave alike. Paths are relative to this folder.
"""

import os

c = get_config()  # noqa: F821 (provided by traitlets when nbgrader loads this file)

here = os.path.dirname(os.path.abspath(__file__))

c.CourseDirectory.course_id = "campaign-data-bootcamp"
c.CourseDirectory.root = here
# Keep the exchange inside the course so `nbgrader list` works with no system-wide set-up.
c.Exchange.root = os.path.join(here, "exchange")
os.makedirs(c.Exchange.root, exist_ok=True)  # git keeps no empty folders; nbgrader needs it
c.Exchange.path_includes_course = True
# nbgrader shells out to `alembic` when it creates gradebook.db: run it with the course's
# virtual environment on PATH (the bootcamp commands do this for you).
c.CourseDirectory.db_url = "sqlite:///" + os.path.join(here, "gradebook.db")
c.CourseDirectory.ignore = [
    ".ipynb_checkpoints",
    "*.pyc",
    "__pycache__",
    "feedback",
    "wrong-answers.yml",
    "exercises.yml",
    "exercises-student.ipynb",
]

# What a learner sees in place of a solution.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# Execution limits: a cell that runs longer is interrupted and scores zero.
c.Execute.timeout = int(os.environ.get("BOOTCAMP_CELL_TIMEOUT", "30"))
c.Execute.startup_timeout = 60
c.Execute.extra_arguments = ["--HistoryManager.hist_file=:memory:"]
c.LimitOutput.max_lines = 200
c.LimitOutput.max_traceback = 40

# Put deleted or de-labeled test cells back before grading, so removing a test cannot earn it
# (RestoreTests is nbgrader's OverwriteCells, robust to stripped metadata).
c.OverwriteCells.add_missing_cells = True
c.Autograde.sanitize_preprocessors = [
    "nbgrader.preprocessors.ClearOutput",
    "bootcamp.grading.preprocessors.DeduplicateCells",  # nbgrader's DeduplicateIds, fixed
    "nbgrader.preprocessors.OverwriteKernelspec",
    "bootcamp.grading.preprocessors.RestoreTests",
    "nbgrader.preprocessors.CheckCellMetadata",
]
# Python warnings printed to stderr must not zero a test cell (nbgrader fails any cell with stderr).
c.IgnorePattern.enabled = True
c.IgnorePattern.pattern = r"Warning: "

# Trusted grading steps (`bootcamp grade` only; plain nbgrader runs none): import paths of classes
# with before(nb, ctx) and after(nb, ctx), run outside the sandbox around each submission's
# execution (see bootcamp/grading/steps.py). The judge decides every declared hidden test
# (`checks.hidden_test({...})`) outside the learner's kernel: bootcamp/grading/judge.py.
c.BootcampGrade.trusted_steps = ["bootcamp.grading.judge.Judge"]

# Feedback must not show hidden tests, nor tracebacks that quote them.
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "bootcamp.grading.preprocessors.HideHiddenTests",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]

# LMS downloads (`nbgrader zip_collect`, `bootcamp grade --zip`): files named
# STUDENTID_anything_exercises.ipynb or STUDENTID/exercises.ipynb inside the archive.
c.ZipCollectApp.collector_plugin = "nbgrader.plugins.FileNameCollectorPlugin"
c.FileNameCollectorPlugin.named_regexp = (
    r"^(?:.*/)?(?P<student_id>[A-Za-z0-9.-]+)(?:_[^/]*)?[_/](?P<file_id>[^/_]+\.ipynb)$"
)
