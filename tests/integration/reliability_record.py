"""Recording what the reliability tests measured, for the README's Reliability table.

Each reliability test asks for the ``reliability`` fixture and records one row (fault, limit,
outcome, wall time, peak RSS). At the end of the session the rows are written as JSON to
``$OCOP_RELIABILITY_JSON`` or, by default, into pytest's cache folder
(``.pytest_cache/d/reliability/results.json``, git-ignored): a CI run never touches the README.
``make reliability-table`` runs these tests and renders the table (``scripts/reliability-table``).
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pytest

_ROWS: list[Record] = []


@dataclass
class Record:
    group: str  # "fault" | "input"
    case: str
    limit: str
    outcome: str
    seconds: float | None = None
    peak_rss_mb: float | None = None
    test: str = field(default="")


class Recorder:
    def __init__(self, nodeid: str) -> None:
        self.nodeid = nodeid

    def __call__(
        self,
        group: str,
        case: str,
        *,
        limit: str,
        outcome: str,
        seconds: float | None = None,
        peak_rss_mb: float | None = None,
    ) -> None:
        _ROWS.append(
            Record(group, case, limit, outcome, seconds, peak_rss_mb, test=self.nodeid)
        )


def results_path(config: pytest.Config) -> Path:
    explicit = os.environ.get("OCOP_RELIABILITY_JSON")
    if explicit:
        return Path(explicit)
    assert config.cache is not None
    return Path(config.cache.mkdir("reliability")) / "results.json"


def _write(config: pytest.Config) -> None:
    if not _ROWS:
        return
    path = results_path(config)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Merge with rows of other tests recorded earlier (a partial re-run keeps them).
    old = json.loads(path.read_text(encoding="utf-8")) if path.exists() else []
    tests = {r.test for r in _ROWS}
    merged = [r for r in old if r.get("test") not in tests] + [asdict(r) for r in _ROWS]
    path.write_text(json.dumps(merged, ensure_ascii=False, indent=1), encoding="utf-8")


_REGISTERED: set[int] = set()


@pytest.fixture
def reliability(request: pytest.FixtureRequest) -> Recorder:
    """Import this fixture into a test module; rows are written when the session ends."""
    config = request.config
    if id(config) not in _REGISTERED:
        _REGISTERED.add(id(config))
        config.add_cleanup(lambda: _write(config))
    return Recorder(request.node.nodeid)
