"""The synthetic force generator: a whole Force Extract v1 with known ground truth.

`generate(out, staff=..., months=..., seed=...)` writes the extract directory `out` and the
ground truth `out.truth.json` beside it (see docs/synthetic-force.md).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from probity.errors import UsageError

__all__ = ["generate", "SynthSummary", "FORMATS", "truth_path_for"]

FORMATS = ("parquet", "csv", "csv.gz")
PERIOD_START = dt.date(2025, 1, 1)
STAGES = ("organisation", "rosters", "incidents", "people", "assignments", "devices",
          "audit events (generate)", "calls and texts (generate)", "scenarios",
          "units, staff, posts, vetting", "shifts", "incidents and person records",
          "devices and apps", "calls and texts", "complaints and declarations", "audit events")

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class SynthSummary:
    out: Path
    truth_path: Path
    row_counts: dict[str, int]
    seconds: float
    perpetrators: int
    scenarios: dict[str, int] = field(default_factory=dict)


def truth_path_for(out: Path) -> Path:
    return out.with_name(out.name + ".truth.json")


def generate(out: Path, *, staff: int, months: int, seed: int, scale: float = 1.0,
             fmt: str = "parquet", progress: Progress | None = None,
             overwrite: bool = False) -> SynthSummary:
    """Generate a synthetic force into `out` (a new directory) and `out.truth.json`.

    `progress`, when given, is called as progress(stage, done, total) at each stage."""
    out = Path(out)
    if fmt not in FORMATS:
        raise UsageError(f"--format {fmt!r} is not one of {', '.join(FORMATS)}")
    if staff < 50:
        raise UsageError(f"--staff {staff}: a force needs at least 50 staff")
    if not 1 <= months <= 36:
        raise UsageError(f"--months {months}: give 1 to 36 months")
    if not 0.01 <= scale <= 1000:
        raise UsageError(f"--scale {scale}: give a factor between 0.01 and 1000")
    if out.exists() and not overwrite:
        raise UsageError(f"{out} already exists; choose a new directory or pass --overwrite")
    if not out.parent.is_dir():
        raise UsageError(f"{out.parent} is not a directory")

    from probity.synth import activity, output, scenarios, world

    began = time.perf_counter()
    done = 0

    def step(name: str) -> None:
        nonlocal done
        if progress is not None:
            progress(name, done, len(STAGES))
        done += 1

    step("organisation")
    w = world.new_world(staff=staff, months=months, seed=seed, scale=scale,
                        period_start=PERIOD_START)
    world.build_organisation(w)
    step("rosters")
    world.build_shifts(w)
    step("incidents")
    world.build_incidents(w)
    step("people")
    world.build_people(w)
    truth = scenarios.Truth()
    perps = scenarios.choose_perpetrators(w)
    truth.perpetrators = perps
    scenarios.place_staff_identities(w, perps, truth)
    scenarios.place_namesakes(w, perps, truth)
    scenarios.separate_exact_namesakes(w)
    world.build_flags(w)
    step("assignments")
    world.build_assignments(w)
    scenarios.choose_victims(w, perps)
    step("devices")
    act = activity.build_devices(w)
    activity.build_vetting(w, act)
    activity.build_complaints(w, act)
    declared = activity.build_declarations(w, act)
    scenarios.declare_links(w, act, truth)
    off_duty = scenarios.choose_off_duty_workers(w, perps)
    step("audit events (generate)")
    activity.build_audit(w, act, off_duty_casework=off_duty)
    step("calls and texts (generate)")
    activity.build_comms(w, act, external=activity.external_numbers(w))
    step("scenarios")
    scenarios.inject_perpetrators(w, act, perps)
    scenarios.inject_lookalikes(w, act, perps, truth, off_duty, declared)

    tmp = out.with_name(f".{out.name}.tmp-{os.getpid()}")
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir()
    try:
        counts, truth_doc = output.write_all(w, act, truth, out=tmp, fmt=fmt, step=step)
        output.write_manifest(w, tmp, counts)
        truth_path = output.publish(tmp, out, truth_doc, overwrite=overwrite)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if progress is not None:
        progress("done", len(STAGES), len(STAGES))
    by_scenario: dict[str, int] = {}
    for p in perps:
        by_scenario[p.scenario] = by_scenario.get(p.scenario, 0) + 1
    return SynthSummary(out=out, truth_path=truth_path, row_counts=counts,
                        seconds=time.perf_counter() - began, perpetrators=len(perps),
                        scenarios=by_scenario)

