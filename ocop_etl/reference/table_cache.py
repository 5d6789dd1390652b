"""An on-disk cache of built reference tables, keyed by everything that built them.

Building the administrative-unit tables from the bundled SQLite/JSON files takes ~0.7 s of
parsing and key building, and every process that resolves units (each process-pool worker)
pays it. The result depends only on (a) the bytes of those data files, (b) the source of the
code that turns them into tables, (c) the third-party code and Python that code runs on. The
cache entry is named by a SHA-256 over all of them, so any change to any input makes a different
name: a stale entry is never read, it is simply never asked for again (and pruned later).

Entries are written with ``marshal`` (plain tuples, strings, frozensets): loading one cannot run
code, unlike pickle. A missing, unreadable or foreign entry is a miss, and a cache directory
that cannot be written only costs the rebuild: the cache never makes a run fail.
"""

from __future__ import annotations

import hashlib
import logging
import marshal
import os
import sys
import tempfile
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path
from types import ModuleType
from typing import Any

log = logging.getLogger(__name__)

# Bump when the layout of a cached payload changes in a way the code hash would not show.
FORMAT = "1"
# Entries of older fingerprints kept beside the newest (other checkouts may share the folder).
KEEP_OTHERS = 3


def default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/ocop-etl``, else ``~/.cache/ocop-etl`` (the usual per-user place)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "ocop-etl"


def source_digest(modules: Iterable[ModuleType]) -> str:
    """SHA-256 of the modules' source files as they are on disk now."""
    digest = _Digest()
    for module in sorted(modules, key=lambda m: m.__name__):
        source = module.__file__
        if source is None:
            raise ValueError(f"{module.__name__} has no source file to fingerprint")
        digest.add(f"module:{module.__name__}", Path(source).read_bytes())
    return digest.hexdigest()


def fingerprint(
    *, code: str, data_files: Iterable[Path], distributions: Iterable[str]
) -> str:
    """SHA-256 over a ``source_digest``, the data bytes, package versions and Python.

    Names are hashed with the contents, so a file renamed or added changes the digest too.
    """
    digest = _Digest()
    digest.add("format", FORMAT.encode())
    digest.add("python", sys.version.encode())
    digest.add("code", code.encode())
    for name in sorted(distributions):
        digest.add(f"dist:{name}", metadata.version(name).encode())
    for path in sorted(data_files):
        digest.add(f"data:{path.parent.name}/{path.name}", path.read_bytes())
    return digest.hexdigest()


class _Digest:
    def __init__(self) -> None:
        self._sha = hashlib.sha256()

    def add(self, label: str, payload: bytes) -> None:
        # Length-prefixed, so that no two different input lists can hash the same bytes.
        for part in (label.encode(), payload):
            self._sha.update(len(part).to_bytes(8, "big"))
            self._sha.update(part)

    def hexdigest(self) -> str:
        return self._sha.hexdigest()


def _entry(folder: Path, name: str, digest: str) -> Path:
    return folder / f"{name}-{digest[:32]}.marshal"


def load(folder: Path, name: str, digest: str) -> Any:
    """The payload stored for ``name`` under ``digest``, or None (a miss, never an error)."""
    path = _entry(folder, name, digest)
    try:
        stored_digest, payload = marshal.loads(path.read_bytes())
    except FileNotFoundError:
        return None
    except (OSError, EOFError, ValueError, TypeError) as exc:
        log.warning("ignoring unreadable reference cache %s: %s", path, exc)
        return None
    # The file name holds only a prefix of the digest: the full one inside settles it.
    return payload if stored_digest == digest else None


def store(folder: Path, name: str, digest: str, payload: Any) -> None:
    """Store ``payload`` (plain data ``marshal`` can write) for ``name`` under ``digest``.

    Failing to write (read-only home, full disk) is logged and otherwise ignored.
    """
    path = _entry(folder, name, digest)
    tmp: str | None = None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        # Written aside and renamed: a process reading concurrently sees all of it or nothing.
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            fh.write(marshal.dumps((digest, payload)))
        Path(tmp).replace(path)
        tmp = None
        _prune(folder, name, keep=path)
    except OSError as exc:
        log.info("reference cache not written to %s: %s", folder, exc)
    finally:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)


def _prune(folder: Path, name: str, *, keep: Path) -> None:
    others = [p for p in folder.glob(f"{name}-*.marshal") if p != keep]
    others.sort(key=lambda p: p.stat().st_mtime, reverse=True)
    for old in others[KEEP_OTHERS:]:
        old.unlink(missing_ok=True)
