"""Feedback for districts: annotated copies of their workbooks, and the report template.

Everything a district officer reads is in Vietnamese; the CLI gets JSON and counts.
"""

from __future__ import annotations

from ocop_etl.feedback.annotate import write_feedback
from ocop_etl.feedback.summary import issues_to_json, summarize

__all__ = ["issues_to_json", "summarize", "write_feedback"]
