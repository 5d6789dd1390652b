"""What kind of file arrived, decided from its bytes before any spreadsheet library sees it.

Districts rename files freely (an ``.xls`` saved as ``.xlsx``, a "Save as" that kept the old
name), so the suffix only decides whether we accept the file at all; the container format is
read from the magic bytes. An Excel workbook encrypted with a password ("File > Info > Protect
Workbook > Encrypt") is no longer a ZIP but an OLE2 compound file holding the streams
``EncryptionInfo`` and ``EncryptedPackage``; spreadsheet readers only say "cannot detect file
format", so we look for that stream ourselves to tell the district the real reason.
"""

from __future__ import annotations

import struct
from enum import Enum

from ocop_etl.errors import FileRejected

SUPPORTED_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xls", ".ods"})

_OLE2_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
_ZIP_MAGIC = b"PK\x03\x04"
_ENCRYPTION_STREAMS = frozenset({"EncryptionInfo", "EncryptedPackage"})

# Sector ids above this mean end-of-chain, free or FAT/DIFAT sectors in the compound-file FAT.
_MAX_REGULAR_SECTOR = 0xFFFFFFFA


class Container(Enum):
    """The container a workbook comes in; decides which library can read cell fonts."""

    OOXML = "ooxml"  # .xlsx / .xlsm (ZIP with xl/workbook.xml)
    ODS = "ods"  # OpenDocument (ZIP with a mimetype entry)
    XLS = "xls"  # BIFF in an OLE2 compound file


def check_suffix(suffix: str) -> None:
    """Reject files whose type we do not read at all (.csv, .pdf, .docx …)."""
    if suffix.lower() not in SUPPORTED_SUFFIXES:
        raise FileRejected("file.unsupported_format", suffix=suffix or "(none)")


def sniff_container(data: bytes) -> Container:
    """Tell the container from the first bytes; reject empty, foreign and encrypted files."""
    if not data:
        raise FileRejected("file.unreadable", detail="empty file")
    if data.startswith(_ZIP_MAGIC):
        # ODS stores an uncompressed "mimetype" entry first; its value sits right after it.
        head = data[:200]
        if b"mimetype" in head and b"opendocument.spreadsheet" in head:
            return Container.ODS
        return Container.OOXML
    if data.startswith(_OLE2_MAGIC):
        if _ENCRYPTION_STREAMS & set(ole2_stream_names(data)):
            raise FileRejected("file.password_protected")
        return Container.XLS
    raise FileRejected("file.unreadable", detail="not a spreadsheet file")


def ole2_stream_names(data: bytes) -> list[str]:
    """Names of the directory entries of an OLE2 compound file (MS-CFB), [] if malformed.

    Only the directory is walked (header → FAT → directory sector chain); a damaged file gives
    an empty list and is then reported unreadable by the spreadsheet reader.
    """
    if len(data) < 512:
        return []
    sector_size = 1 << struct.unpack_from("<H", data, 0x1E)[0]
    first_dir_sector = struct.unpack_from("<I", data, 0x30)[0]
    fat_sector_ids = [
        s for s in struct.unpack_from("<109I", data, 0x4C) if s <= _MAX_REGULAR_SECTOR
    ]
    fat: list[int] = []
    for sid in fat_sector_ids:
        start = (sid + 1) * sector_size
        chunk = data[start : start + sector_size]
        if len(chunk) < sector_size:
            return []
        fat.extend(struct.unpack(f"<{sector_size // 4}I", chunk))
    names: list[str] = []
    sid, seen = first_dir_sector, set()
    while sid <= _MAX_REGULAR_SECTOR and sid not in seen and sid < len(fat):
        seen.add(sid)
        start = (sid + 1) * sector_size
        sector = data[start : start + sector_size]
        for off in range(0, len(sector) - 127, 128):
            name_len = struct.unpack_from("<H", sector, off + 0x40)[0]
            if 2 <= name_len <= 64:
                raw = sector[off : off + name_len - 2]  # length counts the UTF-16 NUL
                names.append(raw.decode("utf-16-le", errors="replace"))
        sid = fat[sid]  # END_OF_CHAIN (and free/FAT markers) are above the regular range
    return names
