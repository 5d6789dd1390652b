"""The loader's per-process cache of known producers never misses, nor invents, a candidate.

Each process keeps a block's producers parsed between files and asks the database only for
what is new. These tests write producers behind its back, through another connection (as a
concurrent run in another process would), and check the review queue is what reading the
whole block every time would give.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, text

from ocop_etl.load import loader
from ocop_etl.load.known_producers import known_producers
from ocop_etl.transforms.producers import parse_producer
from tests.integration.helpers import (
    count,
    numbers,
    query_plan,
    rows,
    run_files,
    statements_sent,
    warehouse,
)
from tests.unit.extract.builders import Sheet, write_xlsx

pytestmark = pytest.mark.integration

HEADER = ["STT", "Tên sản phẩm", "Chủ thể", "Xã", "Huyện", "Số điểm", "Hạng sao",
          "Số quyết định", "Ngày quyết định"]  # fmt: skip


def _report(path: Path, year: int, producers: list[str], *, commune: str = "xã Quế Xuân 1") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    products = [
        [f"Sản phẩm {year} số {i}", name, commune, "H. Quế Sơn", "70", "4 sao", "1/QĐ-UBND",
         f"20/11/{year}"]
        for i, name in enumerate(producers)
    ]  # fmt: skip
    return write_xlsx(path, [Sheet("DS", [
        ["UBND TỈNH QUẢNG NAM"],
        [f"DANH SÁCH SẢN PHẨM OCOP NĂM {year}"],
        [],
        HEADER,
        *[[i + 1, *p] for i, p in enumerate(products)],
    ])])  # fmt: skip


def _other_connection(url: str) -> Engine:
    # Not get_engine(url): a separate engine, like another process writing the warehouse.
    return create_engine(url)


def _add_producer(engine: Engine, name: str, *, block: str, producer_id: int | None = None) -> int:
    parsed = parse_producer(name)
    values = {
        "block_key": block,
        "key_exact": parsed.key_exact,
        "key_loose": parsed.key_loose,
        "display_name": parsed.display,
        "producer_type": parsed.producer_type,
    }
    if producer_id is not None:
        values["producer_id"] = producer_id
    names = ", ".join(values)
    marks = ", ".join(f":{k}" for k in values)
    with engine.begin() as conn:
        conn.execute(text(f"INSERT INTO dim_producer ({names}) VALUES ({marks})"), values)
        return int(
            conn.execute(
                text(
                    "SELECT producer_id FROM dim_producer WHERE block_key = :b AND key_exact = :k"
                ),
                {"b": block, "k": parsed.key_exact},
            ).scalar_one()
        )


def _block_of_quang_nam(engine: Engine) -> str:
    found = rows(
        engine, "SELECT DISTINCT block_key FROM dim_producer WHERE first_file_id IS NOT NULL"
    )
    assert len(found) == 1
    return str(found[0]["block_key"])


def _review_pairs(engine: Engine) -> set[tuple[str, str]]:
    return {
        (str(r["new"]), str(r["existing"]))
        for r in rows(
            engine,
            "SELECT p.display_name AS new, c.display_name AS existing "
            "FROM review_producer_match r "
            "JOIN dim_producer p ON p.producer_id = r.producer_id "
            "JOIN dim_producer c ON c.producer_id = r.candidate_producer_id",
        )
    }


def test_producers_another_process_added_since_the_last_file_are_candidates(
    warehouse_url: str, tmp_path: Path
) -> None:
    first = _report(tmp_path / "in" / "a_2020.xlsx", 2020, ["HTX Nông nghiệp Quế Xuân 1"])
    again = _report(tmp_path / "in" / "a_2022.xlsx", 2022, ["HTX Nông nghiệp Quế Xuân 1"])
    run_files(warehouse_url, [first, again], tmp_path)  # this process now knows the block
    engine = warehouse(warehouse_url)
    other = _other_connection(warehouse_url)
    _add_producer(other, "HTX Mây tre Bao La", block=_block_of_quang_nam(engine))
    other.dispose()

    second = _report(tmp_path / "in" / "a_2021.xlsx", 2021, ["HTX Mây tre đan Bao La"])
    (outcome,) = run_files(warehouse_url, [second], tmp_path)

    assert outcome.status == "loaded"
    assert ("HTX Mây tre đan Bao La", "HTX Mây tre Bao La") in _review_pairs(engine)


def test_a_producer_committed_late_with_a_lower_id_is_still_a_candidate(
    warehouse_url: str, tmp_path: Path
) -> None:
    # On PostgreSQL an id is taken at INSERT, not at COMMIT: a concurrent run can commit
    # producer g after this process has seen ids above g. Reproduced by filling a gap.
    engine = warehouse(warehouse_url)
    other = _other_connection(warehouse_url)
    gap = _add_producer(other, "placeholder", block="zz")
    first = _report(tmp_path / "in" / "a_2020.xlsx", 2020, ["HTX Nông nghiệp Quế Xuân 1"])
    again = _report(tmp_path / "in" / "a_2022.xlsx", 2022, ["HTX Nông nghiệp Quế Xuân 1"])
    # The second file's refresh sees the first file's producer: ids above the gap.
    run_files(warehouse_url, [first, again], tmp_path)
    block = _block_of_quang_nam(engine)
    with other.begin() as conn:
        conn.execute(text("DELETE FROM dim_producer WHERE producer_id = :g"), {"g": gap})
    assert _add_producer(other, "HTX Mây tre Bao La", block=block, producer_id=gap) == gap
    other.dispose()

    second = _report(tmp_path / "in" / "a_2021.xlsx", 2021, ["HTX Mây tre đan Bao La"])
    (outcome,) = run_files(warehouse_url, [second], tmp_path)

    assert outcome.status == "loaded"
    assert ("HTX Mây tre đan Bao La", "HTX Mây tre Bao La") in _review_pairs(engine)


def test_a_rolled_back_file_leaves_no_producer_behind_in_the_cache(
    warehouse_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    warm = _report(tmp_path / "in" / "a_2019.xlsx", 2019, ["HTX Nông nghiệp Quế Xuân 1"])
    run_files(warehouse_url, [warm], tmp_path)
    # The unknown commune gives the file an issue, so the failing step below is reached
    # after its producers were inserted.
    failing = _report(
        tmp_path / "in" / "a_2020.xlsx", 2020, ["HTX Mây tre Bao La"], commune="xã Không Tồn Tại"
    )

    def explode(*args: object, **kwargs: object) -> object:
        raise RuntimeError("disk full while writing products")

    # Products are written inside the file's transaction, after its producers.
    monkeypatch.setattr(loader, "_product_ids", explode)
    with pytest.raises(RuntimeError, match="disk full"):
        run_files(warehouse_url, [failing], tmp_path)
    monkeypatch.undo()
    engine = warehouse(warehouse_url)
    assert count(engine, "dim_producer") == 1

    # A near match of the rolled-back producer: nothing to propose (and no dangling id).
    second = _report(tmp_path / "in" / "a_2021.xlsx", 2021, ["HTX Mây tre đan Bao La"])
    (outcome,) = run_files(warehouse_url, [second], tmp_path)

    assert outcome.status == "loaded"
    assert _review_pairs(engine) == set()


def test_review_queue_equals_reading_the_whole_block_every_time(
    warehouse_url: str, tmp_path: Path
) -> None:
    # The same files, once through this process's warm cache and once each from a cold
    # start (cache emptied before every file): the same review queue.
    names = [
        ["HTX Nông nghiệp Quế Xuân 1", "Công ty TNHH Thành Đạt", "HTX Mây tre Bao La"],
        ["Hợp tác xã DV NN Quế Xuân 1", "Công ty CP Thành Đạt", "HTX Mây tre đan Bao La"],
        ["HTX DV Quế Xuân 1", "Cty TNHH Thành Đạt Phát", "HTX SX Mây tre đan Bao La"],
    ]
    paths = [
        _report(tmp_path / "in" / f"a_{2020 + i}.xlsx", 2020 + i, n) for i, n in enumerate(names)
    ]
    run_files(warehouse_url, paths, tmp_path / "warm")
    warm = _review_pairs(warehouse(warehouse_url))
    assert warm  # the workload does produce candidates

    cold_url = f"sqlite:///{tmp_path / 'cold.db'}"
    for path in paths:
        known_producers(warehouse(cold_url)).clear()
        run_files(cold_url, [path], tmp_path / "cold")
    assert _review_pairs(warehouse(cold_url)) == warm


def test_only_the_recently_used_blocks_are_kept_and_an_evicted_one_is_read_again(
    warehouse_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ocop_etl.load import known_producers as cache_module

    monkeypatch.setattr(cache_module, "MAX_BLOCKS", 1)
    first = _report(tmp_path / "in" / "a_2020.xlsx", 2020, ["HTX Mây tre Bao La"])
    run_files(warehouse_url, [first], tmp_path)
    engine = warehouse(warehouse_url)
    block = _block_of_quang_nam(engine)
    cache = known_producers(engine)
    # Another province's file pushes Quảng Nam's block out of the one-block cache …
    other = _other_connection(warehouse_url)
    _add_producer(other, "HTX Chè Tân Cương", block="zz-other")
    other.dispose()
    with engine.connect() as conn:
        cache.refresh(conn, ["zz-other"])
        assert set(cache.refresh(conn, ["zz-other"])) == {"zz-other"}
    assert block not in cache._blocks

    # … and the next Quảng Nam file reads it again in full: its near match is still found.
    second = _report(tmp_path / "in" / "a_2021.xlsx", 2021, ["HTX Mây tre đan Bao La"])
    (outcome,) = run_files(warehouse_url, [second], tmp_path)
    assert outcome.status == "loaded"
    assert ("HTX Mây tre đan Bao La", "HTX Mây tre Bao La") in _review_pairs(engine)
    assert list(cache._blocks) == [block]


def _commit_between_look_ahead_and_transaction(
    monkeypatch: pytest.MonkeyPatch, url: str, name: str
) -> None:
    """Another process commits producer ``name`` after the loader read the warehouse for the
    file (its look-ahead, outside the transaction) and before the file's transaction."""
    real = loader._look_ahead

    def look_ahead_then_commit(*args: Any, **kwargs: Any) -> Any:
        ahead = real(*args, **kwargs)
        engine = warehouse(url)
        other = _other_connection(url)
        _add_producer(other, name, block=_block_of_quang_nam(engine))
        other.dispose()
        monkeypatch.setattr(loader, "_look_ahead", real)  # once
        return ahead

    monkeypatch.setattr(loader, "_look_ahead", look_ahead_then_commit)


