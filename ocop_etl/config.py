"""Settings read from the environment (prefix ``OCOP_``) or a ``.env`` file.

Construct ``Settings()`` only at the edges (CLI, flow entry) and pass values down: nothing in
the package reads the environment at import time, so tests build their own ``Settings(...)``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="OCOP_", env_file=".env", extra="ignore")

    database_url: str = Field(
        default="sqlite:///warehouse.db",
        description="SQLAlchemy URL of the warehouse (SQLite embedded default; PostgreSQL in production).",
    )
    inbox_dir: Path = Field(
        default=Path("data/inbox"), description="Where district reports arrive."
    )
    archive_dir: Path = Field(
        default=Path("data/archive"),
        description="Raw files are copied here by content hash before they are processed.",
    )
    feedback_dir: Path = Field(
        default=Path("data/feedback"),
        description="Annotated error workbooks for districts are written here.",
    )
    files_per_task: int = Field(
        # A Prefect task run costs ~28 ms (client + API), a pandera call ~7 ms, whatever the
        # file count: 25 files per task make both negligible, while every file keeps its own
        # outcome, log line and transaction, and a bad file never fails its neighbours
        # (pipeline.process_batch). Retrying a task skips the files it already loaded.
        default=25,
        ge=1,
        description="How many files one Prefect task processes (1 = a task per file).",
    )
    task_runner: Literal["threads", "processes", "dask"] = Field(
        default="threads",
        description=(
            "Where the per-file work runs: threads (default, I/O-bound), processes (CPU-bound "
            "parsing on one machine) or a Dask cluster (needs the `dask` extra)."
        ),
    )
    worker_processes: int | None = Field(
        # Parsing workbooks is CPU-bound Python: threads share one core (the GIL), forked
        # workers use them all (ocop_etl.ops.workers). Unset: one per CPU on a multi-core Linux
        # host, none on one CPU.
        default=None,
        ge=0,
        description=(
            "Forked worker processes that read, validate and load the files of a run "
            "(unset: one per CPU; 0: in the task threads)."
        ),
    )
    dask_address: str | None = Field(
        default=None,
        description="Scheduler of an existing Dask cluster (tcp://host:8786); unset: a local one.",
    )
    # Safety limits on one district file (ocop_etl.extract.limits.ReadLimits); a file over any
    # of them is rejected with a stable code, never half read. Far above any real OCOP report.
    max_file_mb: float = Field(
        default=50, gt=0, description="Largest report file accepted, in MB (file.too_large)."
    )
    max_uncompressed_mb: float = Field(
        default=256,
        gt=0,
        description="Most data an .xlsx/.ods may expand to when opened, in MB (file.zip_bomb).",
    )
    max_compression_ratio: float = Field(
        default=200, gt=1, description="Highest compression ratio of a large part (file.zip_bomb)."
    )
    max_sheets: int = Field(
        default=100, ge=1, description="Most sheets in one workbook (file.too_many_sheets)."
    )
    max_sheet_rows: int = Field(
        default=100_000, ge=1, description="Most rows one sheet may span (file.sheet_too_big)."
    )
    max_sheet_cells: int = Field(
        default=5_000_000,
        ge=1,
        description="Most cells (rows × columns from A1) one sheet may span (file.sheet_too_big).",
    )
    max_cell_chars: int = Field(
        default=32_767, ge=1, description="Longest text in one cell (cell.too_long)."
    )
