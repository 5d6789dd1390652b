"""Hand-built hostile workbooks (raw OOXML parts, so every byte is under the test's control)."""

from __future__ import annotations

import os
import zipfile
from collections.abc import Iterable
from pathlib import Path

_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"

# Billion laughs: 10^9 "lol"s (3 GB) if anything expanded it.
LAUGHS_DTD = (
    '<!DOCTYPE lolz [<!ENTITY lol0 "lol">'
    + "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
    + "]>"
)


def inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'


def table(rows: int = 3) -> str:
    """A minimal OCOP table: header + ``rows`` products (enough for the extractor)."""
    out = '<row r="1">' + inline("A1", "STT") + inline("B1", "Tên sản phẩm") + inline(
        "C1", "Hạng sao"
    ) + "</row>"
    for r in range(2, rows + 2):
        out += (
            f'<row r="{r}"><c r="A{r}"><v>{r - 1}</v></c>'
            + inline(f"B{r}", f"Sản phẩm {r}")
            + inline(f"C{r}", "4 sao")
            + "</row>"
        )
    return out


def write_xlsx(
    path: Path,
    sheets: list[tuple[str, str | Iterable[bytes]]],
    *,
    shared_strings: str | None = None,
    workbook_prolog: str = "",
    level: int = 6,
    extra: dict[str, bytes] | None = None,
) -> Path:
    """An .xlsx from raw sheetData bodies (a string or chunks of bytes, streamed)."""
    n = len(sheets)
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i + 1}.xml" '
        f'ContentType="{_CT}.worksheet+xml"/>'
        for i in range(n)
    )
    if shared_strings is not None:
        overrides += (
            f'<Override PartName="/xl/sharedStrings.xml" ContentType="{_CT}.sharedStrings+xml"/>'
        )
    content_types = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{_CT}.sheet.main+xml"/>'
        f"{overrides}</Types>"
    )
    root_rels = (
        f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_PKG}">'
        f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>"
    )
    names = "".join(
        f'<sheet name="{name}" sheetId="{i + 1}" r:id="rId{i + 1}"/>'
        for i, (name, _) in enumerate(sheets)
    )
    workbook = (
        f'<?xml version="1.0" encoding="UTF-8"?>{workbook_prolog}'
        f'<workbook xmlns="{_NS}" xmlns:r="{_REL}"><sheets>{names}</sheets></workbook>'
    )
    rels = "".join(
        f'<Relationship Id="rId{i + 1}" Type="{_REL}/worksheet" '
        f'Target="worksheets/sheet{i + 1}.xml"/>'
        for i in range(n)
    )
    if shared_strings is not None:
        rels += (
            f'<Relationship Id="rId{n + 1}" Type="{_REL}/sharedStrings" '
            'Target="sharedStrings.xml"/>'
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as z:
        z.writestr("[Content_Types].xml", content_types)
        z.writestr("_rels/.rels", root_rels)
        z.writestr("xl/workbook.xml", workbook)
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_PKG}">{rels}'
            "</Relationships>",
        )
        if shared_strings is not None:
            z.writestr("xl/sharedStrings.xml", shared_strings)
        for i, (_, body) in enumerate(sheets):
            with z.open(f"xl/worksheets/sheet{i + 1}.xml", "w", force_zip64=True) as fh:
                fh.write(
                    f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{_NS}">'
                    "<sheetData>".encode()
                )
                if isinstance(body, str):
                    fh.write(body.encode())
                else:
                    for chunk in body:
                        fh.write(chunk)
                fh.write(b"</sheetData></worksheet>")
        for name, data in (extra or {}).items():
            z.writestr(zipfile.ZipInfo(name), data, compress_type=zipfile.ZIP_STORED)
    return path


def zip_bomb(path: Path, megabytes: int) -> Path:
    """A sheet part padded with ``megabytes`` MB of whitespace (compresses ~1000:1)."""

    def body() -> Iterable[bytes]:
        yield table().encode()
        pad = b" " * (1 << 20)
        for _ in range(megabytes):
            yield pad

    return write_xlsx(path, [("DS", body())], level=9)


def million_formatted_rows(path: Path) -> Path:
    """A real table, then formatted but empty cells down to Excel's last row (1,048,576)."""

    def body() -> Iterable[bytes]:
        yield table().encode()
        batch = []
        for r in range(100, 1_048_577):
            batch.append(
                f'<row r="{r}" s="1" customFormat="1"><c r="A{r}" s="1"/><c r="B{r}" s="1"/>'
                f'<c r="C{r}" s="1"/></row>'
            )
            if len(batch) == 20_000:
                yield "".join(batch).encode()
                batch = []
        yield "".join(batch).encode()

    return write_xlsx(path, [("DS", body())], level=1)


def shared_string_bomb(path: Path, *, text_chars: int, cells: int) -> Path:
    """One long shared string referenced by ``cells`` cells (calamine copies it into each)."""
    sst = (
        f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{_NS}" count="1" uniqueCount="1">'
        f"<si><t>{'x' * text_chars}</t></si></sst>"
    )

    def body() -> Iterable[bytes]:
        yield table().encode()
        for r in range(10, 10 + cells // 10):
            cols = "DEFGHIJKLM"
            yield (
                f'<row r="{r}">' + "".join(f'<c r="{c}{r}" t="s"><v>0</v></c>' for c in cols)
                + "</row>"
            ).encode()

    return write_xlsx(path, [("DS", body())], shared_strings=sst)


def laughs_in_shared_strings(path: Path) -> Path:
    sst = (
        f'<?xml version="1.0" encoding="UTF-8"?>{LAUGHS_DTD}<sst xmlns="{_NS}">'
        "<si><t>&lol9;</t></si></sst>"
    )
    return write_xlsx(
        path, [("DS", table() + '<row r="9"><c r="B9" t="s"><v>0</v></c></row>')],
        shared_strings=sst,
    )


def laughs_in_workbook(path: Path) -> Path:
    return write_xlsx(path, [("&lol9;", table())], workbook_prolog=LAUGHS_DTD)


def big_file(path: Path, megabytes: int) -> Path:
    """A valid workbook made ``megabytes`` MB large by an incompressible stored part."""
    return write_xlsx(
        path, [("DS", table())], extra={"xl/media/image1.bin": os.urandom(megabytes << 20)}
    )
