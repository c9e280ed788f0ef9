"""Times come back from the store timezone-aware, in UTC, on SQLite as on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from sqlalchemy import select, update

from issuer.store import store
from issuer.store.models import ApiToken
from tests.service.conftest import Service


def test_times_read_back_aware_in_utc(service: Service) -> None:
    later = datetime(2031, 5, 1, 14, 30, tzinfo=timezone(timedelta(hours=2)))
    with store(service.app).sessions() as db, db.begin():
        db.execute(update(ApiToken).values(expires_at=later))
    with store(service.app).sessions() as db:
        created, expires = db.execute(select(ApiToken.created_at, ApiToken.expires_at)).first()
    assert created.tzinfo is UTC and expires.tzinfo is UTC
    assert expires == later and expires.hour == 12
    assert datetime.now(UTC) - created < timedelta(hours=1)
