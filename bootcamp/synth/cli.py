"""``bootcamp data``: generate the synthetic state into a folder of Parquet, SQLite and text."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bootcamp.errors import BootcampError


def register(subparsers) -> None:
    """Add the ``data`` subcommand."""
    from bootcamp.synth.config import (
        DEFAULT_PRESET,
        DEFAULT_SEED,
        FORMATS,
        MAX_SNAPSHOT,
        PRESETS,
    )

    parser = subparsers.add_parser(
        "data",
        help="generate the synthetic state's voter file (default: the county dataset)",
        description="Generate the synthetic state of Lakeland. With no options it builds the "
        "course's default dataset where `data.load` looks for it; running it again is a no-op.",
    )
    sizes = ", ".join(f"{name} ({n:,} registrants)" for name, n in PRESETS.items())
    parser.add_argument("--preset", default=DEFAULT_PRESET, help=f"size preset: {sizes}")
    parser.add_argument(
        "--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})"
    )
    parser.add_argument(
        "--size", type=_int, default=None, help="number of registrants, overriding the preset's"
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="output folder (default: datasets/<preset>[-seed<N>])",
    )
    parser.add_argument(
        "--format",
        dest="formats",
        default=None,
        help=f"comma-separated, from {','.join(FORMATS)} (default: all three; "
        "parquet only for the state preset)",
    )
    parser.add_argument(
        "--clean",
        action="store_true",
        help="switch off the deliberate messiness (duplicates, label drift, ...)",
    )
    parser.add_argument(
        "--snapshot",
        type=_int,
        default=0,
        help=f"weeks after the download, 0-{MAX_SNAPSHOT} (default 0: the file as downloaded; "
        "1: the same state a week later, with truth_changes)",
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="replace a non-empty output folder (an earlier dataset is replaced without it)",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.set_defaults(func=run)


def _int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None


def run(args: argparse.Namespace) -> int:
    from bootcamp.paths import datasets_dir
    from bootcamp.synth.build import build, is_current
    from bootcamp.synth.config import Config, parse_formats

    if args.size is not None and args.size <= 0:
        raise BootcampError(f"--size must be a positive number of registrants, got {args.size}")
    config = Config(
        preset=args.preset,
        seed=args.seed,
        size=args.size,
        messy=not args.clean,
        snapshot=args.snapshot,
    )
    formats = parse_formats(args.formats, config.preset)
    folder = (args.out or datasets_dir() / config.dirname).expanduser().absolute()
    if not args.force and is_current(folder, config, formats):
        print(f"{folder} is up to date ({config.dirname}); use --force to rebuild", file=sys.stderr)
        return 0
    manifest = build(config, folder, formats, force=args.force, progress=not args.quiet)
    rows = manifest["rows"]
    print(
        f"Wrote {rows['voters']:,} voters and {rows['vote_history']:,} vote-history rows "
        f"({', '.join(formats)}) to {folder}",
        file=sys.stderr,
    )
    return 0
