"""Badge artwork for a competency (and level): an SVG of ours, and a PNG rendering of it.

The image names the competency, the level, the model and the issuer, so a baked badge still
says what it is when the credential inside is never read. Both renderings draw the same
layout: every line is wrapped at word boundaries and sized to fit the chord of the inner
ring at its height, so no name is cut mid-word and no line runs off the circle.
"""

from __future__ import annotations

import base64
import io
import math
from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL import Image, ImageFont

SIZE = 400
LOGO_BOX = (176, 38, 48)  # x, y and side of the square the issuer's logo is fitted into
CENTRE = SIZE / 2
RING = 172  # the inner white ring's radius
INSIDE = RING - 14  # every line's box stays within this radius of the centre
LEVEL_COLOURS = {  # AA contrast with white text on each
    None: "#1f4e79", "emerging": "#2e6930", "developing": "#1f5f8b",
    "proficient": "#6a3d9a", "advanced": "#8a3b12",
}
ELLIPSIS = "\u2026"


@dataclass(frozen=True)
class BadgeText:
    competency: str
    model: str
    issuer: str | None = None
    level: str | None = None  # emerging .. advanced; None for the competency itself
    logo: bytes | None = None  # the issuer's logo (PNG), drawn at the top of the badge


@dataclass(frozen=True)
class Line:
    """One line of text, centred on (CENTRE, y): y is the middle of the line's box."""

    text: str
    y: float
    size: int
    bold: bool = False
    spacing: float = 0  # extra space after each character (letter-spacing)

    @property
    def width(self) -> float:
        return text_width(self.text, self.size, self.bold) + self.spacing * len(self.text)

    @property
    def height(self) -> float:
        return self.size * 1.2


_NARROW = set("iIjlt.,:;'!|()[]{} -/")
_WIDE = set("mwMW@%")


def text_width(text: str, size: int, bold: bool = False) -> float:
    """A generous estimate of ``text``'s advance in DejaVu Sans (the widest of the fonts the
    SVG names), so a line that fits here fits in whichever of them a viewer has."""
    total = 0.0
    for char in text:
        if char in _NARROW:
            factor = 0.42
        elif char in _WIDE:
            factor = 1.12
        elif char.isupper() or char.isdigit():
            factor = 0.80
        else:
            factor = 0.66
        total += factor if bold else factor * 0.92
    return total * size


def room(y: float, height: float) -> float:
    """How wide a line whose box is centred at ``y`` may be and stay inside the ring."""
    reach = max(abs(y - height / 2 - CENTRE), abs(y + height / 2 - CENTRE))
    return 0.0 if reach >= INSIDE else 2 * math.sqrt(INSIDE ** 2 - reach ** 2)


def _wrap(words: list[str], widths: list[float], size: int, bold: bool) -> list[str] | None:
    """Words filled greedily into lines of the given widths; None when they do not fit."""
    lines: list[str] = []
    for word in words:
        if lines and text_width(f"{lines[-1]} {word}", size, bold) <= widths[len(lines) - 1]:
            lines[-1] = f"{lines[-1]} {word}"
        elif len(lines) < len(widths) and text_width(word, size, bold) <= widths[len(lines)]:
            lines.append(word)
        else:
            return None
    return lines


def fit(text: str, centre: float, sizes: tuple[int, ...], max_lines: int,
        bold: bool = False) -> list[Line]:
    """``text`` in as few lines as fit around ``centre``, at the largest size that fits;
    at the smallest size, the words that fit and an ellipsis (never a cut word)."""
    words = text.split() or [""]
    for size in sizes:
        for count in range(1, max_lines + 1):
            ys = [centre + (i - (count - 1) / 2) * size * 1.25 for i in range(count)]
            widths = [room(y, size * 1.2) for y in ys]
            lines = _wrap(words, widths, size, bold)
            if lines is not None and len(lines) == count:
                return [Line(line, y, size, bold) for line, y in zip(lines, ys, strict=True)]
    size = sizes[-1]
    ys = [centre + (i - (max_lines - 1) / 2) * size * 1.25 for i in range(max_lines)]
    widths = [room(y, size * 1.2) for y in ys]
    kept = list(words)
    while kept:
        kept.pop()
        attempt = [*kept[:-1], f"{kept[-1]}{ELLIPSIS}"] if kept else []
        lines = _wrap(attempt, widths, size, bold) if attempt else None
        if lines:
            return [Line(line, y, size, bold) for line, y in zip(lines, ys, strict=False)]
    first = words[0]  # one word wider than the badge: the only word ever shortened
    while len(first) > 1 and text_width(first + ELLIPSIS, size, bold) > widths[0]:
        first = first[:-1]
    return [Line(first + ELLIPSIS, ys[0], size, bold)]


