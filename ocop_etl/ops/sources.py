"""Finding report files in local folders and fsspec URLs, and skipping what the ledger has.

A source is a local path (file or folder, e.g. a mounted network share) or any fsspec URL
(``s3://bucket/inbox``, ``sftp://host/drop``, ``memory://…``), laid out by province/district
or flat: folders are searched recursively. Remote files are copied into a local staging folder
named by content hash, so the rest of the pipeline only ever reads local files. Nothing is
ever moved or deleted at the source: districts' folders are theirs.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from ocop_etl.errors import ConfigError, StorageError, TransientError
from ocop_etl.files import REPORT_SUFFIXES, discover, fingerprint

_CHUNK = 1 << 20


@dataclass(frozen=True)
class Candidate:
    """One report file found at a source, ready to be processed from ``path``."""

    path: str  # local path: the file itself, or its staged copy for a remote source
    origin: str  # where it was found (local path or URL), for logs and summaries
    byte_sha256: str


@dataclass
class Discovery:
    """What discovery found: files to process, and files the ledger already has."""

    new: list[Candidate] = field(default_factory=list)
    known: list[Candidate] = field(default_factory=list)


def is_remote(source: str) -> bool:
    """True for fsspec URLs (``s3://…``); ``file://`` and plain paths are local."""
    scheme, sep, _ = source.partition("://")
    return bool(sep) and scheme.lower() not in ("", "file")


def _local_path(source: str) -> Path:
    return Path(source.removeprefix("file://"))


def is_report_name(name: str) -> bool:
    """Report files only: Excel lock files ("~$x.xlsx") and hidden files are not reports."""
    return PurePosixPath(name).suffix.lower() in REPORT_SUFFIXES and not name.startswith(
        ("~$", ".")
    )


def _filesystem(url: str) -> tuple[Any, str]:
    try:
        from fsspec.core import url_to_fs
    except ImportError as exc:  # pragma: no cover - fsspec ships with prefect, but be clear
        raise ConfigError(
            f"{url} needs fsspec: pip install 'ocop-etl[remote]' (and the backend, e.g. s3fs)"
        ) from exc
    try:
        return url_to_fs(url)
    except (ImportError, ValueError) as exc:
        # e.g. s3:// without s3fs installed: a setup problem, not a passing outage.
        raise ConfigError(f"Cannot open source {url}: {exc}") from exc


def _remote_files(url: str) -> tuple[Any, list[str]]:
    fs, root = _filesystem(url)
    try:
        if not fs.exists(root):
            raise TransientError(f"Source not found or not reachable: {url}")
        names = [root] if fs.isfile(root) else sorted(fs.find(root))
    except OSError as exc:
        raise TransientError(f"Source {url} unreachable: {exc}") from exc
    return fs, [n for n in names if is_report_name(PurePosixPath(n).name)]


def stage_remote(fs: Any, remote_path: str, staging_dir: Path) -> tuple[Path, str]:
    """Copy one remote file to ``staging_dir/<sha256>/<name>``; returns (local path, sha256).

    The bytes are hashed while they are copied (one read). Named by content, so staging the
    same file twice keeps one copy, and the district's file name survives for feedback.
    """
    name = PurePosixPath(remote_path).name
    staging_dir.mkdir(parents=True, exist_ok=True)
    tmp = staging_dir / f".incoming.{os.getpid()}.{hashlib.sha1(remote_path.encode()).hexdigest()}"
    digest = hashlib.sha256()
    try:
        with fs.open(remote_path, "rb") as src, tmp.open("wb") as dst:
            for chunk in iter(lambda: src.read(_CHUNK), b""):
                digest.update(chunk)
                dst.write(chunk)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        if isinstance(exc, FileNotFoundError | PermissionError | ConnectionError | TimeoutError):
            raise TransientError(f"Cannot read {remote_path}: {exc}") from exc
        raise StorageError(f"Cannot stage {remote_path} in {staging_dir}: {exc}") from exc
    sha = digest.hexdigest()
    target = staging_dir / sha / name
    if target.exists():
        tmp.unlink()
    else:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp.replace(target)
    return target, sha


def discover_sources(
    sources: Sequence[str],
    *,
    staging_dir: Path,
    known_hashes: Iterable[str] = (),
    force: bool = False,
) -> Discovery:
    """List the report files of every source, fingerprint them, and split new from known.

    ``known_hashes`` are the byte hashes the ledger already handled
    (``ledger.handled_hashes``); with ``force`` nothing counts as known. Raises
    TransientError when a source is unreachable (the run is retried), ConfigError when a
    URL's scheme has no installed backend.
    """
    known = set() if force else set(known_hashes)
    found = Discovery()
    seen: set[str] = set()
    for source in sources:
        for candidate in _candidates(source, staging_dir):
            if candidate.byte_sha256 in seen:
                continue  # the same bytes under two names in one run: process once
            seen.add(candidate.byte_sha256)
            (found.known if candidate.byte_sha256 in known else found.new).append(candidate)
    return found


def _candidates(source: str, staging_dir: Path) -> list[Candidate]:
    if not is_remote(source):
        out = []
        for path in discover([_local_path(source)]):
            facts = fingerprint(path)
            out.append(Candidate(path=str(path), origin=str(path), byte_sha256=facts.byte_sha256))
        return out
    fs, names = _remote_files(source)
    protocol = source.partition("://")[0]
    out = []
    for name in names:
        local, sha = stage_remote(fs, name, staging_dir)
        origin = name if "://" in name else f"{protocol}://{name.lstrip('/')}"
        out.append(Candidate(path=str(local), origin=origin, byte_sha256=sha))
    return out


__all__ = [
    "Candidate",
    "Discovery",
    "discover_sources",
    "is_remote",
    "is_report_name",
    "stage_remote",
    "staging_dir_for",
]


def staging_dir_for(archive_dir: Path) -> Path:
    """Where remote files and renamed archive copies are staged: ``staging`` beside the archive."""
    return Path(archive_dir).parent / "staging"
