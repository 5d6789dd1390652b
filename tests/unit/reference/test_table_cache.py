"""The on-disk cache of the administrative tables: same tables, and never a stale entry."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from ocop_etl.reference import admin_tables, table_cache
from ocop_etl.reference.admin_tables import (
    AdminTables,
    build_admin_tables,
    cached_admin_tables,
    load_admin_tables,
)


@pytest.fixture(scope="module")
def built() -> AdminTables:
    return build_admin_tables()


def _entries(folder: Path) -> list[Path]:
    return sorted(folder.glob("admin-tables-*.marshal"))


def test_a_cache_hit_gives_the_tables_a_build_gives(tmp_path: Path, built: AdminTables) -> None:
    first = cached_admin_tables(tmp_path)  # miss: builds and stores
    assert len(_entries(tmp_path)) == 1
    second = cached_admin_tables(tmp_path)  # hit
    assert first == built
    assert second == built
    assert load_admin_tables() == built


def test_payload_round_trip_keeps_every_field(built: AdminTables) -> None:
    again = admin_tables._from_payload(admin_tables._to_payload(built))
    assert again == built
    # Field by field, types included (a list where a tuple was would still compare unequal,
    # but a bool stored as an int would not).
    for old, new in zip(built.units, again.units, strict=True):
        assert [type(v) for v in admin_tables._fields_of(old)] == [
            type(v) for v in admin_tables._fields_of(new)
        ]


def _module(tmp_path: Path, name: str, source: str) -> ModuleType:
    path = tmp_path / f"{name}.py"
    path.write_text(source, encoding="utf-8")
    module = ModuleType(name)
    module.__file__ = str(path)
    return module


def test_fingerprint_follows_data_code_and_names(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "a.json").write_text("[1]", encoding="utf-8")
    mod = _module(tmp_path, "m", "X = 1\n")

    def digest() -> str:
        code = table_cache.source_digest([mod])
        return table_cache.fingerprint(
            code=code, data_files=sorted(data.glob("*")), distributions=["ftfy"]
        )

    seen = {digest()}
    (data / "a.json").write_text("[2]", encoding="utf-8")  # data content
    seen.add(digest())
    (data / "a.json").rename(data / "b.json")  # data file name
    seen.add(digest())
    (data / "c.json").write_text("", encoding="utf-8")  # one more (even empty) file
    seen.add(digest())
    Path(str(mod.__file__)).write_text("X = 2\n", encoding="utf-8")  # code
    seen.add(digest())
    assert len(seen) == 5
    assert digest() == digest()  # and nothing else moves it


def test_bad_or_foreign_entries_are_misses(tmp_path: Path) -> None:
    digest = "ab" * 32
    table_cache.store(tmp_path, "t", digest, ("payload", frozenset({"x"})))
    assert table_cache.load(tmp_path, "t", digest) == ("payload", frozenset({"x"}))
    (entry,) = tmp_path.glob("t-*.marshal")
    # Same 32-character prefix, other digest: the full digest inside settles it.
    assert table_cache.load(tmp_path, "t", digest[:32] + "cd" * 16) is None
    entry.write_bytes(b"\x00garbage")
    assert table_cache.load(tmp_path, "t", digest) is None
    entry.write_bytes(entry.read_bytes()[:3])
    assert table_cache.load(tmp_path, "t", digest) is None
    assert table_cache.load(tmp_path / "missing", "t", digest) is None


def test_an_unwritable_cache_only_costs_the_rebuild(tmp_path: Path, built: AdminTables) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be", encoding="utf-8")
    assert cached_admin_tables(blocker / "cache") == built
    table_cache.store(blocker, "t", "00" * 32, ("x",))  # no exception either
    assert not list(tmp_path.glob("*.tmp")) and not list(tmp_path.glob(".*tmp"))


def test_old_entries_are_pruned(tmp_path: Path) -> None:
    digests = [f"{i:02x}" * 32 for i in range(table_cache.KEEP_OTHERS + 3)]
    for i, digest in enumerate(digests):
        table_cache.store(tmp_path, "t", digest, (i,))
    assert len(list(tmp_path.glob("t-*.marshal"))) == table_cache.KEEP_OTHERS + 1
    assert table_cache.load(tmp_path, "t", digests[-1]) == (len(digests) - 1,)


def test_code_changed_since_import_bypasses_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, built: AdminTables
) -> None:
    # As if admin_tables.py had been edited after this process imported it: the running code
    # is not what the files say, so its tables must not be stored under the files' digest.
    monkeypatch.setattr(admin_tables, "_CODE_AT_IMPORT", "0" * 64)
    assert cached_admin_tables(tmp_path) == built
    assert _entries(tmp_path) == []


def test_the_fingerprint_covers_every_module_the_tables_are_built_with() -> None:
    # A fresh interpreter: what importing admin_tables loads is the code building the tables.
    script = (
        "import json, sys; import ocop_etl.reference.admin_tables; "
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith('ocop_etl'))))"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout
    loaded = set(json.loads(out))
    covered = {m.__name__ for m in admin_tables._build_modules()}
    assert loaded <= covered, f"add to _build_modules: {sorted(loaded - covered)}"
