"""No private key material in any response, log line or database column in clear."""

from __future__ import annotations

import base64
import logging
from pathlib import Path

from sqlalchemy import select, text

from issuer.services.keyring import signer_for
from issuer.store import store
from issuer.store.models import Base, Issuer, SigningKey
from issuer.web.context import service_context
from keys.multibase import ED25519_PRIV, encode_base58btc, encode_multikey
from tests.service.conftest import completion_body


def private_forms(service) -> list[str]:
    """Every textual form the issuers' private keys could leak in."""
    forms = []
    with store(service.app).sessions() as db:
        for key, issuer in db.execute(select(SigningKey, Issuer).join(Issuer)).all():
            seed = signer_for(issuer, key, service_context(service.app).kek, "x", "y") \
                .private_bytes()
            forms += [seed.hex(), seed.hex().upper(), base64.b64encode(seed).decode(),
                      base64.urlsafe_b64encode(seed).decode().rstrip("="),
                      encode_base58btc(seed), encode_multikey(ED25519_PRIV, seed)]
    return forms


def test_private_keys_never_leave_the_key_store(service, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    client, auth = service.client, service.auth(service.admin)
    bodies = [
        client.post("/api/v1/issuers/riverbend/completions", json=completion_body(),
                    headers=auth),
        client.get("/issuers/riverbend/did.json"),
        client.get("/issuers/riverbend"),
        client.get("/api/v1/issuers/riverbend/credentials", headers=auth),
        client.post("/credentials/issue", headers=auth, json={"credential": {
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "type": ["VerifiableCredential"], "issuer": "http://localhost:5000/issuers/riverbend",
            "credentialSubject": {"id": "did:example:1"}}}),
        client.post("/api/v1/issuers/riverbend/tokens", headers=auth, json={"role": "admin"}),
    ]
    responses = "\n".join(r.get_data(as_text=True) + str(r.headers) for r in bodies)
    with store(service.app).engine.connect() as connection:
        cells = []
        for table in Base.metadata.sorted_tables:
            for row in connection.execute(text(f"SELECT * FROM {table.name}")):
                cells += [value.hex() if isinstance(value, bytes) else str(value)
                          for value in row]
    database = "\n".join(cells)
    raw = b"".join(path.read_bytes() for path in
                   Path(service.app.instance_path).glob("credentials.sqlite3*"))
    forms = private_forms(service)
    assert len(forms) == 12
    for form in forms:
        assert form not in responses
        assert form not in caplog.text
        assert form not in database
    with store(service.app).sessions() as db:
        seeds = [signer_for(i, k, service_context(service.app).kek, "x", "y").private_bytes()
                 for k, i in db.execute(select(SigningKey, Issuer).join(Issuer)).all()]
    assert all(seed not in raw for seed in seeds)