def layout(text: BadgeText) -> list[Line]:
    """Every line of the badge, in drawing order: level, competency, model, issuer."""
    level = (text.level.capitalize() if text.level else "Competency").upper()
    lines = [Line(level, 95, 18, spacing=2)]
    lines += fit(text.competency, 172, (24, 22, 20, 18, 16), 4, bold=True)
    lines += fit(text.model, 272, (13, 12, 11), 2)
    if text.issuer:
        lines += fit(text.issuer, 318, (14, 13, 12), 2)  # wrapped, not cut
    return lines


def badge_svg(text: BadgeText) -> str:
    """A self-contained, accessible SVG badge (``role="img"`` with a title)."""
    colour = LEVEL_COLOURS.get(text.level, LEVEL_COLOURS[None])
    level = text.level.capitalize() if text.level else "Competency"
    title = f"{text.competency}: {level}. {text.model}" + (
        f". Issued by {text.issuer}" if text.issuer else "")
    words = "".join(
        f'<text x="{CENTRE:g}" y="{line.y:g}" dominant-baseline="central" '
        f'font-size="{line.size}"'
        + (' font-weight="700"' if line.bold else "")
        + (f' letter-spacing="{line.spacing:g}"' if line.spacing else "")
        + f'>{escape(line.text)}</text>' for line in layout(text))
    x, y, side = LOGO_BOX
    logo = (f'<image x="{x}" y="{y}" width="{side}" height="{side}" '
            f'preserveAspectRatio="xMidYMid meet" href="data:image/png;base64,'
            f'{base64.b64encode(text.logo).decode()}"/>' if text.logo else "")
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {SIZE} {SIZE}" width="{SIZE}" '
        f'height="{SIZE}" role="img" aria-labelledby="t">'
        f'<title id="t">{escape(title)}</title>'
        f'<circle cx="{CENTRE:g}" cy="{CENTRE:g}" r="190" fill="{colour}"/>'
        f'<circle cx="{CENTRE:g}" cy="{CENTRE:g}" r="{RING}" fill="none" stroke="#ffffff" '
        f'stroke-width="4"/>{logo}'
        f'<g fill="#ffffff" font-family="DejaVu Sans, Arial, sans-serif" text-anchor="middle">'
        f'{words}</g></svg>'
    )


def _font(size: int, bold: bool = False) -> ImageFont.ImageFont:
    from PIL import ImageFont

    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    try:
        return ImageFont.truetype(name, size)
    except OSError:
        return ImageFont.load_default(size)


def _paste_logo(badge: Image.Image, png: bytes) -> None:
    """Fit the logo into LOGO_BOX, centred, keeping its proportions and transparency."""
    from PIL import Image

    x, y, side = LOGO_BOX
    with Image.open(io.BytesIO(png)) as logo:
        fitted = logo.convert("RGBA")
    fitted.thumbnail((side, side))
    badge.alpha_composite(fitted, (x + (side - fitted.width) // 2,
                                   y + (side - fitted.height) // 2))


def badge_png(text: BadgeText) -> bytes:
    """The same badge drawn with Pillow (no SVG renderer needed). Pillow comes with the
    ``service`` extra, so it is imported here: the library alone imports without it."""
    from PIL import Image, ImageDraw

    colour = LEVEL_COLOURS.get(text.level, LEVEL_COLOURS[None])
    image = Image.new("RGBA", (SIZE, SIZE), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((10, 10, SIZE - 10, SIZE - 10), fill=colour)
    draw.ellipse((28, 28, SIZE - 28, SIZE - 28), outline="#ffffff", width=4)
    for line in layout(text):
        font = _font(line.size, line.bold)
        if line.spacing:  # Pillow has no letter-spacing: place each character
            x = CENTRE - (font.getlength(line.text) + line.spacing * len(line.text)) / 2
            for char in line.text:
                draw.text((x, line.y), char, fill="#ffffff", font=font, anchor="lm")
                x += font.getlength(char) + line.spacing
        else:
            draw.text((CENTRE, line.y), line.text, fill="#ffffff", font=font, anchor="mm")
    if text.logo:
        _paste_logo(image, text.logo)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
