"""The issuer's public profile as its admins edit it: name, URL, email, description and a
logo. The logo is decoded and drawn again by Pillow (PNG or JPEG in, a PNG of at most
LOGO_SIDE pixels a side out), so nothing but pixels survives from the upload; SVG is refused,
as an SVG can carry scripts and links. It is served from a stable URL, named as the profile's
``image`` and drawn in the badge artwork."""

from __future__ import annotations

import hashlib
import io
import re
import warnings
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from credentials.build import IssuerProfile
from issuer.services.audit import record
from issuer.services.callers import Caller
from issuer.services.errors import Invalid, NotFound, invalid_fields
from issuer.services.field_text import bad_character
from issuer.services.issuers import get_issuer
from issuer.store.models import Issuer, IssuerLogo

FIELDS = ("name", "url", "email", "description")
LIMITS = {"name": 200, "url": 500, "email": 320, "description": 2000}
LOGO_MAX_BYTES = 512 * 1024
LOGO_SIDE = 512
LOGO_MAX_PIXELS = 4096 * 4096  # larger images are refused before they are decoded
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def logo_url(base_url: str, slug: str) -> str:
    return f"{base_url}/issuers/{slug}/logo.png"


def get_profile(db: Session, caller: Caller, slug: str, base_url: str) -> dict[str, Any]:
    caller.require(slug, ("admin",))
    with db.begin():
        issuer = get_issuer(db, slug)
        has_logo = db.get(IssuerLogo, issuer.id) is not None
        return {"name": issuer.name, "url": issuer.url or "", "email": issuer.email or "",
                "description": issuer.description or "",
                "logo": logo_url(base_url, slug) if has_logo else None}


def _checked(fields: dict[str, str]) -> dict[str, str | None]:
    """The fields as stored (blank: none), or Invalid naming every field at fault."""
    errors, values = [], {}
    for name in FIELDS:
        value = fields.get(name, "").strip()
        reason = bad_character(value, prose=name == "description")
        if reason:
            errors.append({"pointer": f"/{name}", "detail": reason})
        elif len(value) > LIMITS[name]:
            errors.append({"pointer": f"/{name}",
                           "detail": f"longer than {LIMITS[name]} characters"})
        elif name == "name" and not value:
            errors.append({"pointer": "/name", "detail": "the issuer needs a name"})
        elif name == "url" and value and not value.startswith("https://"):
            errors.append({"pointer": "/url",
                           "detail": "a web address starting https://"})
        elif name == "email" and value and not EMAIL.match(value):
            errors.append({"pointer": "/email", "detail": "not an email address"})
        values[name] = value or None
    if errors:
        raise invalid_fields(errors)
    return values


def save_profile(db: Session, caller: Caller, slug: str, fields: dict[str, str],
                 upload: bytes | None = None, remove_logo: bool = False) -> None:
    """Change the profile's words, and its logo if one is uploaded (or remove it), in one
    transaction: nothing changes unless everything given is acceptable. Audited."""
    caller.require(slug, ("admin",))
    values = _checked(fields)
    png = redrawn_logo(upload) if upload is not None else None
    with db.begin():
        issuer = get_issuer(db, slug)
        changed = {k: v for k, v in values.items() if getattr(issuer, k) != v}
        for name, value in changed.items():
            setattr(issuer, name, value)
        if changed:
            record(db, issuer, caller, "issuer.profile", f"issuer:{slug}", changed)
        row = db.get(IssuerLogo, issuer.id)
        if png is not None:
            row = row or IssuerLogo(issuer_id=issuer.id)
            digest = hashlib.sha256(png).hexdigest()
            row.media_type, row.content, row.sha256 = "image/png", png, digest
            row.updated_at = datetime.now(UTC)
            db.add(row)
            record(db, issuer, caller, "issuer.logo", f"issuer:{slug}", {"sha256": digest})
        elif remove_logo and row is not None:
            db.delete(row)
            record(db, issuer, caller, "issuer.logo", f"issuer:{slug}", {"removed": True})


def redrawn_logo(upload: bytes) -> bytes:
    """The uploaded image as a PNG we drew, or Invalid saying why not."""
    from PIL import Image, UnidentifiedImageError

    if len(upload) > LOGO_MAX_BYTES:
        raise _logo_problem(f"the logo is larger than {LOGO_MAX_BYTES // 1024} KiB")
    if upload.lstrip()[:5] in (b"<?xml", b"<svg ") or b"<svg" in upload[:1024]:
        raise _logo_problem("SVG logos are refused (an SVG can carry scripts): upload a "
                            "PNG or JPEG")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(upload)) as image:
                if image.format not in ("PNG", "JPEG"):
                    raise _logo_problem(f"a logo is a PNG or JPEG, not {image.format}")
                if image.width * image.height > LOGO_MAX_PIXELS:
                    raise _logo_problem("the logo has too many pixels (at most 4096 x 4096)")
                image.load()
                drawn = image.convert("RGBA")
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombWarning,
            Image.DecompressionBombError):
        raise _logo_problem("the file is not a readable PNG or JPEG image") from None
    drawn.thumbnail((LOGO_SIDE, LOGO_SIDE))
    out = io.BytesIO()
    drawn.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _logo_problem(detail: str) -> Invalid:
    return invalid_fields([{"pointer": "/logo", "detail": detail}], detail=detail)


def logo(db: Session, slug: str) -> IssuerLogo:
    """The issuer's logo as served; NotFound if it has none."""
    with db.begin():
        found = db.scalars(select(IssuerLogo).join(Issuer, Issuer.id == IssuerLogo.issuer_id)
                           .where(Issuer.slug == slug)).first()
        if found is None:
            raise NotFound(f"issuer {slug!r} has no logo")
        db.expunge(found)
        return found


def has_logo(db: Session, issuer_id: int) -> bool:
    """Whether the issuer has a logo (inside the caller's transaction)."""
    return db.scalar(select(IssuerLogo.issuer_id).where(IssuerLogo.issuer_id == issuer_id)
                     ) is not None


def profile_of(db: Session, issuer: Issuer, identifier: str, base_url: str) -> IssuerProfile:
    """The issuer as credentials and its profile document name it: with its description
    and logo where it has them (inside the caller's transaction)."""
    image = logo_url(base_url, issuer.slug) if has_logo(db, issuer.id) else None
    return IssuerProfile(identifier, issuer.name, issuer.url, issuer.email,
                         issuer.description, image)


def logo_png(db: Session, issuer_id: int) -> bytes | None:
    """The issuer's logo (PNG), for the badge artwork; None if it has none."""
    row = db.get(IssuerLogo, issuer_id)
    return row.content if row is not None else None
