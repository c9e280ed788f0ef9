"""The site around the API, through HTTP: a page for browsers and JSON for machines at the
same URL (the start page, issuer profiles, 404s, problem types), gzip, the favicon, and /docs
a developer can issue from."""

from __future__ import annotations

import gzip
import html
import re
from pathlib import Path

from issuer.web.problems import PROBLEM_TYPES
from tests.service.conftest import MODEL, completion_body

ROOT = Path(__file__).resolve().parents[2]
BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
MACHINE = {"Accept": "application/json"}


def test_the_start_page_is_a_page_for_people_and_json_for_machines(service) -> None:
    page = service.client.get("/", headers=BROWSER)
    assert page.status_code == 200 and page.mimetype == "text/html"
    text = page.get_data(as_text=True)
    for link in ('href="/verify"', 'href="/desk"', 'href="/docs"'):
        assert link in text
    assert "Accept" in page.headers["Vary"]
    for headers in (MACHINE, {"Accept": "*/*"}, {}):
        machine = service.client.get("/", headers=headers)
        assert machine.mimetype == "application/json"
        assert machine.get_json()["links"]["verify"].endswith("/verify")


def test_an_issuer_profile_is_a_page_for_people_and_json_ld_for_machines(service) -> None:
    page = service.client.get("/issuers/riverbend", headers=BROWSER)
    assert page.mimetype == "text/html" and "Accept" in page.headers["Vary"]
    text = page.get_data(as_text=True)
    assert "<h1>Riverbend Behavioral Health</h1>" in text
    assert 'href="https://riverbend.example.org"' in text
    assert "did:web:localhost%3A5000:issuers:riverbend" in text
    for headers, query in ((MACHINE, ""), ({}, ""), (BROWSER, "?format=json")):
        profile = service.client.get(f"/issuers/riverbend{query}", headers=headers)
        assert profile.mimetype == "application/ld+json"
        assert profile.get_json()["name"] == "Riverbend Behavioral Health"


def test_a_404_is_a_page_for_people_and_problem_json_for_machines(service) -> None:
    for path in ("/no/such/page", "/issuers/nobody"):  # no route; a service's NotFound
        page = service.client.get(path, headers=BROWSER)
        assert page.status_code == 404 and page.mimetype == "text/html", path
        assert "<h1>Not found</h1>" in page.get_data(as_text=True)
        assert "Accept" in page.headers["Vary"]
        machine = service.client.get(path, headers=MACHINE)
        assert machine.status_code == 404
        assert machine.mimetype == "application/problem+json"
        assert machine.get_json()["status"] == 404


def test_text_answers_are_gzipped_but_never_the_desk(service) -> None:
    gzipped = {"Accept-Encoding": "gzip, deflate, br"}
    plain = service.client.get("/docs").get_data()
    docs = service.client.get("/docs", headers=gzipped)
    assert docs.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in docs.headers["Vary"]
    assert gzip.decompress(docs.get_data()) == plain
    assert int(docs.headers["Content-Length"]) < len(plain) // 3
    css = service.client.get("/static/site.css", headers=gzipped)
    assert css.headers.get("Content-Encoding") == "gzip"
    # The desk carries CSRF tokens beside what an attacker may type: never compressed (BREACH).
    assert "Content-Encoding" not in service.client.get("/desk", headers=gzipped).headers
    minted = service.client.post("/api/v1/issuers/riverbend/tokens", json={"role": "assessor"},
                                 headers={**service.auth(service.admin), **gzipped})
    assert minted.status_code == 201 and "Content-Encoding" not in minted.headers
    tiny = service.client.get("/healthz", headers=gzipped)
    assert "Content-Encoding" not in tiny.headers  # too small to gain
    png = service.client.get(f"/badges/{MODEL}/de-escalation.png", headers=gzipped)
    assert png.mimetype == "image/png" and "Content-Encoding" not in png.headers
    assert "Content-Encoding" not in service.client.get("/docs").headers  # not asked


def test_the_favicon_is_linked_and_served(service) -> None:
    page = service.client.get("/verify").get_data(as_text=True)
    assert re.search(r'<link rel="icon" href="/static/favicon.svg" type="image/svg\+xml">',
                     page)
    for path in ("/favicon.ico", "/static/favicon.svg"):
        icon = service.client.get(path)
        assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
        assert icon.get_data().startswith(b"<svg")


