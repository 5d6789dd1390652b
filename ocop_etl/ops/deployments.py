"""The deployments ``ocop-etl serve`` creates and serves.

* ``ocop-nightly/nightly``: 02:00 Asia/Ho_Chi_Minh every day, one run at a time;
* ``ocop-reload/reload`` and ``ocop-validate/validate``: no schedule, run on demand from the UI.

Served with ``pause_on_shutdown=False``: a supervisor (systemd) restarting the serve process
must not pause the nightly schedule. Entrypoints are module paths (``flows.nightly:nightly``)
so the runner finds the flows wherever it is started from.
"""

from __future__ import annotations

from typing import Any

NIGHTLY_CRON = "0 2 * * *"
TIMEZONE = "Asia/Ho_Chi_Minh"
TAGS = ["ocop"]
NIGHTLY = "ocop-nightly/nightly"
RELOAD = "ocop-reload/reload"
VALIDATE = "ocop-validate/validate"


def build_deployments(cron: str = NIGHTLY_CRON, timezone: str = TIMEZONE) -> list[Any]:
    """The three RunnerDeployments (not yet registered with the server)."""
    from prefect.deployments.runner import EntrypointType
    from prefect.schedules import Cron

    from flows.nightly import nightly
    from flows.reload import reload
    from flows.validate import validate

    common: dict[str, Any] = {"tags": TAGS, "entrypoint_type": EntrypointType.MODULE_PATH}
    return [
        nightly.to_deployment(
            name="nightly",
            schedules=[Cron(cron, timezone=timezone)],
            concurrency_limit=1,  # never two nightly runs writing at once
            description="New district reports from the sources, every night.",
            **common,
        ),
        reload.to_deployment(
            name="reload",
            concurrency_limit=1,
            description="Reprocess files by path, content hash, or reporting unit + period.",
            **common,
        ),
        validate.to_deployment(
            name="validate",
            description="Dry run: check reports and write feedback; loads nothing.",
            **common,
        ),
    ]


def serve_deployments(deployments: list[Any], *, limit: int | None = None) -> None:
    """Register the deployments and run their flow runs until stopped (blocks)."""
    from prefect import serve

    serve(*deployments, pause_on_shutdown=False, limit=limit)


__all__ = ["NIGHTLY", "NIGHTLY_CRON", "RELOAD", "TIMEZONE", "VALIDATE", "build_deployments"]
