"""The OpenAPI description of the desk's people pages: sign-in by emailed link and by single
sign-on (issuer/pages/desk_sign_in.py), the admin pages (issuer/pages/desk_admin.py) and the
issuers' logos (issuer/pages/logos.py). HTML pages and forms, authorised by the desk session
cookie and its CSRF token, not by bearer tokens."""

from __future__ import annotations

from typing import Any

HTML = {"text/html": {"schema": {"type": "string"}}}
PROBLEM_CONTENT = {"application/problem+json": {
    "schema": {"$ref": "#/components/schemas/Problem"}}}
TEXT = {"type": "string"}
PAGE = {"description": "the page", "content": HTML}
TO_DESK = {"description": "not signed in (or done): to the desk page",
           "headers": {"Location": {"schema": TEXT}}}
STALE_OR_WRONG = {"description": "the form's CSRF token is missing or not this browser's "
                                 "(problem details), or a field is wrong (the page says "
                                 "which)", "content": {**PROBLEM_CONTENT, **HTML}}
ADMINS_ONLY = {"description": "signed in, but not as an admin: a page saying so",
               "content": HTML}
REFUSED = {"description": "refused: the page again, saying why", "content": HTML}
NO_SUCH = {"description": "no such person or token (the page again, saying so), or an id "
                          "that is not a number (problem details)",
           "content": {**PROBLEM_CONTENT, **HTML}}


def _form(summary: str, fields: dict[str, Any], responses: dict[str, Any],
          media: str = "application/x-www-form-urlencoded",
          parameters: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"summary": summary, "parameters": parameters or [],
            "requestBody": {"required": True, "content": {media: {"schema": {
                "type": "object", "required": ["csrf"],
                "properties": {"csrf": TEXT, **fields}}}}},
            "responses": {"400": STALE_OR_WRONG, **responses}}


def _id(name: str, description: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "description": description,
            "schema": TEXT}


def _admin_page(summary: str) -> dict[str, Any]:
    return {"get": {"summary": summary,
                    "responses": {"200": PAGE, "302": TO_DESK, "403": ADMINS_ONLY}}}


def _admin_form(summary: str, fields: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return _form(summary, fields, {"302": TO_DESK, "403": ADMINS_ONLY, "404": NO_SUCH,
                                   "409": REFUSED, "422": REFUSED}, **extra)


LINK = {"name": "link", "in": "query", "required": False, "schema": TEXT,
        "description": "the link's secret, as the email gave it"}
ISSUER = _id("slug", "the issuer's slug")
STAFF_ID = _id("id", "the staff member's id")
STAFF_DESK_PATHS: dict[str, Any] = {
    "/desk/sign-in/email": {"get": {
        "summary": "The form's address opened in a browser: to the sign-in page",
        "responses": {"303": {"description": "to /desk (the sign-in page)",
                              "headers": {"Location": {"schema": TEXT}}}}}, "post": _form(
        "Email me a sign-in link: the same answer whether or not the address is staff",
        {"email": TEXT},
        {"200": {**PAGE, "description": "the sign-in page, saying a link is on its way if "
                                        "the address is known"},
         "429": {"description": "too many links asked for this address or from this "
                                "client", "content": HTML}})},
    "/desk/sign-in/link": {
        "get": {"parameters": [LINK],
                "summary": "The page an emailed link opens: a button that signs in "
                           "(opening it uses nothing)",
                "responses": {"200": PAGE,
                              "401": {"description": "the link is unknown, used, expired "
                                                     "or its person removed; the sign-in "
                                                     "page says which", "content": HTML}}},
        "post": _form("Use the link (once): a desk session for its person", {"link": TEXT},
                      {"302": {**TO_DESK, "description": "signed in: to the desk page"},
                       "401": {"description": "refused; the sign-in page says why",
                               "content": HTML}})},
    "/desk/sso/{slug}": {"get": {
        "summary": "Start single sign-on with the issuer's OpenID Provider",
        "parameters": [ISSUER],
        "responses": {"302": {"description": "to the provider (PKCE, state and nonce)",
                              "headers": {"Location": {"schema": TEXT}}},
                      "404": REFUSED, "503": REFUSED}}},
    "/desk/sso/{slug}/callback": {
        "get": {"summary": "The provider's answer: signed in as the staff member the ID "
                           "token names, or a page saying why not",
                "parameters": [ISSUER, *({"name": name, "in": "query", "required": False,
                                          "schema": TEXT}
                                         for name in ("code", "state", "error",
                                                      "error_description"))],
                "responses": {"200": {**PAGE, "description": "signed in: a page that goes "
                                                            "on to the desk"},
                              "400": {"description": "this browser did not start the "
                                                     "sign-in (a page), or the query holds "
                                                     "a control character (problem "
                                                     "details)",
                                      "content": {**PROBLEM_CONTENT, **HTML}},
                              "401": REFUSED, "403": REFUSED, "404": REFUSED,
                              "503": REFUSED}}},
    "/desk/admin/staff": {
        **_admin_page("The issuer's staff, and the invitation form (admins)"),
        "post": _admin_form("Invite a person by email (an emailed sign-in link)",
                            {"email": TEXT, "name": TEXT,
                             "role": {"enum": ["assessor", "admin"]}})},
    "/desk/admin/staff/{id}/role": {
        "post": _admin_form("Change a person's role (the last admin stays one)",
                            {"role": {"enum": ["assessor", "admin"]}},
                            parameters=[STAFF_ID])},
    "/desk/admin/staff/{id}/remove": {
        "post": _admin_form("Remove a person: their sessions end at once (not the last "
                            "admin)", {}, parameters=[STAFF_ID])},
    "/desk/admin/tokens": {
        **_admin_page("The issuer's API tokens (admins)"),
        "post": {**_admin_form("Create an API token (shown once, on the page answered)",
                               {"label": TEXT, "role": {"enum": ["assessor", "admin"]}}),
                 "responses": {"200": {**PAGE, "description": "the page, showing the new "
                                                             "token this once"},
                               "302": TO_DESK, "400": STALE_OR_WRONG, "403": ADMINS_ONLY,
                               "422": REFUSED}}},
    "/desk/admin/tokens/{id}/revoke": {
        "post": _admin_form("Revoke an API token and end its desk sessions", {},
                            parameters=[_id("id", "the token's id")])},
    "/desk/admin/profile": {
        **_admin_page("The issuer's profile form (admins)"),
        "post": _admin_form("Save the profile: name, URL, email, description, logo (PNG or "
                            "JPEG, redrawn; SVG refused)",
                            {"name": TEXT, "url": TEXT, "email": TEXT, "description": TEXT,
                             "logo": {"type": "string", "format": "binary"},
                             "remove_logo": TEXT}, media="multipart/form-data")},
    "/issuers/{slug}/logo.png": {"get": {
        "summary": "The issuer's logo (its profile's image)",
        "parameters": [ISSUER],
        "responses": {"200": {"description": "the logo",
                              "content": {"image/png": {"schema": TEXT}}},
                      "304": {"description": "not modified (If-None-Match)"},
                      "404": {"description": "no such issuer, or it has no logo",
                              "content": PROBLEM_CONTENT}}}},
}
