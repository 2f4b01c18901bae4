"""Placeholder until the synth commands land."""


def register(subparsers) -> None:
    """Add this area's subcommands (none yet)."""
