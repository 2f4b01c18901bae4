"""Campaign Data Bootcamp: the course's Python package.

- ``bootcamp.data``: load the synthetic state's tables in a notebook (``data.load("voters")``).
- ``bootcamp.synth``: the seeded generator behind those tables.
- ``bootcamp.checks``: comparisons that exercise test cells call.
- ``bootcamp.grading``: release, self-check and parallel grading on top of nbgrader.
"""

__version__ = "0.1.0"
