"""A fetcher that serves fixed documents, to test resolution without a network."""

from __future__ import annotations

from credentials.fetch import FetchError, FetchProblem, SafeFetcher


class FakeFetcher(SafeFetcher):
    """Serves fixed documents, to test resolution without a network."""

    def __init__(self, documents: dict) -> None:
        super().__init__()
        object.__setattr__(self, "documents", documents)

    def get_json(self, url: str) -> object:
        if url not in self.documents:
            raise FetchError(f"{url!r} answered HTTP 404", FetchProblem.NOT_FOUND)
        return self.documents[url]
