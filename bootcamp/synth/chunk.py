"""The contract between the generator's stages: one typed chunk and one id allocator.

A :class:`Chunk` is the unit of work (the whole state at small presets, a county or a block of
its precincts at the state preset). Each stage reads the fields made before it and fills its
own; each table builder reads the finished chunk and returns one Arrow table. Every id the
generator hands out (households, ncid and registration numbers per county, contacts, donations,
sign-ups) comes from one :class:`Ids`, which counts on across chunks.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from bootcamp.synth import reference as ref
from bootcamp.synth.config import Config

#: voter_reg_num = REG_NUM_BASE + the county's running registration number.
REG_NUM_BASE = 7_000_000


@dataclass
class Ids:
    """The last id used of each kind; ``take`` hands out the next ones."""

    last: dict[str, int]

    @classmethod
    def for_download(cls) -> Ids:
        """The ids of snapshot 0 (the file as downloaded)."""
        starts = {"household_id": 0, "contact_id": 0, "volunteer_id": 0, "sub_id": 4_000_000_000}
        for county in ref.COUNTIES:
            starts[f"ncid{county.county_id}"] = 100_000
            starts[f"reg{county.county_id}"] = 0
        return cls(starts)

    @classmethod
    def for_week(cls, week: int) -> Ids:
        """Ids of records and addresses new in ``week``: ranges of their own, above every id of
        snapshot 0 (even at the state preset), so week 1's ids are the same whether one or four
        weeks are generated."""
        starts = {"household_id": ref.WEEKLY_HOUSEHOLD_ID_BASE * week}
        for county in ref.COUNTIES:
            cid = county.county_id
            starts[f"ncid{cid}"] = ref.WEEKLY_NCID_BASE + ref.WEEKLY_ID_STRIDE * (week - 1)
            starts[f"reg{cid}"] = ref.WEEKLY_REG_BASE + ref.WEEKLY_ID_STRIDE * (week - 1)
        return cls(starts)

    def take(self, kind: str, k: int) -> np.ndarray:
        """The next ``k`` ids of ``kind`` (int64)."""
        first = self.last[kind] + 1
        self.last[kind] += int(k)
        return first + np.arange(int(k), dtype=np.int64)


@dataclass
class Chunk:
    """What the stages pass along: inputs first, then each stage's output in stage order."""

    index: int
    config: Config
    geo: dict
    precincts: np.ndarray  # indices into geo
    rng: np.random.Generator
    ids: Ids
    hh: dict | None = None  # households (stage 2; plus the new homes of moved duplicates)
    people: dict | None = None  # stage 3
    reg: dict | None = None  # stage 4
    volunteers: dict | None = None  # stage 5
    donations: dict | None = None  # stage 5
    field: dict | None = None  # stage 6
    history: dict | None = None  # stage 7 (stage 8 changes status in reg)
    dups: dict | None = None  # stage 9, messiness
    # filled by the table builders
    ncid: pa.Array | None = None  # of every voter record (people, then duplicates)
    county_desc: pa.Array | None = None
    contact_id: np.ndarray | None = None
    tables: dict[str, pa.Table] = dataclasses.field(default_factory=dict)
