"""The Prefect task runner the per-file work runs on, chosen by ``OCOP_TASK_RUNNER``.

* ``threads`` (default): files are mostly I/O (read, write the database); SQLite writers
  wait on one lock anyway, so a few threads are enough.
* ``processes``: CPU-bound parsing of big workbooks on one machine (pays ~1–2 s of process
  start per run).
* ``dask``: a Dask cluster (``OCOP_DASK_ADDRESS=tcp://scheduler:8786``), or a local cluster
  when no address is given. The warehouse stays the one writer of truth: each file is still
  loaded in its own database transaction, whichever worker runs it.
"""

from __future__ import annotations

import os
from typing import Any

from ocop_etl.config import Settings
from ocop_etl.errors import ConfigError


def make_task_runner(settings: Settings) -> Any:
    """A fresh (not yet started) task runner for ``settings.task_runner``."""
    kind = settings.task_runner
    if kind == "threads":
        from prefect.task_runners import ThreadPoolTaskRunner

        return ThreadPoolTaskRunner(max_workers=min(4, os.cpu_count() or 2))
    if kind == "processes":
        from prefect.task_runners import ProcessPoolTaskRunner

        return ProcessPoolTaskRunner(max_workers=os.cpu_count() or 2)
    if kind == "dask":
        try:
            from prefect_dask import DaskTaskRunner
        except ImportError as exc:
            raise ConfigError(
                "OCOP_TASK_RUNNER=dask needs prefect-dask: pip install 'ocop-etl[dask]'"
            ) from exc
        if settings.dask_address:
            return DaskTaskRunner(address=settings.dask_address)
        return DaskTaskRunner()
    raise ConfigError(f"Unknown task runner {kind!r}: use threads, processes or dask")


__all__ = ["make_task_runner"]
