"""The run summary operators read in the Prefect UI: totals, what changed, who has not reported.

Built from the run's file outcomes plus two warehouse look-ups: the previous ``ledger_load``
(for "what changed since the previous run") and the BI view ``ocop_reporting_completeness``
(for "which units have not reported this period").
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, bindparam, select, text

from ocop_etl.load import tables as t
from ocop_etl.load.ledger import FileOutcome

# Outcome statuses, as the table artifact and the totals name them.
STATUSES = ("loaded", "rejected", "skipped_duplicate", "failed", "validated", "valid")
_MAX_LISTED = 200  # a markdown artifact is read by a person: cap every list


@dataclass(frozen=True)
class LoadTotals:
    """One run's totals, as ``ledger_load`` stores them."""

    load_id: int
    status: str
    files_loaded: int = 0
    files_rejected: int = 0
    files_skipped: int = 0
    files_failed: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0


@dataclass(frozen=True)
class MissingUnit:
    """A district that has not reported for a period its province has reported for."""

    province: str
    district: str
    period_year: int


@dataclass
class RunSummary:
    """One run, for the CLI table, the Prefect artifacts and the logs."""

    load_id: int | None
    database: str  # always masked (mask_url)
    feedback_dir: str | None
    source: str = ""
    outcomes: list[FileOutcome] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)
    missing_units: list[MissingUnit] = field(default_factory=list)
    periods: list[int] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def rows_loaded(self) -> int:
        return sum(o.rows_loaded for o in self.outcomes)

    @property
    def rows_rejected(self) -> int:
        return sum(o.rows_rejected for o in self.outcomes)

    def totals(self) -> LoadTotals:
        return LoadTotals(
            load_id=self.load_id or 0,
            status="failed" if self.count("failed") else "completed",
            files_loaded=self.count("loaded"),
            files_rejected=self.count("rejected"),
            files_skipped=self.count("skipped_duplicate"),
            files_failed=self.count("failed"),
            rows_loaded=self.rows_loaded,
            rows_rejected=self.rows_rejected,
        )

    def as_markdown(self) -> str:
        return render_markdown(self)

    def table_rows(self) -> list[dict[str, object]]:
        """The per-file table artifact: one row per file, capped for the UI."""
        return [
            {
                "file": o.source_file,
                "reporting_unit": o.reporting_unit,
                "period": o.period,
                "status": o.status,
                "rows_loaded": o.rows_loaded,
                "rows_rejected": o.rows_rejected,
                "warnings": o.warnings,
                "reason": o.reason_code,
                "feedback": o.feedback_path,
            }
            for o in self.outcomes[:500]
        ]


def previous_load(engine: Engine, load_id: int) -> LoadTotals | None:
    """The last finished run before ``load_id`` (runs that never finished are not compared)."""
    ll = t.ledger_load.c
    with engine.connect() as conn:
        row = conn.execute(
            select(t.ledger_load)
            .where(ll.load_id < load_id, ll.finished_at.is_not(None))
            .order_by(ll.load_id.desc())
            .limit(1)
        ).first()
    if row is None:
        return None
    m = row._mapping
    return LoadTotals(
        load_id=int(m["load_id"]),
        status=str(m["status"]),
        files_loaded=int(m["files_loaded"]),
        files_rejected=int(m["files_rejected"]),
        files_skipped=int(m["files_skipped"]),
        files_failed=int(m["files_failed"]),
        rows_loaded=int(m["rows_loaded"]),
        rows_rejected=int(m["rows_rejected"]),
    )


def describe_changes(
    current: LoadTotals, previous: LoadTotals | None, outcomes: Iterable[FileOutcome]
) -> list[str]:
    """Markdown bullet texts: what this run changed, and how it compares with the previous one."""
    outcomes = list(outcomes)
    lines: list[str] = []
    if previous is None:
        lines.append("First recorded run: nothing to compare with.")
    else:
        lines.append(
            f"Compared with the previous run (load {previous.load_id}, {previous.status}): "
            + ", ".join(
                _delta(label, now, before)
                for label, now, before in (
                    ("files loaded", current.files_loaded, previous.files_loaded),
                    ("files rejected", current.files_rejected, previous.files_rejected),
                    ("files failed", current.files_failed, previous.files_failed),
                    ("rows loaded", current.rows_loaded, previous.rows_loaded),
                    ("rows rejected", current.rows_rejected, previous.rows_rejected),
                )
            )
            + "."
        )
        if previous.files_failed and not current.files_failed:
            lines.append("The previous run's failures are resolved: no file failed this time.")
    loaded = [o for o in outcomes if o.status == "loaded"]
    new = [o for o in loaded if not o.superseded_file_ids]
    replaced = [o for o in loaded if o.superseded_file_ids]
    if new:
        lines.append(f"New submissions: {_units(new)}.")
    if replaced:
        lines.append(f"Corrected submissions replacing earlier ones: {_units(replaced)}.")
    rejected = [o for o in outcomes if o.status == "rejected"]
    if rejected:
        lines.append(
            "Rejected files (the district must resend): "
            + ", ".join(o.source_file for o in rejected[:_MAX_LISTED])
            + "."
        )
    if not (new or replaced or rejected):
        lines.append("No new or corrected submissions: the warehouse did not change.")
    return lines


