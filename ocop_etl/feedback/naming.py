"""The feedback workbook's file name, derived from the district's (untrusted) file name."""

from __future__ import annotations

import re
import unicodedata

FEEDBACK_SUFFIX = ".loi.xlsx"
MAX_STEM_CHARS = 120
FALLBACK_STEM = "bao-cao"

# Characters Windows forbids in file names, plus every control character: the name comes from a
# district's e-mail attachment and the feedback folder is often a Windows share.
_FORBIDDEN = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')
_WINDOWS_RESERVED = {
    "con", "prn", "aux", "nul",
    *(f"com{i}" for i in range(1, 10)),
    *(f"lpt{i}" for i in range(1, 10)),
}
_KNOWN_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")


def feedback_file_name(display_name: str) -> str:
    """``"Báo cáo OCOP.xlsx"`` → ``"Báo cáo OCOP.loi.xlsx"``, safe to create in any folder.

    Only the last path component is kept (a name like ``../../etc/x`` must not escape the
    feedback folder), forbidden characters become ``_``, leading dots/spaces are dropped (no
    hidden or relative names) and the stem is capped so the full path stays under OS limits.
    """
    name = unicodedata.normalize("NFC", display_name)
    name = re.split(r"[/\\]", name)[-1]
    lowered = name.casefold()
    for suffix in _KNOWN_SUFFIXES:
        if lowered.endswith(suffix):
            name = name[: -len(suffix)]
            break
    stem = _FORBIDDEN.sub("_", name).strip().lstrip(". ").rstrip(". ")
    stem = stem[:MAX_STEM_CHARS].rstrip(". ")
    if not stem:
        stem = FALLBACK_STEM
    if stem.split(".")[0].casefold() in _WINDOWS_RESERVED:
        stem = "_" + stem
    return stem + FEEDBACK_SUFFIX
