"""alsoKnownAs binds an identifier to a did:web only when that identifier's own document
names the DID back: a signer's DID document alone claims anyone's name (DID Core calls
alsoKnownAs an assertion of its subject, nothing more)."""

from __future__ import annotations

from credentials.proofs import EDDSA_RDFC_2022, create_proof
from credentials.verify import verify_credential
from credentials.verify.resolvers import ChainResolver, DidWebResolver
from keys import Ed25519Signer
from keys.did import did_web_document
from tests.factories import unsigned_credential
from tests.resolvers_support import FakeFetcher

EVIL = "did:web:evil.example"
EVIL_URL = "https://evil.example/.well-known/did.json"
VICTIM_PROFILE = "https://registrar.university.example/issuer"
VICTIM_DID = "did:web:registrar.university.example"
VICTIM_DID_URL = "https://registrar.university.example/.well-known/did.json"
SIGNER = Ed25519Signer.from_seed(bytes(range(1, 33))).with_id(f"{EVIL}#k", EVIL)


def evil_document(also_known_as: list[str]) -> dict:
    document = did_web_document(EVIL, [SIGNER.verification_key])
    document["alsoKnownAs"] = also_known_as
    return document


class CountingFetcher(FakeFetcher):
    """Serves fixed documents and remembers every URL asked for."""

    def __init__(self, documents: dict) -> None:
        super().__init__(documents)
        object.__setattr__(self, "asked", [])

    def get_json(self, url: str) -> object:
        self.asked.append(url)
        return super().get_json(url)


def verify_as(crosswalk, issuer: str, documents: dict):
    """The report on a credential naming ``issuer``, signed by did:web:evil.example."""
    fetcher = CountingFetcher(documents)
    credential = create_proof(unsigned_credential(crosswalk, issuer_id=issuer),
                              EDDSA_RDFC_2022, SIGNER)
    return verify_credential(credential, resolver=ChainResolver([DidWebResolver(fetcher)])), \
        fetcher.asked


def test_a_signer_claiming_a_profile_url_is_not_its_issuer(crosswalk) -> None:
    victim_profile = {"id": VICTIM_PROFILE, "type": "Profile", "name": "Registrar"}
    report, _ = verify_as(crosswalk, VICTIM_PROFILE, {EVIL_URL: evil_document([VICTIM_PROFILE]),
                                           VICTIM_PROFILE: victim_profile})
    assert not report.verified and not report.issuer_bound
    assert report.check("issuer").message == (
        f"signed by a key of {EVIL}, not of the credential's issuer {VICTIM_PROFILE}")


def test_a_signer_claiming_another_did_is_not_its_issuer(crosswalk) -> None:
    victim = did_web_document(VICTIM_DID, [])
    victim["alsoKnownAs"] = [VICTIM_PROFILE]
    report, _ = verify_as(crosswalk, VICTIM_DID, {EVIL_URL: evil_document([VICTIM_DID]),
                                       VICTIM_DID_URL: victim})
    assert not report.verified and not report.issuer_bound


def test_an_alias_named_back_binds(crosswalk) -> None:
    other = did_web_document(VICTIM_DID, [])
    other["alsoKnownAs"] = [EVIL]
    report, _ = verify_as(crosswalk, VICTIM_DID, {EVIL_URL: evil_document([VICTIM_DID]),
                                       VICTIM_DID_URL: other})
    assert report.verified and report.issuer_bound, report.errors
    profile = {"id": VICTIM_PROFILE, "alsoKnownAs": EVIL}  # one string is a list of one
    report, _ = verify_as(crosswalk, VICTIM_PROFILE, {EVIL_URL: evil_document([VICTIM_PROFILE]),
                                           VICTIM_PROFILE: profile})
    assert report.verified and report.issuer_bound, report.errors


def test_a_profile_must_be_the_document_at_its_url(crosswalk) -> None:
    elsewhere = {"id": "https://registrar.university.example/other", "alsoKnownAs": [EVIL]}
    report, _ = verify_as(crosswalk, VICTIM_PROFILE, {EVIL_URL: evil_document([VICTIM_PROFILE]),
                                           VICTIM_PROFILE: elsewhere})
    assert not report.issuer_bound


def test_only_a_few_aliases_are_tried_and_only_when_the_issuer_is_not_the_signer(
        crosswalk) -> None:
    claimed = [f"https://victim{i}.example/i" for i in range(20)]
    documents = {EVIL_URL: evil_document(claimed)}
    report, asked = verify_as(crosswalk, claimed[-1], documents)
    assert not report.issuer_bound and len(asked) == 1 + 4
    report, asked = verify_as(crosswalk, EVIL, documents)
    assert report.verified and report.issuer_bound and asked == [EVIL_URL]
