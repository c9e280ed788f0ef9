"""The addresses a wallet is given to take an offer: the VC API interaction URL and its
``protocols`` object, the Learner Credential Wallet's deep links, OpenID4VCI credential
offers by value and by reference, and QR codes of them. Pure functions of the service's
public base URL and the offer, so every page and API answer gives the same links (no mail
carries them: the issue email's claim link signs in onto the page that makes an offer)."""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import segno

OFFER_SCHEME = "openid-credential-offer://"
PRE_AUTHORIZED_GRANT = "urn:ietf:params:oauth:grant-type:pre-authorized_code"
# OpenID4VCI credential configuration ids, by the kind of credential offered.
CONFIGURATIONS = {
    "achievement": ("OpenBadgeCredential_ldp_vc", "OpenBadgeCredential_jwt_vc_json"),
    "programme": ("OpenBadgeCredential_ldp_vc", "OpenBadgeCredential_jwt_vc_json"),
    "clr": ("ClrCredential_ldp_vc", "ClrCredential_jwt_vc_json"),
}


def exchange_url(base_url: str, offer_id: str) -> str:
    """The VC API exchange a wallet POSTs to (workflow ``claim``)."""
    return f"{base_url.rstrip('/')}/workflows/claim/exchanges/{offer_id}"


def interaction_url(base_url: str, offer_id: str) -> str:
    """The VC API interaction URL, for the QR code: it answers the ``protocols`` object.
    ``iuv=1`` (interaction URL version) is part of it: wallets tell an interaction URL from
    any other link by that parameter (VCALM, "Interactions")."""
    return f"{base_url.rstrip('/')}/interactions/{offer_id}?iuv=1"


def credential_offer_uri(base_url: str, offer_id: str) -> str:
    """Where the Credential Offer object is served (OpenID4VCI offer by reference)."""
    return f"{base_url.rstrip('/')}/oid4vci/offers/{offer_id}"


def offer_by_reference(base_url: str, offer_id: str) -> str:
    return OFFER_SCHEME + "?" + urlencode(
        {"credential_offer_uri": credential_offer_uri(base_url, offer_id)}, quote_via=quote)


def protocols(base_url: str, offer_id: str) -> dict[str, str]:
    """The ``protocols`` object of the interaction URL: every way to take this offer."""
    return {"vcapi": exchange_url(base_url, offer_id),
            "OID4VCI": offer_by_reference(base_url, offer_id)}


def credential_offer(base_url: str, configuration_ids: Sequence[str], code: str,
                     tx_code_length: int | None) -> dict[str, Any]:
    """The OpenID4VCI Credential Offer object, with the pre-authorized code grant (and the
    transaction code's description when the offer has one)."""
    grant: dict[str, Any] = {"pre-authorized_code": code}
    if tx_code_length:
        grant["tx_code"] = {"input_mode": "numeric", "length": tx_code_length,
                            "description": "The code your employer gave you"}
    return {"credential_issuer": base_url.rstrip("/"),
            "credential_configuration_ids": list(configuration_ids),
            "grants": {PRE_AUTHORIZED_GRANT: grant}}


def offer_by_value(base_url: str, configuration_ids: Sequence[str], code: str,
                   tx_code_length: int | None) -> str:
    offer = credential_offer(base_url, configuration_ids, code, tx_code_length)
    return OFFER_SCHEME + "?" + urlencode(
        {"credential_offer": json.dumps(offer, separators=(",", ":"))}, quote_via=quote)


def wallet_request(base_url: str, offer_id: str) -> dict[str, Any]:
    """The exchange invitation the Learner Credential Wallet reads from its links: the
    origin asking, and the VC API exchange (LCW takes offers over ``vcapi`` only, so the
    OpenID4VCI offer stays with the interaction URL, for the wallets that speak it)."""
    return {"credentialRequestOrigin": origin(base_url),
            "protocols": {"vcapi": exchange_url(base_url, offer_id)}}


def origin(base_url: str) -> str:
    parts = urlsplit(base_url)
    return f"{parts.scheme}://{parts.netloc}"


def _request_query(base_url: str, offer_id: str) -> str:
    request = json.dumps(wallet_request(base_url, offer_id), separators=(",", ":"))
    return urlencode({"request": request}, quote_via=quote)


def lcw_request_link(base_url: str, offer_id: str) -> str:
    """LCW's web link: lcw.app's request page hands its query to the app as
    ``dccrequest://request?...`` (and shows that link when the app does not open)."""
    return "https://lcw.app/request.html?" + _request_query(base_url, offer_id)


def dcc_request_link(base_url: str, offer_id: str) -> str:
    """LCW's own deep link, the same ``request`` invitation. (LCW's older form, with
    ``vc_request_url`` and ``auth_type``, starts an OAuth sign-in with issuers in LCW's
    registry, which this service is not in.)"""
    return "dccrequest://request?" + _request_query(base_url, offer_id)


def qr_svg(text: str, title: str) -> str:
    """An inline SVG QR code of ``text`` (error correction M; the title is its name for
    screen readers)."""
    out = io.BytesIO()
    segno.make(text, error="m").save(out, kind="svg", xmldecl=False, svgns=True, scale=4,
                                     title=title)
    return out.getvalue().decode()
