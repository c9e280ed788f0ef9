"""Badge artwork for a competency (and level): an SVG of ours, and a PNG rendering of it.

The image names the competency, the level, the model and the issuer, so a baked badge still
says what it is when the credential inside is never read.
"""

from __future__ import annotations

import base64
import io
import textwrap
from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL import Image, ImageFont

SIZE = 400
LOGO_BOX = (176, 38, 48)  # x, y and side of the square the issuer's logo is fitted into
LEVEL_COLOURS = {  # AA contrast with white text on each
    None: "#1f4e79", "emerging": "#2e6930", "developing": "#1f5f8b",
    "proficient": "#6a3d9a", "advanced": "#8a3b12",
}


@dataclass(frozen=True)
class BadgeText:
    competency: str
    model: str
    issuer: str | None = None
    level: str | None = None  # emerging .. advanced; None for the competency itself
    logo: bytes | None = None  # the issuer's logo (PNG), drawn at the top of the badge

    def lines(self, width: int = 22) -> list[str]:
        return textwrap.wrap(self.competency, width)[:4]


def badge_svg(text: BadgeText) -> str:
    """A self-contained, accessible SVG badge (``role="img"`` with a title)."""
    colour = LEVEL_COLOURS.get(text.level, LEVEL_COLOURS[None])
    level = text.level.capitalize() if text.level else "Competency"
    title = f"{text.competency}: {level}. {text.model}" + (
        f". Issued by {text.issuer}" if text.issuer else "")
    lines = text.lines()
    first_y = 170 - 14 * (len(lines) - 1)
    words = "".join(f'<text x="200" y="{first_y + 30 * i}" font-size="24" '
                    f'font-weight="700">{escape(line)}</text>' for i, line in enumerate(lines))
    issuer = (f'<text x="200" y="330" font-size="14">{escape(text.issuer[:40])}</text>'
              if text.issuer else "")
    x, y, side = LOGO_BOX
    logo = (f'<image x="{x}" y="{y}" width="{side}" height="{side}" '
            f'preserveAspectRatio="xMidYMid meet" href="data:image/png;base64,'
            f'{base64.b64encode(text.logo).decode()}"/>' if text.logo else "")
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {SIZE} {SIZE}" width="{SIZE}" '
        f'height="{SIZE}" role="img" aria-labelledby="t">'
        f'<title id="t">{escape(title)}</title>'
        f'<circle cx="200" cy="200" r="190" fill="{colour}"/>'
        f'<circle cx="200" cy="200" r="172" fill="none" stroke="#ffffff" stroke-width="4"/>{logo}'
        f'<g fill="#ffffff" font-family="DejaVu Sans, Arial, sans-serif" text-anchor="middle">'
        f'<text x="200" y="95" font-size="18" letter-spacing="2">{escape(level.upper())}</text>'
        f'{words}'
        f'<text x="200" y="290" font-size="13">{escape(text.model[:48])}</text>{issuer}'
        f'</g></svg>'
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
    level = text.level.capitalize() if text.level else "Competency"
    draw.text((200, 95), level.upper(), fill="#ffffff", font=_font(18), anchor="mm")
    lines = text.lines()
    first_y = 170 - 14 * (len(lines) - 1)
    for i, line in enumerate(lines):
        draw.text((200, first_y + 30 * i), line, fill="#ffffff", font=_font(24, True),
                  anchor="mm")
    if text.logo:
        _paste_logo(image, text.logo)
    draw.text((200, 290), text.model[:48], fill="#ffffff", font=_font(13), anchor="mm")
    if text.issuer:
        draw.text((200, 330), text.issuer[:40], fill="#ffffff", font=_font(14), anchor="mm")
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
