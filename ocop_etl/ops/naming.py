"""Flow-run names an operator can scan in the UI: what kind of run, which night, which source."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import PurePosixPath


def source_label(sources: Sequence[str] | None, default: str = "inbox") -> str:
    """A short label for the sources: their last path parts, joined ("inbox", "s3:drop")."""
    if not sources:
        return default
    parts = []
    for s in sources:
        scheme, sep, rest = s.partition("://")
        name = PurePosixPath((rest if sep else s).rstrip("/")).name or (rest if sep else s)
        parts.append(f"{scheme}:{name}" if sep and scheme != "file" else name)
    label = ",".join(parts)
    return label if len(label) <= 60 else label[:57] + "..."


def run_name(kind: str, on: date, sources: Sequence[str] | None = None, extra: str = "") -> str:
    """``nightly-2025-03-14-inbox``: the run's kind, its date and its source."""
    name = f"{kind}-{on.isoformat()}-{source_label(sources)}"
    return f"{name}-{extra}" if extra else name


__all__ = ["run_name", "source_label"]
