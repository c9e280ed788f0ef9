"""The share page of every kind of credential: a learner record (CLR) lists what it holds,
and a programme certificate says each evidence item once, as a named link."""

from __future__ import annotations

import re

from credentials.frameworks import bundled_catalog
from tests.service.conftest import MODEL
from tests.service.test_learner_records import COMPETENCIES, build_clr, complete

HTML = {"Accept": "text/html,application/xhtml+xml"}
NAMES = {c.id: c.name for c in bundled_catalog().models[MODEL].competencies}


def _page(service, credential_id: str) -> str:
    page = service.client.get(f"/credentials/{credential_id}", headers=HTML)
    assert page.status_code == 200, page.get_data(as_text=True)[:500]
    return page.get_data(as_text=True)


def test_clr_share_page_lists_the_held_credentials(service) -> None:
    issued = [complete(service, competency) for competency in COMPETENCIES[:2]]
    text = _page(service, build_clr(service)["credentialId"])
    assert "What this record holds" in text
    for competency, credential in zip(COMPETENCIES[:2], issued, strict=True):
        assert f'<a href="{credential["url"]}">{NAMES[competency]}</a>: Proficient' in text


def test_programme_certificate_names_each_evidence_item_once(service) -> None:
    programme = None
    for competency in COMPETENCIES:
        programme = complete(service, competency).get("programmeCredential") or programme
    assert programme is not None
    text = _page(service, programme["credentialId"])
    evidence = text.split("<h2>Evidence</h2>")[1].split("</ul>")[0]
    items = re.findall(r"<li>(.*?)</li>", evidence, re.S)
    assert len(items) == len(COMPETENCIES)
    for item in items:
        link = re.fullmatch(r'\s*<a href="([^"]+)" rel="nofollow noopener">([^<]+)</a>: '
                            r'Proficient\s*', item)
        assert link, item
        url, name = link.groups()
        assert item.count(url) == 1 and item.count(name) == 1  # no raw URL, no repeat
