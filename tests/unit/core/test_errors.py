"""The error tree's values survive a trip between processes (worker processes pickle them)."""

from __future__ import annotations

import pickle

from ocop_etl.errors import FileRejected, OcopEtlError, StorageError, TransientError


def test_a_rejection_keeps_its_code_context_and_both_messages_across_processes() -> None:
    rejection = FileRejected("file.no_star_column", sheet="Danh sách")
    back = pickle.loads(pickle.dumps(rejection))
    assert isinstance(back, FileRejected) and isinstance(back, OcopEtlError)
    assert (back.code, back.context) == ("file.no_star_column", {"sheet": "Danh sách"})
    assert (back.message_en, back.message_vi, str(back)) == (
        rejection.message_en,
        rejection.message_vi,
        str(rejection),
    )


def test_operational_errors_keep_their_message_across_processes() -> None:
    for error in (TransientError("Warehouse unreachable"), StorageError("disk full")):
        back = pickle.loads(pickle.dumps(error))
        assert type(back) is type(error) and str(back) == str(error)