def _delta(label: str, now: int, before: int) -> str:
    diff = now - before
    return f"{label} {now} ({'+' if diff >= 0 else ''}{diff})"


def _units(outcomes: list[FileOutcome]) -> str:
    names = [
        f"{o.reporting_unit or o.source_file}" + (f" {o.period}" if o.period else "")
        for o in outcomes[:_MAX_LISTED]
    ]
    more = len(outcomes) - len(names)
    return ", ".join(names) + (f" and {more} more" if more > 0 else "")


def run_periods(engine: Engine, outcomes: Iterable[FileOutcome]) -> list[int]:
    """The periods (years) a run is about: those its loaded files reported for, else the
    latest period the warehouse has (a quiet night still shows who is missing)."""
    ids = [o.file_id for o in outcomes if o.status == "loaded" and o.file_id is not None]
    f = t.ledger_file.c
    with engine.connect() as conn:
        if ids:
            years = conn.execute(
                select(f.period_year)
                .distinct()
                .where(f.file_id.in_(ids), f.period_year.is_not(None))
            ).scalars()
            found = sorted({int(y) for y in years})
            if found:
                return found
        latest = conn.execute(
            select(f.period_year)
            .where(f.status.in_(("loaded", "superseded")), f.period_year.is_not(None))
            .order_by(f.period_year.desc())
            .limit(1)
        ).scalar()
    return [int(latest)] if latest is not None else []


def units_not_reported(engine: Engine, periods: Iterable[int]) -> list[MissingUnit]:
    """Districts without a report for ``periods``, from the view ``ocop_reporting_completeness``.

    The view covers the provinces that reported at all for a period: a province that sent
    nothing is not listed district by district (it shows up as a missing province instead
    in the BI report).
    """
    years = sorted(set(periods))
    if not years:
        return []
    # has_reported is a boolean on PostgreSQL and 0/1 on SQLite: NOT works on both.
    sql = text(
        "SELECT province_name, district_name, period_year FROM ocop_reporting_completeness "
        "WHERE NOT has_reported AND period_year IN :years "
        "ORDER BY period_year, province_name, district_name"
    ).bindparams(bindparam("years", expanding=True))
    with engine.connect() as conn:
        return [
            MissingUnit(
                province=str(r.province_name or "?"),
                district=str(r.district_name or "?"),
                period_year=int(r.period_year),
            )
            for r in conn.execute(sql, {"years": years})
        ]


def _link(path: str) -> str:
    """A markdown link to a feedback workbook (file:// for a local path)."""
    name = Path(path).name
    target = path if "://" in path else Path(path).resolve().as_uri()
    return f"[{name}]({target})"


def render_markdown(summary: RunSummary) -> str:
    """The markdown artifact: totals, changes, feedback workbooks, units not reported."""
    s = summary
    title = f"# OCOP ingestion — load {s.load_id if s.load_id is not None else '(dry run)'}"
    lines = [title, ""]
    if s.source:
        lines.append(f"- source: `{s.source}`")
    validated = s.count("validated") + s.count("valid")
    lines += [
        f"- files: **{len(s.outcomes)}** — loaded {s.count('loaded')}, "
        f"rejected {s.count('rejected')}, skipped (already loaded) "
        f"{s.count('skipped_duplicate')}, failed {s.count('failed')}"
        + (f", validated {validated}" if validated else ""),
        f"- rows: loaded **{s.rows_loaded}**, rejected **{s.rows_rejected}**, "
        f"warnings {sum(o.warnings for o in s.outcomes)}",
        f"- warehouse: `{s.database}`",
        f"- feedback workbooks for districts: `{s.feedback_dir}`",
    ]
    if s.changes:
        lines += ["", "## What changed since the previous run", ""]
        lines += [f"- {c}" for c in s.changes]
    with_feedback = [o for o in s.outcomes if o.feedback_path]
    if with_feedback:
        lines += ["", "## Feedback workbooks (send these back to the districts)", ""]
        lines += [
            f"- {o.source_file} ({o.status}): {_link(o.feedback_path or '')}"
            for o in with_feedback[:_MAX_LISTED]
        ]
    if s.periods:
        period_text = ", ".join(map(str, s.periods))
        lines += ["", f"## Units that have not reported for {period_text}", ""]
        if s.missing_units:
            lines += [
                f"- {m.district} ({m.province}), {m.period_year}"
                for m in s.missing_units[:_MAX_LISTED]
            ]
            if len(s.missing_units) > _MAX_LISTED:
                lines.append(f"- … and {len(s.missing_units) - _MAX_LISTED} more")
        else:
            lines.append("Every district of the provinces that reported has reported.")
    return "\n".join(lines) + "\n"


__all__ = [
    "STATUSES",
    "LoadTotals",
    "MissingUnit",
    "RunSummary",
    "describe_changes",
    "previous_load",
    "render_markdown",
    "run_periods",
    "units_not_reported",
]
