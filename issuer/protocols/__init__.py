"""Standard protocols (the W3C VC API) and the documents others dereference: issuer profiles,
DID documents, JWKS, achievements, status lists and credentials by id."""
