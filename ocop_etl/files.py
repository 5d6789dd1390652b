"""Finding report files, fingerprinting them, and archiving the raw bytes by content hash."""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from ocop_etl.errors import StorageError, TransientError
from ocop_etl.load.ledger import FileFacts

REPORT_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xls", ".ods"})


def discover(paths: Iterable[Path]) -> list[Path]:
    """Report files under ``paths`` (files or folders, recursively), in a stable order.

    Excel's lock files ("~$name.xlsx") and hidden files are not reports. A path that does
    not exist is an operational error: the source is unreachable, not empty.
    """
    found: set[Path] = set()
    for root in paths:
        if not root.exists():
            raise TransientError(f"Source path not found or not reachable: {root}")
        candidates = [root] if root.is_file() else [p for p in root.rglob("*") if p.is_file()]
        for p in candidates:
            if p.suffix.lower() in REPORT_SUFFIXES and not p.name.startswith(("~$", ".")):
                found.add(p)
    return sorted(found)


def fingerprint(path: Path) -> FileFacts:
    digest = hashlib.sha256()
    try:
        with path.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
        stat = path.stat()
    except OSError as exc:
        raise TransientError(f"Cannot read {path}: {exc}") from exc
    return FileFacts(
        path=path,
        source_file=path.name,
        byte_sha256=digest.hexdigest(),
        size_bytes=stat.st_size,
        received_at=datetime.fromtimestamp(stat.st_mtime, UTC),
    )


def archive_raw(facts: FileFacts, archive_dir: Path) -> Path:
    """Copy the raw file to ``archive_dir/ab/<sha256><suffix>`` before it is processed.

    Named by content, so archiving twice is a no-op and a district's odd file name (path
    separators, control characters) never reaches the file system. Written to a temporary
    name then renamed, so a crash never leaves a half-copied archive file.
    """
    suffix = facts.path.suffix.lower() if facts.path.suffix.lower() in REPORT_SUFFIXES else ".bin"
    target = archive_dir / facts.byte_sha256[:2] / f"{facts.byte_sha256}{suffix}"
    if target.exists():
        return target
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(facts.path, tmp)
        tmp.replace(target)
    except OSError as exc:
        # The cleanup itself may fail the same way (ENOTDIR, EROFS): the cause is what matters.
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        raise StorageError(f"Cannot archive {facts.source_file} to {archive_dir}: {exc}") from exc
    return target
