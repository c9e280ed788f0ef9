"""Public, unauthenticated documents: health, issuer profiles and DIDs, achievements,
credentials at their id URLs."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, json, render_template, request

from credentials.achievements import build_achievement
from credentials.build import OB_CONTEXT
from credentials.clr import programme_achievement, tier_achievement
from issuer.services.catalog import catalog
from issuer.services.credentials import credential_document
from issuer.services.identifiers import IssuerIdentifiers, verification_method
from issuer.services.issuers import get_issuer
from issuer.services.keyring import published_keys, verification_key
from issuer.services.profile import logo_png, logo_url, profile_of
from issuer.services.share import share_view
from issuer.services.status_lists import signed_list
from issuer.store import session
from issuer.web.context import service_context
from issuer.web.negotiation import negotiated, prefers_html
from issuer.web.problems import Problem
from keys.did import did_web_document
from keys.jose import KEY_TYPES

bp = Blueprint("published", __name__)

JSON_LD = "application/ld+json"
DID_JSON = "application/did+ld+json"
VC_LD_JSON = "application/vc+ld+json"
VC_JWT = "application/vc+jwt"


def _json(document: Any, mimetype: str) -> Response:
    return Response(json.dumps(document, ensure_ascii=False), mimetype=mimetype)


def _base_url() -> str:
    return service_context().base_url


@bp.get("/issuers/<slug>")
def issuer_profile(slug: str) -> Response:
    """The issuer's OB 3.0 Profile; a browser gets it as a page (``?format=json``: the
    document)."""
    db = session()
    issuer = get_issuer(db, slug)
    ids = IssuerIdentifiers.for_slug(_base_url(), slug)
    if prefers_html(JSON_LD, "application/json"):
        website = issuer.url if (issuer.url or "").lower().startswith(("https://", "http://")) \
            else None
        logo = logo_url(_base_url(), slug) if logo_png(db, issuer.id) else None
        return negotiated(Response(render_template("issuer.html", issuer=issuer, ids=ids,
                                                   website=website, logo=logo),
                                   mimetype="text/html"))
    profile = profile_of(db, issuer, ids.profile, _base_url()).as_json()
    return negotiated(_json({"@context": OB_CONTEXT, **profile, "otherIdentifier": [{
        "type": "IdentifierEntry", "identifier": ids.did_web, "identifierType": "identifier"}]},
        JSON_LD))


@bp.get("/issuers/<slug>/did.json")
def issuer_did(slug: str) -> Response:
    """Every unrevoked key (active and retired) as a verification method: retired keys stay
    until revoked, so credentials they signed keep verifying."""
    db = session()
    issuer = get_issuer(db, slug)
    ids = IssuerIdentifiers.for_slug(_base_url(), slug)
    keys = [verification_key(k, verification_method(ids.did_web, k.kid), ids.did_web)
            for k in published_keys(db, issuer)]
    document = did_web_document(ids.did_web, keys)
    document["alsoKnownAs"] = [ids.profile]
    return _json(document, DID_JSON)


@bp.get("/issuers/<slug>/jwks.json")
def issuer_jwks(slug: str) -> Response:
    """The issuer's public keys as a JWK Set; ``kid`` is each key's did:web method URL."""
    db = session()
    issuer = get_issuer(db, slug)
    ids = IssuerIdentifiers.for_slug(_base_url(), slug)
    keys = [{**k.public_jwk, "kid": verification_method(ids.did_web, k.kid),
             "alg": KEY_TYPES[k.algorithm], "use": "sig"} for k in published_keys(db, issuer)]
    return _json({"keys": keys}, "application/jwk-set+json")


@bp.get("/achievements/<model_id>")
def programme(model_id: str) -> Response:
    """A model's programme-completion Achievement (the id a programme certificate holds), as
    the current edition gives it."""
    try:
        crosswalk = catalog(session()).crosswalk_for(model_id)
    except KeyError:
        raise Problem(404, "Not Found", f"no programme achievement for {model_id}") from None
    document = programme_achievement(crosswalk, _base_url(), crosswalk.required_level)
    return _json({"@context": OB_CONTEXT, **document}, JSON_LD)


@bp.get("/achievements/<model_id>/tiers/<tier_id>")
def tier(model_id: str, tier_id: str) -> Response:
    """A tier's Achievement (the ids a CLR's associations place competencies under)."""
    try:
        crosswalk = catalog(session()).crosswalk_for(model_id)
        document = tier_achievement(crosswalk, tier_id, _base_url())
    except (KeyError, StopIteration):
        raise Problem(404, "Not Found", f"no tier {tier_id} in model {model_id}") from None
    return _json({"@context": OB_CONTEXT, **document}, JSON_LD)


@bp.get("/achievements/<model_id>/<competency_id>")
@bp.get("/achievements/<model_id>/<competency_id>/<edition>")
def achievement(model_id: str, competency_id: str, edition: str | None = None) -> Response:
    """A competency's Achievement: of the edition a credential names, or (no edition, as
    credentials from before editions cite it) of the current one."""
    try:
        data = catalog(session())
        crosswalk = (data.edition(model_id, edition) if edition
                     else data.crosswalk_for(model_id))
        document = build_achievement(crosswalk, competency_id, _base_url(),
                                     edition=edition is not None)
    except KeyError:
        raise Problem(404, "Not Found", f"no achievement for {model_id}/{competency_id}"
                      + (f" in edition {edition}" if edition else "")) from None
    return _json({"@context": OB_CONTEXT, **document}, JSON_LD)


@bp.get("/status/<slug>/<int:number>")
def status_list(slug: str, number: int) -> Response:
    """A signed BitstringStatusListCredential; caches may keep it for its ttl."""
    if number >= 2**31:  # beyond any list number the store can hold
        raise Problem(404, "Not Found", f"no status list {number} for issuer {slug!r}")
    signed = signed_list(session(), slug, number, _base_url(),
                         service_context().kek)
    response = Response(signed.document, mimetype=VC_LD_JSON)
    response.headers["Cache-Control"] = f"public, max-age={signed.max_age_seconds}"
    return response


def wants_html() -> bool:
    """A browser asking for a page (and not a download link asking for the data)."""
    if request.args.get("format") in ("json", "jwt"):
        return False
    best = request.accept_mimetypes.best_match(["text/html", VC_LD_JSON, "application/json",
                                                VC_JWT])
    return best == "text/html" and request.accept_mimetypes["text/html"] > \
        request.accept_mimetypes[VC_LD_JSON]


@bp.get("/credentials/<credential_id>")
def credential(credential_id: str) -> Response | str:
    """The id URL: for machines the credential as issued (JSON-LD with a Data Integrity
    proof, or a VC-JWT); for people the share page."""
    if wants_html():
        view = share_view(session(), credential_id, service_context())
        return render_template("share.html", view=view)
    document = credential_document(session(), credential_id)
    is_json = document.startswith("{")
    response = Response(document, mimetype=VC_LD_JSON if is_json else VC_JWT)
    response.headers["Vary"] = "Accept"
    if request.args.get("download") == "1":  # the share page's download: a named file
        response.headers["Content-Disposition"] = (
            f'attachment; filename="credential-{credential_id}.{"json" if is_json else "jwt"}"')
    return response
