"""Send a new link" on the judge's page (issue 13 point 5) calls the re-issue: the old link and
its code stop working, and the replacement is in the hearing's audit log (the old invitation
ended as re-issued, the new one issued with `reissue: true`), committed with it, on SQLite and
PostgreSQL. The overview the page reads after a reload names the active invitation. Instants
come from a fixed clock."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.hearings.kit import Court, draft
from vc_service.errors import ServiceError
from vc_service.hearings.models import Invitation

NOW = datetime(2027, 2, 1, 12, 0, tzinfo=UTC)
START = "2027-03-02T09:00:00Z"  # a Tuesday, 10:00 in Paris


async def test_a_new_link_voids_the_old_one_and_is_audited(desk: Court) -> None:
    desk.services.hearings.schedule.clock = lambda: NOW
    record = await desk.hearings.schedule.create(desk.judge.viewer, draft(starts_at=START))
    witness = record.person_heard
    invitations = desk.hearings.invitations
    old = await invitations.issue(desk.judge.viewer, record.id, witness.id)
    new = await invitations.issue(desk.judge.viewer, record.id, witness.id, reissue=True)
    assert (new.token, new.link) != (old.token, old.link)

    events = await desk.events(record.id)
    ended, issued = events[-2], events[-1]
    assert ended["type"] == "invitation.revoked"
    assert ended["invitation_id"] == old.invitation_id and ended["reason"] == "re-issued"
    assert issued["type"] == "invitation.issued"
    assert issued["invitation_id"] == new.invitation_id and issued["reissue"] is True

    async with desk.services.db.session() as s:
        stale = await s.get(Invitation, old.invitation_id)
        assert stale is not None and stale.status == "superseded"
    overview = await invitations.overview(desk.judge.viewer, record.id)
    line = next(item for item in overview if item["participant"]["id"] == witness.id)
    assert line["invitation"]["id"] == new.invitation_id
    assert line["invitation"]["status"] == "active"

    # The old link no longer opens anything, with either code.
    desk.services.hearings.schedule.clock = lambda: datetime(2027, 3, 2, 8, 50, tzinfo=UTC)
    for code in (old.code, new.code):
        with pytest.raises(ServiceError) as refused:
            await desk.hearings.joining.join(record.id, old.token, code)
        assert refused.value.code == "invitation.superseded"
