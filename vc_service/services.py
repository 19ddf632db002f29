"""The service container: every long-lived part, built once per process and shared.

HTTP handlers, the CLI and the signaling gateway all reach the domain through this object, so a
test can build the same wiring the server runs.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from legal_profiles.loader import ProfileSet, load_profiles
from vc_service import clock
from vc_service.accounts.service import AccountService
from vc_service.audit.store import AuditStore
from vc_service.config import Settings, prepare_data_dir
from vc_service.db import Database
from vc_service.hearings.registry import Hearings
from vc_service.service_key import ServiceKey

log = logging.getLogger(__name__)


@dataclass
class Services:
    settings: Settings
    db: Database
    key: ServiceKey
    accounts: AccountService
    legal: ProfileSet
    audit: AuditStore
    hearings: Hearings

    @classmethod
    def build(cls, settings: Settings) -> Services:
        # Imported here: closing imports the hearings part, which the app imports from us.
        from vc_service.closing.sealing import install as install_minutes

        if settings.clock_start is not None and not clock.is_shifted():
            clock.start_at(settings.clock_start)
            log.warning(
                "VC_CLOCK_START: this process's clock started at %s, not the system's time "
                "(tests and rehearsals only)",
                settings.clock_start.isoformat(),
            )
        prepare_data_dir(settings.data_dir)
        db = Database(settings.database_url)
        key = ServiceKey.load_or_create(settings.secret_key_file)
        # An invalid profile stops start-up here rather than leaving a silent hole.
        legal = load_profiles(settings.legal_profiles_dir)
        audit = AuditStore(db, settings, key)
        install_minutes(audit, settings.data_dir)  # the minutes reach every export
        return cls(
            settings=settings,
            db=db,
            key=key,
            accounts=AccountService(db, settings, key),
            legal=legal,
            audit=audit,
            hearings=Hearings(db, settings, key, legal, audit),
        )

    async def close(self) -> None:
        await self.audit.close()
        await self.db.dispose()