def _second_file_with_a_commit_in_between(
    url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *, committed: str, written: str
) -> Any:
    """A warm block; then a file with producer ``written`` while another process commits
    producer ``committed`` between the file's look-ahead and its transaction."""
    warm = _report(tmp_path / "in" / "a_2020.xlsx", 2020, ["HTX Nông nghiệp Quế Xuân 1"])
    run_files(url, [warm], tmp_path)
    _commit_between_look_ahead_and_transaction(monkeypatch, url, committed)
    second = _report(tmp_path / "in" / "a_2021.xlsx", 2021, [written])
    (outcome,) = run_files(url, [second], tmp_path)
    assert outcome.status == "loaded"
    return outcome


def test_a_producer_committed_just_before_the_files_transaction_is_a_candidate(
    warehouse_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The file is matched against the block before its transaction (so SQLite's write lock
    # is not held for it); what was committed in between must be matched too.
    _second_file_with_a_commit_in_between(
        warehouse_url,
        tmp_path,
        monkeypatch,
        committed="HTX Mây tre Bao La",
        written="HTX Mây tre đan Bao La",
    )
    assert _review_pairs(warehouse(warehouse_url)) == {
        ("HTX Mây tre đan Bao La", "HTX Mây tre Bao La")
    }


def test_the_same_producer_committed_just_before_the_files_transaction_is_not_created_twice(
    warehouse_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # New to the block when the file was read, existing by the time it is written.
    outcome = _second_file_with_a_commit_in_between(
        warehouse_url,
        tmp_path,
        monkeypatch,
        committed="HTX Mây tre Bao La",
        written="HTX Mây tre Bao La",
    )
    engine = warehouse(warehouse_url)
    producers = rows(
        engine,
        "SELECT p.producer_id, p.first_file_id FROM dim_producer p"
        " WHERE p.display_name = 'HTX Mây tre Bao La'",
    )
    assert len(producers) == 1
    assert producers[0]["first_file_id"] is None  # the other process's row, not a new one
    fact = rows(
        engine, "SELECT producer_id FROM fct_recognition WHERE file_id = :f", f=outcome.file_id
    )
    assert [r["producer_id"] for r in fact] == [producers[0]["producer_id"]]
    assert _review_pairs(engine) == set()


def test_a_blocks_new_producers_are_read_by_id_range_not_by_reading_the_block(
    warehouse_url: str,
) -> None:
    # Twice per file the cache asks for its blocks' producers above the last id it has seen.
    # Answered by reading the whole block (the only index on block_key was the unique one
    # with key_exact), it cost 0.32 ms for a 3,135-producer block after a 700-file backfill
    # and grew with the warehouse.
    engine = warehouse(warehouse_url)
    insert = (
        "INSERT INTO dim_producer (block_key, key_exact, key_loose, display_name, producer_type)"
        " SELECT {block}, 'htx ' || n, 'htx ' || n, 'HTX ' || n, 'cooperative' FROM {source}"
    )
    with engine.begin() as conn:
        # Block 49 first, then other provinces' producers: higher ids, as in a backfill.
        conn.execute(text(insert.format(block="'49'", source=numbers(engine, 5000))))
        others = insert.format(block="CAST(n % 30 AS TEXT)", source=numbers(engine, 20000))
        conn.execute(text(others))
        conn.execute(text("ANALYZE"))
    cache = known_producers(engine)
    cache.clear()  # as in a new process
    with engine.connect() as conn:
        cache.refresh(conn, ["49"])  # the whole block, once
    new_id = _add_producer(_other_connection(warehouse_url), "HTX Mới", block="49")
    with (
        statements_sent(engine, lambda statement: "producer_id >" in statement) as sent,
        engine.connect() as conn,
    ):
        block = cache.refresh(conn, ["49"])["49"]

    assert len(block.producer_ids) == 5001 and block.producer_ids[-1] == new_id
    assert sent
    with engine.connect() as conn:
        for statement, parameters in sent:
            plan = query_plan(conn, statement, parameters)
            if engine.dialect.name == "postgresql":
                assert [line for line in plan if "ix_dim_producer_block_key_producer_id" in line]
            else:
                assert [
                    line
                    for line in plan
                    if "ix_dim_producer_block_key_producer_id (block_key=? AND producer_id>?)"
                    in line
                ], plan


def test_a_files_blocks_are_counted_before_its_transaction_only_on_postgresql(
    warehouse_url: str, tmp_path: Path
) -> None:
    # The count-and-sum check reads every row of a block (0.22 ms a file on SQLite at 700
    # files, growing with the warehouse). On SQLite, where ids are handed out and committed
    # in order under one lock, only the transaction's own refresh needs it; on PostgreSQL the
    # look-ahead checks too, so a late commit is re-read before the transaction, not in it.
    first = _report(tmp_path / "in" / "a_2020.xlsx", 2020, ["HTX Nông nghiệp Quế Xuân 1"])
    run_files(warehouse_url, [first], tmp_path)
    engine = warehouse(warehouse_url)
    second = _report(tmp_path / "in" / "a_2021.xlsx", 2021, ["HTX Mây tre đan Bao La"])
    with statements_sent(engine, lambda s: "COUNT(*), SUM(producer_id)" in s) as counted:
        (outcome,) = run_files(warehouse_url, [second], tmp_path)

    assert outcome.status == "loaded"
    assert len(counted) == (1 if engine.dialect.name == "sqlite" else 2)
