"""Realistic sample OCOP report workbooks with their ground truth (see README.md here)."""

from ocop_etl.samples.generator import write_samples
from ocop_etl.samples.model import ExpectedRow, SampleReport

__all__ = ["ExpectedRow", "SampleReport", "write_samples"]
