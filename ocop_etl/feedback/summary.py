"""Machine-readable views of a file's issues, for the CLI and the run report."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from typing import Any

from ocop_etl.issues import Issue, Severity

SEVERITIES: tuple[Severity, ...] = ("file", "error", "warning")


def issues_to_json(issues: Sequence[Issue]) -> str:
    """The issues as a JSON array, in the given order, with sorted keys and readable Vietnamese.

    Sorted keys and ``ensure_ascii=False`` keep the output byte-stable between runs and
    diffable, with "Thiếu hạng sao" readable rather than ``\\u1ebf`` escapes.
    """
    return json.dumps(
        [issue.as_dict() for issue in issues], ensure_ascii=False, sort_keys=True, indent=2
    )


def summarize(issues: Sequence[Issue]) -> dict[str, Any]:
    """Counts for one file: total, by severity (all three always present), by code, outcome.

    ``rejected_rows`` counts distinct (sheet, row) pairs carrying at least one error, which is
    what the officer cares about ("3 dòng bị loại"), not the number of error issues.
    """
    by_severity = Counter(issue.severity for issue in issues)
    by_code = Counter(issue.code for issue in issues)
    rejected = {
        (issue.source_sheet, issue.source_row)
        for issue in issues
        if issue.severity == "error" and issue.source_row is not None
    }
    return {
        "total": len(issues),
        "by_severity": {severity: by_severity.get(severity, 0) for severity in SEVERITIES},
        "by_code": dict(sorted(by_code.items())),
        "rejected_rows": len(rejected),
        "file_rejected": by_severity.get("file", 0) > 0,
    }
