"""Legal engine benchmark: checks per second against a dict-lookup baseline, in one run.

    .venv/bin/python bench/legal.py [--quick]

The tuples are every ordered pair of the shipped profiles x {civil, criminal} x the five roles
(civil + accused is malformed input and left out). Profiles are loaded once. Prints:
    legal profile load: N ms                  (parse, validate and compile all profiles)
    legal checks: N checks/s                  (steady state, one core; target >= 20,000)
    legal checks cold: N checks/s             (first pass, while per-profile memos fill)
    legal checks with to_dict: N checks/s     (check + the JSON-ready dict the API returns)
    legal checks baseline dict lookup: N lookups/s   (the same tuples looked up in a dict)
    legal checks ratio to baseline: R         (ours / baseline)
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from legal_profiles.engine import check  # noqa: E402
from legal_profiles.loader import load_profiles  # noqa: E402

Case = tuple[str, str, str, str]
ROLES = ("witness", "expert", "party", "victim", "accused")


def pin_one_core() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})


def rate(body: Callable[[], None], count: int, repeats: int) -> float:
    """Best-of-median: the median of `repeats` timed passes, in items per second."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        body()
        times.append(time.perf_counter() - start)
    return count / statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    args = parser.parse_args()
    repeats = 3 if args.quick else 9
    pin_one_core()

    start = time.perf_counter()
    profiles = load_profiles()
    load_ms = (time.perf_counter() - start) * 1000
    codes = profiles.codes()
    cases: list[Case] = [
        (a, b, proceeding, role)
        for a in codes
        for b in codes
        if a != b
        for proceeding in ("civil", "criminal")
        for role in ROLES
        if not (proceeding == "civil" and role == "accused")
    ]

    def run_checks() -> None:
        for a, b, proceeding, role in cases:
            check(profiles, a, b, proceeding, role)

    def run_with_dict() -> None:
        for a, b, proceeding, role in cases:
            check(profiles, a, b, proceeding, role).to_dict()

    table = {case: index for index, case in enumerate(cases)}

    def run_baseline() -> None:
        for case in cases:
            table.get(case)

    cold = rate(run_checks, len(cases), 1)
    steady = rate(run_checks, len(cases), repeats)
    with_dict = rate(run_with_dict, len(cases), repeats)
    baseline = rate(run_baseline, len(cases), repeats)
    print(f"legal profile load: {load_ms:.1f} ms")
    print(f"legal checks: {steady:,.0f} checks/s")
    print(f"legal checks cold: {cold:,.0f} checks/s")
    print(f"legal checks with to_dict: {with_dict:,.0f} checks/s")
    print(f"legal checks baseline dict lookup: {baseline:,.0f} lookups/s")
    print(f"legal checks ratio to baseline: {steady / baseline:.4f}")
    print(f"legal checks tuples: {len(cases)} (profiles: {len(codes)})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
