"""Signed heads of the hearing logs: interim checkpoints, sealing, cosignatures, timestamps.

During a hearing a checkpoint is signed every `every_events` events or `every_seconds` seconds
after an unsigned event, whichever comes first. Sealing signs the final checkpoint, whose size is
fixed by the `hearing.closed` event (the store refuses every event after it), so that event is
always the last leaf. A log signs checkpoints of one growing tree only, so any two of them are
consistent. Each note is stored as the exact bytes signed; cosignature lines are verified against
the cosigners registered for the hearing before they are stored.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Coroutine
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from vc_service.audit import AuditError
from vc_service.audit.canonical import parse_canonical
from vc_service.audit.checkpoint import (
    SIG_TYPE_COSIGNATURE_V1,
    Checkpoint,
    SignedNote,
    Signer,
    TrustedKey,
    open_checkpoint,
    parse_signed_note,
    sign_checkpoint,
    verify_cosignatures,
)
from vc_service.audit.events import parse_ts
from vc_service.audit.keys import SigningKeys
from vc_service.audit.models import (
    AuditCheckpoint,
    AuditCosignature,
    AuditForkReport,
    AuditLog,
    AuditTimestamp,
)
from vc_service.audit.tree import ProofError
from vc_service.audit.tsa import TimestampClient
from vc_service.audit.witness import ForkRefused, check_extension
from vc_service.db import utcnow

if TYPE_CHECKING:
    from vc_service.audit.store import AuditStore

log = logging.getLogger(__name__)

# A cosigner's clock may run a little ahead of ours; more than this is a future timestamp.
COSIGNATURE_SKEW_SECONDS = 300


class LogNotClosed(AuditError):
    status = 409
    code = "audit.log.not_closed"


class LogSigner:
    def __init__(
        self,
        store: AuditStore,
        keys: SigningKeys,
        every_events: int,
        every_seconds: float,
        tsa: TimestampClient | None = None,
    ) -> None:
        self.store = store
        self.keys = keys
        self.every_events = every_events
        self.every_seconds = every_seconds
        self.tsa = tsa
        self._signed: dict[str, int] = {}  # hearing -> size of the last checkpoint we signed
        self._timers: dict[str, asyncio.Task[None]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        keys.before_retire = self._sign_pending

    # -- interim checkpoints --------------------------------------------------------------------

    def on_commit(self, hearing_id: str, size: int) -> None:
        """Commit hook of the store: decide whether a checkpoint is due."""
        if size - self._signed.get(hearing_id, 0) >= self.every_events:
            self._spawn(self._interim(hearing_id))
        elif hearing_id not in self._timers:
            self._timers[hearing_id] = self._spawn(self._after_delay(hearing_id))

    def _spawn(self, work: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _after_delay(self, hearing_id: str) -> None:
        try:
            await asyncio.sleep(self.every_seconds)
        finally:
            self._timers.pop(hearing_id, None)
        await self._interim(hearing_id)

    async def _interim(self, hearing_id: str) -> None:
        try:
            await self.checkpoint(hearing_id)
        except Exception:
            # A missed interim checkpoint weakens nothing the final one does not restore; the
            # next commit tries again.
            log.exception("interim checkpoint of hearing %s failed", hearing_id)

    async def checkpoint(self, hearing_id: str, size: int | None = None) -> bytes | None:
        """Sign (once) and store the checkpoint of the log at `size` (default: now); returns the
        stored note, or None for an empty log."""
        tree = await self.store.tree(hearing_id)
        size = tree.size if size is None else size
        if size == 0:
            return None
        if size <= self._signed.get(hearing_id, 0):
            existing = await self.note(hearing_id, size)
            if existing is not None:
                return existing
        last = await self.store.event(hearing_id, size - 1)
        assert last is not None
        signers = await self.keys.signers_for(parse_ts(parse_canonical(last)["ts"]))
        head = Checkpoint(self.store.origin(hearing_id), size, tree.root(size))
        note = sign_checkpoint(head, signers)
        names = " ".join(signer.name for signer in signers)
        async with self.store.db.transaction() as session:
            await _insert_ignore(session, hearing_id, size, note, names)
        self._signed[hearing_id] = max(size, self._signed.get(hearing_id, 0))
        stored = await self.note(hearing_id, size)
        assert stored is not None
        return stored

    async def _sign_pending(self, signers: list[Signer]) -> None:
        """Before a key retires (its private part is then destroyed): each log not yet sealed
        gets its checkpoint at its current size, or its final size once closed, signed by the
        retiring and the new key, so a log closed before the rotation and sealed after it still
        verifies whether the reference time is its last event or a later genTime."""
        async with self.store.db.session() as session:
            rows = (
                (
                    await session.execute(
                        select(AuditLog).where(AuditLog.sealed_at.is_(None), AuditLog.size > 0)
                    )
                )
                .scalars()
                .all()
            )
        names = " ".join(signer.name for signer in signers)
        for row in rows:
            size = row.closed_size or row.size
            tree = await self.store.tree(row.hearing_id)
            note = sign_checkpoint(Checkpoint(row.origin, size, tree.root(size)), signers)
            async with self.store.db.transaction() as session:
                existing = await session.get(AuditCheckpoint, (row.hearing_id, size))
                if existing is None:
                    await _insert_ignore(session, row.hearing_id, size, note, names)
                elif row.closed_size is not None:
                    # Same text, more signatures: the final note must carry the new key too.
                    existing.note, existing.key_name = note, names

    async def note(self, hearing_id: str, size: int) -> bytes | None:
        async with self.store.db.session() as session:
            row = await session.get(AuditCheckpoint, (hearing_id, size))
        return None if row is None else bytes(row.note)

    async def checkpoints(self, hearing_id: str) -> list[AuditCheckpoint]:
        async with self.store.db.session() as session:
            rows = await session.execute(
                select(AuditCheckpoint)
                .where(AuditCheckpoint.hearing_id == hearing_id)
                .order_by(AuditCheckpoint.size)
            )
            return list(rows.scalars().all())

    # -- sealing ------------------------------------------------------------------------------

    async def seal(self, hearing_id: str) -> bytes:
        """Sign the final checkpoint (the log must have taken `hearing.closed`), timestamp it
        if a TSA is configured, and mark the log sealed; returns the final note. Idempotent."""
        head = await self.store.head(hearing_id)
        if head is None or head.closed_size is None:
            raise LogNotClosed(
                "audit.log.not_closed",
                f"the log of hearing {hearing_id} has no hearing.closed event yet",
                {"hearing_id": hearing_id},
            )
        size = head.closed_size
        note = await self.checkpoint(hearing_id, size)
        assert note is not None
        if self.tsa is not None and await self.timestamp(hearing_id, size) is None:
            body = parse_signed_note(note).body
            await self._after_second_of(hearing_id, size)
            stamp = await self.tsa.stamp(body)
            async with self.store.db.transaction() as session:
                session.add(
                    AuditTimestamp(
                        hearing_id=hearing_id,
                        size=size,
                        query=stamp.query,
                        reply=stamp.reply,
                        gen_time=stamp.gen_time,
                        tsa_url=self.tsa.url,
                        created_at=utcnow(),
                    )
                )
        async with self.store.db.transaction() as session:
            await session.execute(
                update(AuditCheckpoint)
                .where(AuditCheckpoint.hearing_id == hearing_id, AuditCheckpoint.size == size)
                .values(final=True)
            )
            await self.store.court_sealed_in(session, hearing_id, size, note)  # issue 14 pt 9
            await session.execute(
                update(AuditLog)
                .where(AuditLog.hearing_id == hearing_id, AuditLog.sealed_at.is_(None))
                .values(sealed_at=utcnow())
            )
        timer = self._timers.pop(hearing_id, None)
        if timer is not None:
            timer.cancel()
        return note

    async def _after_second_of(self, hearing_id: str, size: int) -> None:
        """Wait until the second after the last event's ts: many TSAs give genTime in whole
        seconds, and a verifier requires genTime >= the last event's ts."""
        last = await self.store.event(hearing_id, size - 1)
        assert last is not None
        moment = parse_ts(parse_canonical(last)["ts"]).replace(microsecond=0)
        wait = (moment + timedelta(seconds=1) - utcnow()).total_seconds()
        if wait > 0:
            await asyncio.sleep(wait)

    async def final_size(self, hearing_id: str) -> int | None:
        """Size of the sealed log's final checkpoint, or None while it is not sealed."""
        head = await self.store.head(hearing_id)
        if head is None or head.sealed_at is None:
            return None
        return head.closed_size

    async def timestamp(self, hearing_id: str, size: int) -> AuditTimestamp | None:
        async with self.store.db.session() as session:
            return await session.get(AuditTimestamp, (hearing_id, size))

    # -- cosignatures -------------------------------------------------------------------------

    async def add_cosignature(
        self, hearing_id: str, line: str, public_key: bytes | None = None
    ) -> str:
        """Store a `cosignature/v1` line over the final checkpoint after verifying it with the
        hearing's registered cosigner of that name; returns the cosigner's name.

        With `public_key` (raw Ed25519, e.g. a key an authority keeps in its browser) the line is
        verified with that key first and only then is the key registered as the cosigner of
        that name: a line that does not verify never leaves a registration behind."""
        size = await self.final_size(hearing_id)
        note = None if size is None else await self.note(hearing_id, size)
        if size is None or note is None:
            raise LogNotClosed(
                "audit.log.not_sealed",
                f"the log of hearing {hearing_id} is not sealed: nothing to cosign yet",
                {"hearing_id": hearing_id},
            )
        text = line if line.endswith("\n") else line + "\n"
        if text.count("\n") != 1:
            raise AuditError("audit.cosignature.format", "give exactly one signature line")
        parsed = parse_signed_note(note + text.encode("utf-8"))
        added = parsed.signatures[-1]
        if public_key is None:
            keys = [k for k in await self.keys.cosigners(hearing_id) if k.name == added.name]
        else:
            keys = [TrustedKey(added.name, public_key, SIG_TYPE_COSIGNATURE_V1)]
        if not keys or keys[0].key_id != added.key_id:
            raise AuditError(
                "audit.cosignature.unknown_cosigner",
                f"{added.name} is not a cosigner registered for hearing {hearing_id} "
                "(or the key id differs)",
                {"hearing_id": hearing_id, "name": added.name},
            )
        found = verify_cosignatures(SignedNote(parsed.body, (added,)), keys)
        if keys[0] not in found:
            raise AuditError(
                "audit.cosignature.unknown_cosigner",
                f"the line is not a cosignature/v1 of {added.name}",
                {"hearing_id": hearing_id, "name": added.name},
            )
        if found[keys[0]] > time.time() + COSIGNATURE_SKEW_SECONDS:
            raise AuditError(
                "audit.cosignature.future", f"the cosignature of {added.name} is dated ahead"
            )
        if public_key is not None:
            await self.keys.register_cosigner(hearing_id, added.name, public_key)
        async with self.store.db.transaction() as session:
            existing = await session.get(AuditCosignature, (hearing_id, size, added.name))
            if existing is None:
                session.add(
                    AuditCosignature(
                        hearing_id=hearing_id,
                        size=size,
                        cosigner=added.name,
                        line=added.line(),
                        created_at=utcnow(),
                    )
                )
            else:
                existing.line = added.line()
        log.info("hearing %s: final checkpoint cosigned by %s", hearing_id, added.name)
        return added.name

    async def consistency(self, hearing_id: str, known: int) -> list[bytes]:
        """The consistency proof from the log's first `known` events to its final checkpoint,
        which a cosigner holding a checkpoint of that size asks for before it cosigns."""
        size = await self.final_size(hearing_id)
        if size is None:
            raise LogNotClosed(
                "audit.log.not_sealed",
                f"the log of hearing {hearing_id} is not sealed",
                {"hearing_id": hearing_id},
            )
        if not 1 <= known <= size:
            raise AuditError(
                "audit.proof.size",
                f"a checkpoint of {known} events is not a prefix of a log of {size}",
                {"known": known, "size": size},
            )
        return await self.store.consistency_proof(hearing_id, known, size)

    async def record_fork(
        self, hearing_id: str, reporter_id: str, cosigner: str, held: bytes, offered: bytes
    ) -> AuditForkReport:
        """A cosigner refused to sign `offered` because it contradicts `held`, which it signed
        before. Both must be this log's checkpoints signed by one of our log keys (the report
        is evidence against us, so it must not be forgeable either) and must really conflict;
        the report is committed before it is acknowledged and kept for good."""
        keys = [info.trusted() for info in await self.keys.all()]
        origin = self.store.origin(hearing_id)
        heads: list[Checkpoint] = []
        for what, note in (("held", held), ("offered", offered)):
            try:
                head = open_checkpoint(note, keys)[0]
            except AuditError as exc:
                raise AuditError(
                    "audit.fork.evidence", f"the {what} checkpoint is not ours: {exc.message}"
                ) from exc
            if head.origin != origin:
                raise AuditError(
                    "audit.fork.evidence",
                    f"the {what} checkpoint is of {head.origin}, not {origin}",
                )
            heads.append(head)
        first, second = heads
        tree = await self.store.tree(hearing_id)
        proof: list[bytes] = []
        if first.size < second.size <= tree.size and tree.root(second.size) == second.root:
            try:
                proof = tree.consistency_proof(first.size, second.size)
            except ProofError:
                proof = []
        try:
            check_extension(first, second, proof)
        except ForkRefused as refused:
            reason = refused.reason
        else:
            raise AuditError(
                "audit.fork.not_a_fork",
                f"the offered checkpoint of {second.size} events extends the held one of "
                f"{first.size}: there is no fork to report",
            )
        report = AuditForkReport(
            hearing_id=hearing_id,
            reporter_id=reporter_id,
            cosigner=cosigner,
            reason=reason,
            held_note=held,
            offered_note=offered,
            created_at=utcnow(),
        )
        async with self.store.db.transaction() as session:
            session.add(report)
        log.warning(
            "hearing %s: cosigner %s refused a %s (held %d events, offered %d); report %s",
            hearing_id, cosigner, reason, first.size, second.size, report.id,
        )  # fmt: skip
        return report

    async def fork_reports(self, hearing_id: str) -> list[AuditForkReport]:
        async with self.store.db.session() as session:
            rows = await session.execute(
                select(AuditForkReport)
                .where(AuditForkReport.hearing_id == hearing_id)
                .order_by(AuditForkReport.created_at)
            )
            return list(rows.scalars().all())

    async def signed_note(self, hearing_id: str, size: int) -> bytes | None:
        """The checkpoint at `size` with its stored cosignature lines appended."""
        note = await self.note(hearing_id, size)
        if note is None:
            return None
        async with self.store.db.session() as session:
            lines = (
                await session.execute(
                    select(AuditCosignature.line)
                    .where(AuditCosignature.hearing_id == hearing_id, AuditCosignature.size == size)
                    .order_by(AuditCosignature.cosigner)
                )
            ).scalars()
            extra = "".join(lines).encode("utf-8")
        return note + extra

    async def wait_idle(self) -> None:
        """Wait for the interim checkpoints already due (not the timers)."""
        due = [task for task in self._tasks if task not in self._timers.values()]
        if due:
            await asyncio.gather(*due, return_exceptions=True)

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)


async def _insert_ignore(
    session: AsyncSession, hearing_id: str, size: int, note: bytes, key_name: str
) -> None:
    # Two nodes may sign the same size: the first stored note wins, both are valid.
    make = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    await session.execute(
        make(AuditCheckpoint)
        .values(
            hearing_id=hearing_id,
            size=size,
            note=note,
            key_name=key_name,
            final=False,
            created_at=utcnow(),
        )
        .on_conflict_do_nothing(index_elements=["hearing_id", "size"])
    )
