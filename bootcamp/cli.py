"""The ``bootcamp`` command: one entry point, a subcommand per job.

Each area of the package registers its own subcommands through a ``register(subparsers)``
function, so the data generator and the grading tools stay independent of each other.
Errors the user can fix are raised as :class:`~bootcamp.errors.BootcampError` and printed as a
single line.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from bootcamp import __version__
from bootcamp.errors import BootcampError

#: Modules that provide ``register(subparsers)``.
COMMAND_MODULES = (
    "bootcamp.synth.cli",
    "bootcamp.grading.cli",
    "bootcamp.chapters",
    "bootcamp.notebooks",
    "bootcamp.execute",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bootcamp",
        description="Campaign Data Bootcamp: generate the synthetic state, release, check "
        "and grade exercises.",
    )
    parser.add_argument("--version", action="version", version=f"bootcamp {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except BootcampError as exc:
        print(f"bootcamp: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("bootcamp: interrupted; nothing half-written was left in place", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
