"""Fixtures for the audit log's storage, signing and export tests (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest

from vc_service.audit.store import AuditStore
from vc_service.db import new_id
from vc_service.services import Services

JUDGE = {"role": "judge", "id": "u-judge", "name": "Judge Ana Ruiz"}
SYSTEM = {"role": "system", "id": "vc-service"}


@pytest.fixture
def audit(any_services: Services) -> AuditStore:
    return any_services.audit


@pytest.fixture
def sqlite_audit(services: Services) -> AuditStore:
    """For tests of logic that does not depend on the database (validation, timers)."""
    return services.audit


@pytest.fixture
def hearing() -> str:
    return new_id()
