"""The one exception tree of OCOP ETL.

    OcopEtlError                     root: catch this to catch everything we raise
    ├── ConfigError                  settings are unusable; fatal for the run
    ├── FileRejected                 one file cannot be used (corrupt, no OCOP table…); the run goes on
    └── OperationalError             the run itself cannot do its job
        ├── TransientError           worth retrying with backoff (database/network unreachable)
        └── StorageError             archive/feedback folder not writable, disk full

Row-level problems are *not* exceptions: they are ``Issue`` records (see ``ocop_etl.issues``).
"""

from __future__ import annotations

from typing import Any


class OcopEtlError(Exception):
    """Root of every error OCOP ETL raises on purpose."""


class ConfigError(OcopEtlError):
    """Raised when settings are missing or inconsistent."""


class FileRejected(OcopEtlError):
    """Raised when a whole file cannot be used; carries a stable issue code.

    ``code`` is a key of ``ocop_etl.issues.CATALOGUE``; ``context`` fills its message templates.
    """

    def __init__(self, code: str, **context: Any) -> None:
        from ocop_etl.issues import CATALOGUE

        self.code = code
        self.context: dict[str, Any] = context
        spec = CATALOGUE[code]
        self.message_en = spec.format_en(**context)
        self.message_vi = spec.format_vi(**context)
        super().__init__(f"{code}: {self.message_en}")

    def __reduce__(self) -> tuple[Any, ...]:
        # Rebuilt from its code and context (it crosses process boundaries: worker processes).
        return (_rebuild_rejection, (self.code, self.context))


def _rebuild_rejection(code: str, context: dict[str, Any]) -> FileRejected:
    return FileRejected(code, **context)


class OperationalError(OcopEtlError):
    """Raised when the run itself cannot do its job (not the districts' fault)."""


class TransientError(OperationalError):
    """Raised for failures that may pass if retried: database or source briefly unreachable."""


class StorageError(OperationalError):
    """Raised when the archive or feedback folder cannot be written (permissions, disk full)."""
