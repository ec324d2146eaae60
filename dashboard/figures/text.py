"""Room for labels, reserved up front: Plotly's automargin draws a figure a second time when its
tick labels or legend need more room than the layout's margins give (every chart here did: 30-250 px
on one side), and a drawing costs 30-500 ms of the browser's time. A builder that knows its labels
(category axes, legend entries) reserves that room itself; automargin stays on for what it cannot
know (numeric ticks, a narrow screen), so a short estimate only costs the second drawing again.

Widths are those of the dashboard's font (Lato Regular, vendored under assets/), measured in Chromium.
"""
from __future__ import annotations

import math
from typing import Iterable

# Advance widths of Lato Regular, in thousandths of the font size, for " " (32) to "~" (126).
_ASCII = (193, 343, 397, 580, 580, 786, 703, 230, 300, 300, 400, 580, 212, 347, 212, 373, 580, 580, 580, 580, 580, 580,
          580, 580, 580, 580, 252, 252, 580, 580, 580, 398, 822, 680, 647, 685, 753, 581, 566, 734, 756, 307, 444, 681,
          514, 920, 756, 798, 611, 798, 644, 530, 590, 730, 680, 1019, 643, 629, 624, 300, 375, 300, 580, 394, 307, 507,
          559, 467, 559, 524, 337, 511, 556, 256, 254, 524, 256, 821, 556, 556, 552, 559, 403, 434, 373, 556, 512, 766,
          504, 512, 462, 300, 300, 300, 580)
_WIDTHS = {chr(32 + i): w for i, w in enumerate(_ASCII)} | {
    "·": 273, "É": 581, "á": 507, "ä": 507, "ç": 467, "è": 524, "é": 524, "í": 256, "ñ": 556, "ó": 556, "ö": 556,
    "ú": 556, "ü": 556, "–": 556, "—": 821, "’": 212, "…": 727, "→": 1000}
_OTHER = 650  # a character not in the table (a fallback font may draw it): wider than most
SPARE = 1.03  # rendering at small sizes (hinting, kerning) draws up to ~3 % wider than the sum of widths
TICK_PAD = 10  # px between the plot area and a y tick label's far end (Plotly: 9, plus 1 to spare)
LEGEND_PAD = 55  # px of a vertical legend besides its widest entry (symbol, gaps; Plotly: 54)
TICK_SIZE = LEGEND_SIZE = 11  # the template's tick and legend font sizes (theme.py)


def text_width(text: str, size: float = TICK_SIZE) -> float:
    """Width in px of `text` in the dashboard's font at `size` px."""
    return sum(_WIDTHS.get(ch, 1000 if ord(ch) >= 0x2E80 else _OTHER) for ch in str(text)) * size * SPARE / 1000


def label_margin(labels: Iterable, *, size: float = TICK_SIZE, suffix: str = "", minimum: int = 8) -> int:
    """The left margin that holds y tick labels `labels` (each followed by the axis' `suffix`)."""
    widest = max((text_width(f"{label}{suffix}", size) for label in labels), default=0.0)
    return max(minimum, math.ceil(widest + TICK_PAD)) if widest else minimum


def legend_margin(names: Iterable, *, size: float = LEGEND_SIZE, minimum: int = 8) -> int:
    """The right margin that holds a vertical legend of `names` beside the plot."""
    widest = max((text_width(name, size) for name in names), default=0.0)
    return max(minimum, math.ceil(widest + LEGEND_PAD)) if widest else minimum
