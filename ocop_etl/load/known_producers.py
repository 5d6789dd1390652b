"""The producers already in each province block, kept parsed and indexed, once per process.

A file's new producers are compared with every producer already in their block, to queue
near matches for review. Reading and re-parsing the whole block for every file made loading
slower as the warehouse grew. This cache keeps each block's producers in the form the matcher
needs (a ``CandidateIndex``) and asks the database only for what it has not seen yet: the
rows with a higher ``producer_id`` than the last one seen.

"Higher id than seen" alone could miss a row for good: an id is handed out when a row is
inserted, not when it commits, so on PostgreSQL a concurrent run may commit producer 100
after we have already seen 101. So each refresh also asks for the block's row count and id
sum; when they disagree with the cache (a late commit, a database re-created under the same
URL) the block is read again in full. Missing a review candidate is thus impossible, not
merely unlikely.

The cache only ever holds committed producers: the loader refreshes it before the file
inserts its own, and a database read sees other transactions' rows only once committed. A
file that rolls back therefore leaves nothing behind here either.

Memory stays bounded: only the ``MAX_BLOCKS`` most recently used blocks are kept (a run's
files come province by province); a block needed again after eviction is read in full, like
the first time.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import Connection, Engine

from ocop_etl.load.bulk import fetch_all, placeholders
from ocop_etl.transforms.producers import CandidateIndex, ProducerName, parse_producer

# The SQL below is assembled only from parameter markers ("?" or "%s"); values are parameters.

# Blocks kept per process: a worker loads a run's files a batch at a time, mostly from one or
# two provinces; 16 blocks of a national backfill's largest provinces stay well under 100 MB.
MAX_BLOCKS = 16


@dataclass(frozen=True)
class NearMatch:
    """``new[new_index]`` may be the existing producer ``candidate_producer_id``."""

    new_index: int
    candidate_producer_id: int
    score: float
    method: str


@dataclass
class Block:
    """One province block's producers as the cache knows them."""

    index: CandidateIndex = field(default_factory=CandidateIndex)
    producer_ids: list[int] = field(default_factory=list)  # parallel to index.producers
    id_of_key: dict[str, int] = field(default_factory=dict)  # key_exact → producer_id
    last_id: int = 0
    id_sum: int = 0

    def add(self, producer_id: int, key_exact: str, display_name: str) -> None:
        # The display name is re-parsed: that gives the matcher every part of the name
        # (core, legal form, brand); the stored keys alone do not.
        self.index.add([parse_producer(display_name)])
        self.producer_ids.append(producer_id)
        self.id_of_key[key_exact] = producer_id
        self.last_id = max(self.last_id, producer_id)
        self.id_sum += producer_id


class KnownProducers:
    """The producers of the blocks this process has loaded into, for one warehouse."""

    def __init__(self) -> None:
        self._blocks: OrderedDict[str, Block] = OrderedDict()  # least recently used first
        # Task threads of one process share the cache. The lock is held only while reading
        # (never waiting on another transaction's locks: MVCC / WAL readers) or computing.
        self._lock = threading.Lock()

    def refresh(
        self, conn: Connection, blocks: Sequence[str], *, verify: bool = True
    ) -> dict[str, Block]:
        """The blocks, brought up to date with what is committed in the database.

        ``verify=False`` skips the count-and-sum check (one query that reads every row of the
        blocks): the blocks may then miss a late commit. Only for a guess that a verified
        refresh follows, as the loader's look-ahead is followed by its transaction's.
        """
        with self._lock:
            found = {b: self._blocks.setdefault(b, Block()) for b in blocks}
            for b in blocks:
                self._blocks.move_to_end(b)
            while len(self._blocks) > max(MAX_BLOCKS, len(blocks)):
                self._blocks.popitem(last=False)
            since = min(block.last_id for block in found.values())
            for producer_id, block_key, key_exact, name in fetch_all(
                conn,
                "SELECT producer_id, block_key, key_exact, display_name FROM dim_producer"  # noqa: S608
                f" WHERE block_key IN ({placeholders(conn, len(blocks))})"
                f" AND producer_id > {placeholders(conn, 1)} ORDER BY producer_id",
                [*blocks, since],
            ):
                block = found[block_key]
                if producer_id > block.last_id:  # blocks seen up to different ids
                    block.add(int(producer_id), key_exact, name)
            for block_key, count, id_sum in self._counts(conn, blocks) if verify else ():
                block = found[block_key]
                if (len(block.producer_ids), block.id_sum) != (count, id_sum):
                    found[block_key] = self._blocks[block_key] = self._read(conn, block_key)
            return found

    def clear(self) -> None:
        """Forget every block: the next file reads its blocks in full, as a new process would."""
        with self._lock:
            self._blocks.clear()

    def near_matches(
        self, block: Block, new: Sequence[ProducerName], *, since: int = 0
    ) -> list[NearMatch]:
        """Review candidates among the block's producers for new producers (vetoes left out).

        ``since``: only among the producers the block gained after its first ``since`` (the
        loader matched a file against the block before its transaction, and now needs the
        producers committed in between). Candidates are every pair above the threshold, not
        a top few, so matches against the first ``since`` plus these are all of them.
        """
        with self._lock:
            index = block.index if since == 0 else CandidateIndex(block.index.producers[since:])
            return [
                NearMatch(
                    c.new_index, block.producer_ids[since + c.existing_index], c.score, c.method
                )
                for c in index.candidates(new)
            ]

    @staticmethod
    def _counts(conn: Connection, blocks: Sequence[str]) -> list[tuple[str, int, int]]:
        counted = {
            block_key: (int(count), int(id_sum or 0))
            for block_key, count, id_sum in fetch_all(
                conn,
                "SELECT block_key, COUNT(*), SUM(producer_id) FROM dim_producer"  # noqa: S608
                f" WHERE block_key IN ({placeholders(conn, len(blocks))})"
                " GROUP BY block_key",
                blocks,
            )
        }
        return [(b, *counted.get(b, (0, 0))) for b in blocks]

    @staticmethod
    def _read(conn: Connection, block_key: str) -> Block:
        block = Block()
        for producer_id, key_exact, name in fetch_all(
            conn,
            "SELECT producer_id, key_exact, display_name FROM dim_producer"  # noqa: S608
            f" WHERE block_key = {placeholders(conn, 1)} ORDER BY producer_id",
            [block_key],
        ):
            block.add(int(producer_id), key_exact, name)
        return block


_BY_ENGINE: weakref.WeakKeyDictionary[Engine, KnownProducers] = weakref.WeakKeyDictionary()
_BY_ENGINE_LOCK = threading.Lock()


def known_producers(engine: Engine) -> KnownProducers:
    """The cache of this warehouse (one per engine, i.e. per database URL and process)."""
    with _BY_ENGINE_LOCK:
        cache = _BY_ENGINE.get(engine)
        if cache is None:
            cache = _BY_ENGINE[engine] = KnownProducers()
        return cache
