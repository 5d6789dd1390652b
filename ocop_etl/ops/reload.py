"""Which files an operator's reload means: by path, by content hash, or by unit and period.

Reloads read the archived copy (``ledger_file.archive_path``) when they go by hash or by unit,
so a district's original upload need not still be in the inbox.
"""

from __future__ import annotations

import shutil
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, and_, or_, select

from ocop_etl.errors import OcopEtlError, StorageError
from ocop_etl.load import tables as t


class ReloadNotFound(OcopEtlError):
    """Raised when a reload request matches no file (a wrong hash, unit or period)."""


@dataclass(frozen=True)
class ReloadRequest:
    """Exactly one way of naming the files: ``path``, ``content_hash``, or unit + period."""

    path: str | None = None
    content_hash: str | None = None
    province: str | None = None
    district: str | None = None
    period_year: int | None = None

    def describe(self) -> str:
        if self.path:
            return self.path
        if self.content_hash:
            return f"hash {self.content_hash[:12]}"
        unit = ", ".join(p for p in (self.district, self.province) if p)
        return f"{unit} {self.period_year}"

    def check(self) -> None:
        ways = [bool(self.path), bool(self.content_hash), bool(self.province)]
        if sum(ways) != 1:
            raise ReloadNotFound(
                "Give exactly one of: path, content_hash, or province (+ district) and period_year"
            )
        if self.province and self.period_year is None:
            raise ReloadNotFound("A reload by reporting unit needs period_year too")


def _key(name: str | None) -> str:
    """Compare unit names without case, accents-as-typed or prefixes ("Tỉnh", "Huyện")."""
    text = unicodedata.normalize("NFC", (name or "").strip()).casefold()
    for prefix in ("thành phố ", "tỉnh ", "huyện ", "thị xã ", "quận ", "tp. ", "tp "):
        if text.startswith(prefix):
            return text[len(prefix) :].strip()
    return text


def files_to_reload(
    engine: Engine, request: ReloadRequest, staging_dir: Path | None = None
) -> list[Path]:
    """The local files to process again for ``request``. Raises ReloadNotFound.

    With ``staging_dir``, an archived copy is given back its submitted name
    (``staging_dir/<sha256>/<name>``): districts' feedback and the ledger show their own name,
    not the archive's hash.
    """
    request.check()
    if request.path:
        path = Path(request.path)
        if not path.exists():
            raise ReloadNotFound(f"{path} does not exist on this machine")
        return [path]
    f = t.ledger_file.c
    # Official unit names by code, for files whose title did not spell the province out.
    prov = t.dim_admin_unit.alias("prov")
    dist = t.dim_admin_unit.alias("dist")
    query = (
        select(
            f.file_id,
            f.status,
            f.byte_sha256,
            f.archive_path,
            f.source_file,
            f.reporting_province,
            f.reporting_province_code,
            f.reporting_district,
            f.reporting_district_code,
            prov.c.name.label("province_name"),
            dist.c.name.label("district_name"),
        )
        .select_from(f.file_id.table)
        .outerjoin(
            prov,
            and_(
                prov.c.scheme == "pre2025",
                prov.c.level == "province",
                prov.c.code == f.reporting_province_code,
            ),
        )
        .outerjoin(
            dist,
            and_(
                dist.c.scheme == "pre2025",
                dist.c.level == "district",
                dist.c.code == f.reporting_district_code,
            ),
        )
        .where(f.archive_path.is_not(None))
    )
    if request.content_hash:
        h = request.content_hash.strip().lower()
        query = query.where(or_(f.byte_sha256 == h, f.content_sha256 == h))
    else:
        query = query.where(f.period_year == request.period_year)
    with engine.connect() as conn:
        rows = conn.execute(query.order_by(f.file_id.desc())).all()
    if request.province:
        wanted_p, wanted_d = _key(request.province), _key(request.district)
        rows = [
            r
            for r in rows
            if wanted_p
            in (_key(r.reporting_province), _key(r.reporting_province_code), _key(r.province_name))
            and (
                not request.district
                or wanted_d
                in (
                    _key(r.reporting_district),
                    _key(r.reporting_district_code),
                    _key(r.district_name),
                )
            )
        ]
        # The unit's current submission(s) if it has one, not every file it ever sent.
        current = [r for r in rows if r.status == "loaded"]
        rows = current or rows[:1]
    paths: list[Path] = []
    seen: set[str] = set()
    for r in rows:
        if r.byte_sha256 in seen:
            continue
        seen.add(r.byte_sha256)
        path = Path(r.archive_path)
        if not path.exists():
            raise ReloadNotFound(f"The archived copy {path} is missing (file_id {r.file_id})")
        paths.append(_named_copy(path, r.byte_sha256, r.source_file, staging_dir))
    if not paths:
        raise ReloadNotFound(f"No archived file matches {request.describe()}")
    return paths


def _named_copy(archived: Path, sha: str, name: str, staging_dir: Path | None) -> Path:
    if staging_dir is None:
        return archived
    target = staging_dir / sha / Path(name).name
    if not target.exists():
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(archived, target)
        except OSError as exc:
            raise StorageError(f"Cannot stage {archived} in {staging_dir}: {exc}") from exc
    return target


__all__ = ["ReloadNotFound", "ReloadRequest", "files_to_reload"]
