"""The benchmark's workload: sample district reports, generated once per parameter set.

Generation is deterministic (``ocop_etl.samples``: same arguments, same bytes), so a folder
named after the parameters is reused by later runs; ``complete.json`` marks a finished one.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path

from ocop_etl.samples.generator import write_samples


@dataclass(frozen=True)
class Workload:
    files: int
    min_rows: int
    max_rows: int
    seed: int

    @property
    def key(self) -> str:
        return f"files{self.files}_rows{self.min_rows}-{self.max_rows}_seed{self.seed}"


def ensure_workload(spec: Workload, cache_dir: Path) -> tuple[Path, int]:
    """(folder of report files, product rows written); generated only when not cached."""
    folder = cache_dir / spec.key
    marker = folder / "complete.json"
    if marker.exists():
        return folder / "inbox", int(json.loads(marker.read_text())["rows"])
    if folder.exists():
        shutil.rmtree(folder)  # an interrupted generation
    reports = write_samples(
        folder / "inbox",
        files=spec.files,
        rows_per_file=(spec.min_rows, spec.max_rows),
        seed=spec.seed,
    )
    rows = sum(len(r.rows) for r in reports)
    marker.write_text(json.dumps(asdict(spec) | {"rows": rows}))
    return folder / "inbox", rows
