"""Benchmark the synthetic-state generator (issue 3). Run: python benchmarks/bench_generator.py

Measures, in one run on one machine:
1. rows per second of the vectorized name-and-address stages against a per-row Faker baseline
   producing the same columns (first, middle, last name, street address, city, zip, phone, e-mail);
2. wall time of ``bootcamp data --preset county`` (Parquet + SQLite + text: what ``make`` builds);
3. wall time and peak memory (ru_maxrss of the child process) of ``bootcamp data --preset state``
   (Parquet).
Prints a Markdown table for benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np


def faker_rows_per_second(n: int) -> float:
    from faker import Faker

    fake = Faker("en_US")
    Faker.seed(1)
    start = time.perf_counter()
    rows = []
    for _ in range(n):
        rows.append(
            (
                fake.first_name(),
                fake.first_name(),
                fake.last_name(),
                fake.street_address(),
                fake.city(),
                fake.zipcode(),
                fake.numerify("###-555-01##"),
                fake.free_email(),
            )
        )
    return n / (time.perf_counter() - start)


def generator_rows_per_second(n: int) -> float:
    """Households and people stages: names, addresses, phones and e-mails of n registrants."""
    from bootcamp.synth.config import Config
    from bootcamp.synth.geography import make_geography
    from bootcamp.synth.households import make_households
    from bootcamp.synth.people import make_people

    config = Config("state", size=n)
    geo = make_geography(np.random.default_rng(1), config)
    make_people(
        np.random.default_rng(2),
        config,
        geo,
        make_households(np.random.default_rng(2), config, geo, np.arange(3), 1),
    )  # warm
    start = time.perf_counter()
    rng = np.random.default_rng(3)
    hh = make_households(rng, config, geo, np.arange(len(geo["target"])), 1)
    people = make_people(rng, config, geo, hh)
    elapsed = time.perf_counter() - start
    return len(people["age"]) / elapsed


def run_cli(args: list[str]) -> tuple[float, float]:
    """Wall seconds and peak resident memory (MB) of one ``bootcamp`` child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "bootcamp.cli", *args], check=True)
    wall = time.perf_counter() - start
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if peak_kb < before:  # ru_maxrss is the largest child so far: run the big one last
        peak_kb = before
    return wall, peak_kb / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--faker-rows", type=int, default=20_000)
    parser.add_argument("--generator-rows", type=int, default=1_000_000)
    parser.add_argument("--skip-state", action="store_true")
    args = parser.parse_args()

    faker_rate = faker_rows_per_second(args.faker_rows)
    gen_rate = generator_rows_per_second(args.generator_rows)
    results = [
        ("per-row Faker baseline (name + address columns)", f"{faker_rate:,.0f} rows/s"),
        ("generator, same columns (vectorized)", f"{gen_rate:,.0f} rows/s"),
        ("speed-up", f"{gen_rate / faker_rate:,.0f}x"),
    ]
    with tempfile.TemporaryDirectory(prefix="bench-lk-") as tmp:
        wall, _ = run_cli(
            [
                "data",
                "--preset",
                "county",
                "--out",
                f"{tmp}/county",
                "--quiet",
                "--format",
                "parquet,sqlite,txt",
            ]
        )
        results.append(("county (50,000; parquet + sqlite + txt), wall", f"{wall:.1f} s"))
        wall, _ = run_cli(
            [
                "data",
                "--preset",
                "county",
                "--out",
                f"{tmp}/county-pq",
                "--quiet",
                "--format",
                "parquet",
            ]
        )
        results.append(("county (parquet only), wall", f"{wall:.1f} s"))
        if not args.skip_state:
            wall, peak = run_cli(
                [
                    "data",
                    "--preset",
                    "state",
                    "--out",
                    f"{tmp}/state",
                    "--quiet",
                    "--format",
                    "parquet",
                ]
            )
            size = sum(p.stat().st_size for p in Path(f"{tmp}/state").rglob("*") if p.is_file())
            results.append(("state (7.5 million; parquet), wall", f"{wall:.0f} s"))
            results.append(("state, peak memory (ru_maxrss of the child)", f"{peak:,.0f} MB"))
            results.append(("state, size on disk", f"{size / 1e6:,.0f} MB"))
    print(
        f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}\n"
    )
    print("| measure | result |\n| --- | --- |")
    for name, value in results:
        print(f"| {name} | {value} |")


if __name__ == "__main__":
    main()
