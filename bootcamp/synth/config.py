"""Presets, formats and the configuration every stage receives."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path

from bootcamp.errors import BootcampError

#: Registrants (rows of ``voters``, before injected duplicates) per preset.
PRESETS: dict[str, int] = {"tiny": 2_000, "county": 50_000, "state": 7_500_000}
DEFAULT_PRESET = "county"
DEFAULT_SEED = 2026
FORMATS = ("parquet", "sqlite", "txt")
#: Formats written when none are asked for. The state preset writes Parquet only (SQLite and
#: text of 40 million vote-history rows take long; ask for them explicitly).
DEFAULT_FORMATS = {"tiny": FORMATS, "county": FORMATS, "state": ("parquet",)}
#: Bump on deliberate changes of the output; cached datasets also rebuild when the generator's
#: source changes (see :func:`generator_version`).
GENERATOR_VERSION = "1"
#: Largest number of registrants generated at once (the state preset works county by county).
CHUNK_REGISTRANTS = 400_000
#: Weekly snapshots available after the download (four weeks keep the year, 2026, unchanged).
MAX_SNAPSHOT = 4


@dataclass(frozen=True)
class Config:
    """What to generate. ``size`` overrides the preset's number of registrants."""

    preset: str = DEFAULT_PRESET
    seed: int = DEFAULT_SEED
    size: int | None = None
    messy: bool = True
    snapshot: int = 0  # weeks after the download (0: the file as downloaded)

    def __post_init__(self) -> None:
        if self.preset not in PRESETS:
            raise BootcampError(
                f"unknown preset {self.preset!r}; choose one of: {', '.join(PRESETS)}"
            )
        if self.size is not None and (not isinstance(self.size, int) or self.size <= 0):
            raise BootcampError(f"size must be a positive whole number, got {self.size!r}")
        if not isinstance(self.seed, int) or self.seed < 0:
            raise BootcampError(f"seed must be a non-negative whole number, got {self.seed!r}")
        if (
            not isinstance(self.snapshot, int)
            or isinstance(self.snapshot, bool)
            or not 0 <= self.snapshot <= MAX_SNAPSHOT
        ):
            raise BootcampError(
                f"snapshot must be a whole number of weeks from 0 to {MAX_SNAPSHOT}, "
                f"got {self.snapshot!r}"
            )

    @property
    def n_registrants(self) -> int:
        return self.size if self.size is not None else PRESETS[self.preset]

    @property
    def dirname(self) -> str:
        """Folder name under ``datasets/``: ``county`` for the default, else e.g. ``tiny-seed7``."""
        name = self.preset if self.size is None else f"{self.preset}-n{self.size}"
        if self.seed != DEFAULT_SEED:
            name += f"-seed{self.seed}"
        if not self.messy:
            name += "-clean"
        if self.snapshot:
            name += f"-snapshot{self.snapshot}"
        return name

    def as_dict(self) -> dict:
        out = asdict(self) | {"n_registrants": self.n_registrants, "version": generator_version()}
        if not self.snapshot:
            del out["snapshot"]  # snapshot 0's manifest reads as it did before weekly updates
        return out


@cache
def generator_version() -> str:
    """``GENERATOR_VERSION`` plus a fingerprint of the generator's source files."""
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.name.encode() + path.read_bytes())
    return f"{GENERATOR_VERSION}+{digest.hexdigest()[:12]}"


def parse_formats(text: str | None, preset: str = DEFAULT_PRESET) -> tuple[str, ...]:
    """``"parquet,sqlite"`` -> ("parquet", "sqlite"); unknown names are a user error."""
    if text is None:
        return DEFAULT_FORMATS.get(preset, FORMATS)
    wanted = [f.strip().lower() for f in text.split(",") if f.strip()]
    unknown = [f for f in wanted if f not in FORMATS]
    if unknown or not wanted:
        raise BootcampError(
            f"unknown format {', '.join(unknown) or repr(text)}; choose from: {', '.join(FORMATS)}"
        )
    return tuple(f for f in FORMATS if f in wanted)
