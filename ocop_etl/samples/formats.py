"""How stars, scores, dates and decisions are written in the cells (vietnamese-text.md §4).

Each function turns a ground-truth value into one of the spellings real reports use, so the
parsers downstream meet "4 SAO", "★★★★", "72,5" as text and day-first "29/12/2022" strings.
"""

from __future__ import annotations

import random
from datetime import date

# Star styles; "{n}" is the star count. "black" repeats ★ instead.
STAR_STYLES = ("number", "{n} sao", "{n} SAO", "{n}*", "black", "Hạng {n} sao", "Đạt {n} sao")
POTENTIAL_FIVE_STAR = ("5 sao (tiềm năng)", "Tiềm năng 5 sao")
SCORE_STYLES = ("comma_text", "number", "mixed")


def star_cell(stars: int, style: str) -> int | str:
    """The star cell for ``stars`` in ``style``.

    Out-of-range counts (fault rows, e.g. 13) fall back to "13 sao": thirteen ★ is not a
    mistake anyone makes, "13 sao" (a typo for "3 sao") is.
    """
    if style == "number":
        return stars
    if style == "black":
        return "★" * stars if 1 <= stars <= 5 else f"{stars} sao"
    return style.format(n=stars)


def score_cell(score: float, style: str, rng: random.Random) -> float | int | str:
    """The score cell: a number, or text with a decimal comma ("72,5")."""
    if style == "mixed":
        style = rng.choice(("comma_text", "number"))
    if style == "number":
        return int(score) if score.is_integer() else score
    text = f"{score:g}" if score.is_integer() else f"{score}"
    return text.replace(".", ",")


def draw_score(rng: random.Random, low: float, high: float, *, inclusive: bool = False) -> float:
    """A score in [low, high) (or [low, high] if ``inclusive``) with 0-2 decimals.

    Drawn on the grid of the chosen precision so a rounded value never crosses a band edge
    (69.996 must not become 70.0, a 4-star score).
    """
    decimals = rng.choice((0, 1, 1, 2))
    scale = 10**decimals
    hi = int(high * scale) + (1 if inclusive else 0)
    return rng.randrange(int(low * scale), hi) / scale


def date_text(d: date, padded: bool) -> str:
    """Day-first text date: "29/12/2022", or unpadded "9/12/2020" as some officers type it."""
    if padded:
        return f"{d.day:02d}/{d.month:02d}/{d.year}"
    return f"{d.day}/{d.month}/{d.year}"


def decision_cell(number: str, d: date, padded: bool, rng: random.Random) -> str:
    """Number and date in one cell: "QĐ số 3610/QĐ-UBND ngày 29/12/2022"."""
    pattern = rng.choice(("QĐ số {no} ngày {d}", "Quyết định số {no} ngày {d}", "{no} ngày {d}"))
    return pattern.format(no=number, d=date_text(d, padded))


def decision_title_line(number: str, d: date, issuer: str) -> str:
    """The line under the title naming the decision the list is attached to."""
    return f"(Kèm theo Quyết định số {number} ngày {date_text(d, True)} của {issuer})"


def long_date(place: str, d: date) -> str:
    """Place-and-date line above a signature: "Thăng Bình, ngày 30 tháng 12 năm 2022"."""
    return f"{place}, ngày {d.day:02d} tháng {d.month:02d} năm {d.year}"
