"""The OpenAPI description of the learner's own pages (issuer/pages/learner.py): sign-in by
emailed link, their list of credentials, hiding, the public list, the wallet page and their
own learner record. HTML pages and forms, authorised by the learner session cookie and its
CSRF token, not by bearer tokens."""

from __future__ import annotations

from typing import Any

from issuer.api.openapi_staff import HTML, LINK, PAGE, PROBLEM_CONTENT, STALE_OR_WRONG, TEXT

SEE_OTHER = {"description": "done: to the page that shows it",
             "headers": {"Location": {"schema": TEXT}}}
SIGN_IN_AGAIN = {"description": "not signed in (or the session ended): the sign-in page",
                 "content": HTML}
NOT_HERS = {"description": "no such credential of this learner (a page, or problem details)",
            "content": {**PROBLEM_CONTENT, **HTML}}
WALLET_REFUSALS = {
    "401": {**SIGN_IN_AGAIN, "description": "not signed in: the sign-in page, which comes "
                                            "back here"},
    "403": {"description": "the credential was issued to another address: a page saying "
                           "so", "content": HTML},
    "404": {"description": "no such credential", "content": HTML},
    "409": {"description": "the credential is revoked: a page saying so, and no offer",
            "content": HTML}}
CREDENTIAL = {"name": "id", "in": "path", "required": True, "schema": TEXT,
              "description": "the credential's id (a UUID)"}


def _form(summary: str, fields: dict[str, Any], responses: dict[str, Any],
          parameters: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"summary": summary, "parameters": parameters or [],
            "requestBody": {"required": True, "content": {
                "application/x-www-form-urlencoded": {"schema": {
                    "type": "object", "required": ["csrf"],
                    "properties": {"csrf": TEXT, **fields}}}}},
            "responses": {"400": STALE_OR_WRONG, **responses}}


LEARNER_PATHS: dict[str, Any] = {
    "/me": {"get": {"summary": "The learner's credentials from every issuer here (signed "
                               "in), or the sign-in form",
                    "responses": {"200": PAGE}}},
    "/me/sign-in": {"get": {
        "summary": "The form's address opened in a browser: to the sign-in page (/me, or "
                   "the landing given, when it is one of the learner's pages)",
        "parameters": [{"name": "landing", "in": "query", "required": False,
                        "schema": TEXT}],
        "responses": {"303": SEE_OTHER}}, "post": _form(
        "Email me a sign-in link: the same answer whether or not credentials were issued "
        "to the address", {"email": TEXT, "landing": TEXT},
        {"200": {**PAGE, "description": "the sign-in page, saying a link is on its way if "
                                        "the address holds credentials"},
         "429": {"description": "too many links asked for this address or from this "
                                "client", "content": HTML}})},
    "/me/sign-in/link": {
        "get": {"parameters": [LINK],
                "summary": "The page an emailed link (or an issue email's claim link) opens: "
                           "a button that signs in (opening it uses nothing)",
                "responses": {"200": PAGE,
                              "401": {"description": "the link is unknown, used or expired; "
                                                     "the sign-in page says which",
                                      "content": HTML}}},
        "post": _form("Use the link (once): a learner session, then the page it lands on",
                      {"link": TEXT},
                      {"303": SEE_OTHER,
                       "401": {"description": "refused; the sign-in page says why",
                               "content": HTML}})},
    "/me/sign-out": {"post": _form("End the learner session", {}, {"303": SEE_OTHER})},
    "/me/credentials/{id}/hidden": {"post": _form(
        "Hide a credential from the learner's public list (hidden=1), or show it (0)",
        {"hidden": {"enum": ["0", "1"]}},
        {"303": SEE_OTHER, "401": SIGN_IN_AGAIN, "404": NOT_HERS}, [CREDENTIAL])},
    "/me/credentials/{id}/wallet": {
        "get": {
            "summary": "Add to wallet: the credential and a button that makes an offer "
                       "(opening the page makes nothing)",
            "parameters": [CREDENTIAL],
            "responses": {"200": PAGE, **WALLET_REFUSALS}},
        "post": _form(
            "Make a new offer (15 minutes, once), shown as QR codes and links for the "
            "Learner Credential Wallet and OpenID4VCI wallets", {},
            {"200": PAGE, **WALLET_REFUSALS,
             "429": {"description": "too many offers made", "content": HTML}},
            [CREDENTIAL])},
    "/me/public": {"post": _form(
        "Turn the learner's public list on (public=1: a new random link) or off (0)",
        {"public": {"enum": ["0", "1"]}}, {"303": SEE_OTHER, "401": SIGN_IN_AGAIN})},
    "/me/records": {"post": _form(
        "Build the learner's own record (CLR 2.0) of the credentials chosen, signed by the "
        "service's platform identity; to its share page",
        {"credential": {"type": "array", "items": TEXT}},
        {"303": SEE_OTHER, "401": SIGN_IN_AGAIN,
         "404": {"description": "the service has no platform identity yet (flask init)",
                 "content": HTML},
         "422": {"description": "refused: the page, naming each credential that cannot go "
                                "in and why", "content": HTML},
         "429": {"description": "too many issued from this client",
                 "content": PROBLEM_CONTENT}})},
    "/learners/{handle}": {"get": {
        "summary": "A learner's public list: their active credentials they have not hidden "
                   "(only while they keep it on)",
        "parameters": [{"name": "handle", "in": "path", "required": True, "schema": TEXT,
                        "description": "the list's random handle"}],
        "responses": {"200": PAGE, "404": {"description": "no such list, or turned off",
                                           "content": {**PROBLEM_CONTENT, **HTML}}}}},
}
