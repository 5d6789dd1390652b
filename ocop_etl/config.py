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
        default=1,
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
    dask_address: str | None = Field(
        default=None,
        description="Scheduler of an existing Dask cluster (tcp://host:8786); unset: a local one.",
    )
