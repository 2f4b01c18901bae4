"""The shared lesson preamble: what every lesson's hidden setup cell does, in one place.

Every lesson starts with one hidden cell (tag ``remove-cell``)::

    from bootcamp.lesson import concept_check, glue, setup_lesson

    setup_lesson()

so a change to the look of the charts or tables, or to how the book glues numbers, is made here
once rather than in every lesson (the idea of UBC DSCI 100's ``chapter_preamble.py``). The visible
``from bootcamp import data`` cell stays in each lesson: it is the line learners copy.
"""

from __future__ import annotations

import pandas as pd

from bootcamp.plotting import use_course_style
from bootcamp.quiz import concept_check

try:  # the book builds with myst-nb; a bare notebook elsewhere just shows the value
    from myst_nb import glue
except ImportError:  # pragma: no cover - only outside the book's environment

    def glue(name, variable, display=True):
        if display:
            from IPython.display import display as show

            show(variable)


__all__ = ["concept_check", "glue", "setup_lesson", "DISPLAY_OPTIONS"]

#: pandas display options for every lesson: tables wide enough to show a voter-file row without
#: hiding columns, and long text cut short so a table stays readable on a phone.
DISPLAY_OPTIONS = {
    "display.max_columns": 40,
    "display.max_colwidth": 40,
}


def setup_lesson(short_errors: bool = False) -> None:
    """Apply the course look: inline charts in the Okabe-Ito style, pandas display options.

    ``short_errors`` prints a raised error as one line instead of a full traceback, for lessons
    that show errors on purpose (IPython's ``%xmode Minimal``).
    """
    from IPython import get_ipython

    shell = get_ipython()
    if shell is not None:
        # Charts are real outputs of their cells even when MPLBACKEND=Agg is set for scripts.
        shell.run_line_magic("matplotlib", "inline")
    use_course_style()
    for option, value in DISPLAY_OPTIONS.items():
        pd.set_option(option, value)
    if short_errors and shell is not None:
        shell.run_line_magic("xmode", "Minimal")