def test_docs_show_schemas_a_quick_start_and_an_example_on_every_operation(service) -> None:
    page = service.client.get("/docs").get_data(as_text=True)
    assert "$ref" not in page
    assert "<caption>Request body schema</caption>" in page
    assert "CompletionRequest (object)" in page and "<code>learner</code>" in page
    quick_start = page[page.index('id="quick-start"'):page.index('id="errors"')]
    assert "curl -s -X POST http://localhost:5000/api/v1/issuers/demo/completions" in \
        quick_start
    assert "/credentials/verify" in quick_start
    operations = re.findall(r'<section class="op".*?</section>', page, re.S)
    spec = service.client.get("/openapi.json").get_json()
    assert len(operations) == sum(len(ops) for ops in spec["paths"].values())
    for operation in operations:
        assert re.search(r"<h4>Example</h4>\s*<pre><code>curl -s", operation), operation[:300]
    sections = re.findall(r'<h2 id="section-[^"]+">([^<]+)</h2>', page)
    assert sections[0] == "Issuing" and sections[-1] == "Operations", sections
    assert next(iter(spec["paths"])) == "/api/v1/issuers/{slug}/completions"
    assert 'href="/docs"' in service.client.get("/verify").get_data(as_text=True)


def test_docs_rules_are_words_not_regexes(service) -> None:
    import html

    page = html.unescape(service.client.get("/docs").get_data(as_text=True))
    rules = [row[-1] for row in re.findall(
        r"<tr><td[^>]*><code>([^<]+)</code></td><td>([^<]*)</td><td>[^<]*</td><td>([^<]*)</td>",
        page)]
    assert rules and not [r for r in rules if "\\" in r or "matching" in r or "^" in r]
    assert "at least 1 characters" not in page
    assert "a date, YYYY-MM-DD" in page and "an email address, like name@example.org" in page
    level = re.search(r"<code>level</code></td><td>string</td><td>yes</td><td>([^<]+)", page)
    assert level and "emerging, developing, proficient or advanced" in level.group(1)
    assert "framework the competency's model uses" in level.group(1)


def test_the_documented_examples_are_accepted(service) -> None:
    """The completion example on /docs issues a credential as it is."""
    spec = service.client.get("/openapi.json").get_json()
    operation = spec["paths"]["/api/v1/issuers/{slug}/completions"]["post"]
    example = operation["requestBody"]["content"]["application/json"]["example"]
    response = service.client.post("/api/v1/issuers/riverbend/completions", json=example,
                                   headers=service.auth(service.assessor))
    assert response.status_code == 201, response.get_json()


def emitted_problem_types() -> set[str]:
    """Every ``/problems/<name>`` the code names, wherever it raises or documents one."""
    found = set()
    for path in [*(ROOT / "issuer").rglob("*.py"), *(ROOT / "credentials").rglob("*.py")]:
        found |= set(re.findall(r"/problems/([a-z0-9-]+)", path.read_text()))
    return found


def test_every_problem_type_resolves_to_its_explanation(service) -> None:
    emitted = emitted_problem_types()
    assert {"validation", "unacceptable-text", "last-admin-token"} <= emitted
    unexplained = emitted - set(PROBLEM_TYPES)
    assert not unexplained, f"problem types with no page: {sorted(unexplained)}"
    for name, problem_type in PROBLEM_TYPES.items():
        page = service.client.get(problem_type.uri, headers=BROWSER)
        assert page.status_code == 200 and page.mimetype == "text/html", name
        assert problem_type.meaning in html.unescape(page.get_data(as_text=True))
        described = service.client.get(problem_type.uri).get_json()
        assert described["type"] == problem_type.uri and described["title"]
    listing = service.client.get("/problems").get_json()["problemTypes"]
    assert {t["type"] for t in listing} == {t.uri for t in PROBLEM_TYPES.values()}
    assert service.client.get("/problems/no-such-thing").status_code == 404


def test_a_problem_answered_links_to_a_page_that_explains_it(service) -> None:
    refused = service.client.post("/api/v1/issuers/riverbend/completions",
                                  json=completion_body(level="expert"),
                                  headers=service.auth(service.assessor))
    assert refused.status_code == 422
    explained = service.client.get(refused.get_json()["type"], headers=BROWSER)
    assert explained.status_code == 200
    assert "Invalid request" in explained.get_data(as_text=True)
