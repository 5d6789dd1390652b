"""Save an openpyxl workbook so that the same content gives the same bytes.

``openpyxl.Workbook.save`` stamps docProps/core.xml with ``datetime.now()`` and ``zipfile``
stamps every member with the wall clock, so two runs with one seed would differ. Tests (and
anyone diffing a regenerated sample set) need byte-identical files, hence this small copy of
``openpyxl.writer.excel.save_workbook`` with fixed timestamps.
"""

from __future__ import annotations

import zipfile
from datetime import datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.writer.excel import ExcelWriter

# Any fixed instant works; this one is inside the programme's life so it looks plausible.
FIXED_TIMESTAMP = datetime(2024, 1, 1, 8, 0, 0)
_ZIP_TIME = FIXED_TIMESTAMP.timetuple()[:6]


class _FixedTimeZipFile(zipfile.ZipFile):
    """ZipFile whose members all carry ``FIXED_TIMESTAMP`` instead of the current time."""

    def writestr(self, zinfo_or_arcname: Any, data: Any,
                 compress_type: int | None = None, compresslevel: int | None = None) -> None:
        if isinstance(zinfo_or_arcname, str):
            info = zipfile.ZipInfo(zinfo_or_arcname, date_time=_ZIP_TIME)
            info.compress_type = self.compression
            info.external_attr = 0o600 << 16  # regular file, rw-------: as zipfile's default
            zinfo_or_arcname = info
        super().writestr(zinfo_or_arcname, data, compress_type, compresslevel)

    def write(self, filename: Any, arcname: Any = None,
              compress_type: int | None = None, compresslevel: int | None = None) -> None:
        # openpyxl streams worksheets to temporary files and adds them with write(), which
        # would copy the temp file's mtime; route them through writestr instead.
        data = Path(filename).read_bytes()
        self.writestr(arcname or Path(filename).name, data, compress_type, compresslevel)


def save_stable(workbook: Workbook, path: Path) -> None:
    """Write ``workbook`` to ``path`` with fixed document and archive timestamps."""
    workbook.properties.created = FIXED_TIMESTAMP
    workbook.properties.modified = FIXED_TIMESTAMP
    with _FixedTimeZipFile(path, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        ExcelWriter(workbook, archive).save()
