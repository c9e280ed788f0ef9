"""Badge artwork: names wrap at word boundaries and every line stays inside the inner ring,
measured with the font the badge names first (DejaVu Sans, as Pillow reads it)."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

import pytest

from credentials.frameworks import bundled_catalog
from issuer.services.badge_image import RING, BadgeText, badge_png, badge_svg

ImageFont = pytest.importorskip("PIL.ImageFont")
SVG = "{http://www.w3.org/2000/svg}"
MODEL = next(iter(bundled_catalog().models.values()))
LONG_ISSUER = "Riverbend Regional Behavioral Health and Community Psychiatric Services"


def _font(size: int, bold: bool):
    try:
        return ImageFont.truetype("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf", size)
    except OSError:
        pytest.skip("DejaVu fonts not installed")


def _lines(svg: str) -> list[tuple[str, float, float, float, float]]:
    """(text, left, right, top, bottom) of each line, measured in DejaVu Sans."""
    root = ET.fromstring(svg)
    group = root.find(f"{SVG}g")
    assert group.get("text-anchor") == "middle"
    boxes = []
    for element in group.iter(f"{SVG}text"):
        assert element.get("dominant-baseline") == "central"  # y is the line's middle
        size = int(element.get("font-size"))
        font = _font(size, element.get("font-weight") == "700")
        width = font.getlength(element.text) + float(element.get("letter-spacing", 0)) * \
            len(element.text)
        x, y = float(element.get("x")), float(element.get("y"))
        ascent, descent = font.getmetrics()
        half = (ascent + descent) / 2
        boxes.append((element.text, x - width / 2, x + width / 2, y - half, y + half))
    return boxes


def _inside(box) -> bool:
    _text, left, right, top, bottom = box
    return all(math.hypot(px - 200, py - 200) <= RING - 2
               for px in (left, right) for py in (top, bottom))


@pytest.mark.parametrize("competency", [c.name for c in MODEL.competencies])
def test_every_competency_wraps_at_words_and_stays_in_the_circle(competency: str) -> None:
    text = BadgeText(competency, MODEL.title, LONG_ISSUER, "proficient")
    boxes = _lines(badge_svg(text))
    assert all(_inside(box) for box in boxes), [b for b in boxes if not _inside(b)]
    texts = [box[0] for box in boxes]
    assert texts[0] == "PROFICIENT"
    name_lines = texts[1:texts.index(next(t for t in texts[1:] if t in MODEL.title))]
    assert " ".join(name_lines) == competency  # whole words, nothing cut or dropped
    model_lines = [t for t in texts if t in MODEL.title or t.rstrip("\u2026") in MODEL.title]
    assert " ".join(model_lines) == MODEL.title  # the model line wraps too, whole


def test_an_overlong_issuer_or_word_is_shortened_at_a_word_with_an_ellipsis() -> None:
    boxes = _lines(badge_svg(BadgeText("Supercalifragilisticexpialidociousnessship" * 2,
                                       MODEL.title, LONG_ISSUER * 2)))
    assert all(_inside(box) for box in boxes)
    issuer = " ".join(box[0] for box in boxes[-2:])  # two lines, then cut
    assert issuer.endswith("\u2026") and (LONG_ISSUER * 2).startswith(issuer[:-1])
    assert (LONG_ISSUER * 2 + " ").startswith(issuer[:-1] + " ")  # cut between words


def test_a_long_issuer_name_wraps_onto_two_lines_whole() -> None:
    name = "Riverbend Behavioral Health Hospital"  # one line would cut it
    boxes = _lines(badge_svg(BadgeText(MODEL.competencies[0].name, MODEL.title, name)))
    assert all(_inside(box) for box in boxes)
    assert " ".join(box[0] for box in boxes[-2:]) == name  # nothing cut


def test_the_png_draws_the_same_badge() -> None:
    png = badge_png(BadgeText(MODEL.competencies[0].name, MODEL.title, LONG_ISSUER))
    assert png.startswith(b"\x89PNG")
