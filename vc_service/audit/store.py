"""The per-hearing append-only event log in the database, with group commit.

Every event is canonical JSON with the envelope `log`, `seq`, `ts`, `type`, `actor` plus the
caller's fields; its exact bytes and leaf hash are stored once and never rewritten.

`seq` allocation cannot fork or skip, from tasks or from several server processes: each writing
transaction first bumps the log's head row (`UPDATE … SET size = size + k … RETURNING size`).
That statement takes the head row's lock on PostgreSQL (a concurrent writer waits, then sees the
new size) and the database write lock on SQLite (it is the transaction's first write, so there is
no stale read snapshot to upgrade); the lock is held until commit, so seqs also commit in order.
The `(hearing_id, seq)` primary key backs this up.

Group commit: `append` queues the event and one flusher task writes everything queued into one
transaction; each caller's await returns only after that transaction has committed, so an event
is durable before the action it records is acknowledged.

The court log (issue 14 point 9): each court has one more log in the same tables, keyed
`court/<court id>` and named `<domain>/court/<court id>`, which never closes. A hearing's
`hearing.created` (when it names its `court_id`) writes `court.hearing_created` into it in the
same transaction, and sealing writes `court.hearing_sealed` (the hearing's origin, final size and
root) in the transaction that marks the hearing sealed, so no hearing exists or is sealed without
its court event, and a hearing deleted or sealed again with other content contradicts the court
log. Only the store writes court events: `append` and `append_in` take hearing ids only. Within a
transaction, hearing head rows are locked before court head rows (one lock order, no deadlock).
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Table, insert, select, update
from sqlalchemy import event as sa_event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from vc_service.audit import AuditError
from vc_service.audit.bundle import COURT_CREATED, COURT_SEALED
from vc_service.audit.canonical import canonical_bytes, parse_canonical
from vc_service.audit.checkpoint import parse_checkpoint_body, parse_signed_note
from vc_service.audit.events import (
    CLOSING_EVENT,
    EventError,
    LogSealed,
    check_event,
    check_hearing_id,
    format_ts,
)
from vc_service.audit.export import Attachments, AttachmentSource, export_bundle
from vc_service.audit.keys import SigningKeys
from vc_service.audit.models import AuditEvent, AuditLog
from vc_service.audit.signing import LogSigner
from vc_service.audit.tree import MerkleTree, leaf_hash
from vc_service.audit.tsa import TimestampClient
from vc_service.config import Settings
from vc_service.db import Database, utcnow
from vc_service.service_key import ServiceKey

log = logging.getLogger(__name__)

MAX_BATCH = 2000
MAX_TRIES = 5
TREE_CACHE = 32
CHECKPOINT_EVENTS = 256  # sign an interim checkpoint at least every this many events
CHECKPOINT_SECONDS = 30.0  # ... or this long after an unsigned event
_HEAD: Table = AuditLog.__table__  # type: ignore[assignment]  # Core, skips ORM sync

# Called after each commit with (hearing_id, new_size); the checkpoint signer listens here.
CommitHook = Callable[[str, int], None]

# The key of a court's log in the tables keyed by hearing id; the UUID after it is the court's.
COURT_LOG = "court/"
_SEALER = {"role": "system", "id": "vc-service"}


def court_log_id(court_id: str) -> str:
    check_hearing_id(court_id)  # court ids are lowercase UUIDs too (`db.new_id()`)
    return COURT_LOG + court_id


def _court_of_created(event_type: str, fields: dict[str, object]) -> str | None:
    """The court log a hearing's creation is recorded in (None: the event names no court)."""
    court = fields.get("court_id") if event_type == "hearing.created" else None
    return None if court is None else court_log_id(str(court))


@dataclass(frozen=True)
class CourtProof:
    """What the clerk's bundle carries to prove a hearing's final checkpoint is in its court's
    log: the court's signed checkpoint, the court event's exact bytes, its audit path."""

    checkpoint: bytes
    event: bytes
    seq: int
    proof: list[bytes]


@dataclass
class _Pending:
    hearing_id: str
    event_type: str
    actor: dict[str, str]
    fields: dict[str, object]
    future: asyncio.Future[int] | None = None
    court: str | None = None  # the court log that records this hearing.created


@dataclass
class _Written:
    items: list[_Pending]
    seqs: list[int] = field(default_factory=list)  # one per accepted item, in order
    leaves: list[bytes] = field(default_factory=list)
    court: dict[str, list[_Pending]] = field(default_factory=dict)  # events for court logs

    @property
    def rejected(self) -> bool:
        """Some items came after `hearing.closed` (or the log was already closed)."""
        return len(self.seqs) < len(self.items)


class AuditStore:
    """One hearing = one log. `services.audit` is the instance."""

    def __init__(self, db: Database, settings: Settings, key: ServiceKey) -> None:
        self.db = db
        self.settings = settings
        self.key = key
        self.origin_domain = settings.audit_origin_domain
        self._pending: list[_Pending] = []
        self._flusher: asyncio.Task[None] | None = None
        self._trees: OrderedDict[str, MerkleTree] = OrderedDict()
        self._hooks: list[CommitHook] = []
        # Statistics for the bench and the tests: commits and events written by group commit.
        self.commits = 0
        self.committed_events = 0
        self.keys = SigningKeys(db, key, self.origin_domain)
        self._key_ready = False
        self.signer = LogSigner(
            self,
            self.keys,
            every_events=int(getattr(settings, "audit_checkpoint_events", CHECKPOINT_EVENTS)),
            every_seconds=float(getattr(settings, "audit_checkpoint_seconds", CHECKPOINT_SECONDS)),
            tsa=_tsa_client(settings),
        )
        self.add_commit_hook(self.signer.on_commit)
        # Recording and minutes register here the files their events bind (see `export`).
        self.attachment_sources: list[AttachmentSource] = []

    def origin(self, hearing_id: str) -> str:
        """`<domain>/hearing/<id>`, or `<domain>/court/<id>` for a court log (`court/<id>`):
        distinct prefixes, so neither passes for the other in a verifier."""
        if hearing_id.startswith(COURT_LOG):
            court = hearing_id[len(COURT_LOG) :]
            check_hearing_id(court)
            return f"{self.origin_domain}/court/{court}"
        check_hearing_id(hearing_id)
        return f"{self.origin_domain}/hearing/{hearing_id}"

    def court_origin(self, court_id: str) -> str:
        return self.origin(court_log_id(court_id))

    def add_commit_hook(self, hook: CommitHook) -> None:
        self._hooks.append(hook)

    # -- writing ------------------------------------------------------------------------------

    async def append(
        self,
        hearing_id: str,
        event_type: str,
        actor: dict[str, str],
        fields: dict[str, object],
    ) -> int:
        """Append one event and return its seq once it is committed (group-committed with the
        other appends in flight)."""
        check_hearing_id(hearing_id)
        check_event(event_type, actor, fields)
        court = _court_of_created(event_type, fields)
        future: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self._pending.append(
            _Pending(hearing_id, event_type, dict(actor), dict(fields), future, court)
        )
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush(), name="audit-group-commit")
        return await future

    async def append_in(
        self,
        session: AsyncSession,
        hearing_id: str,
        event_type: str,
        actor: dict[str, str],
        fields: dict[str, object],
    ) -> int:
        """Append inside the caller's transaction: the event commits (or rolls back) with the
        caller's own changes. The head row stays locked until the caller commits."""
        check_hearing_id(hearing_id)
        check_event(event_type, actor, fields)
        court = _court_of_created(event_type, fields)
        item = _Pending(hearing_id, event_type, dict(actor), dict(fields), court=court)
        written = await self._write(session, hearing_id, [item])
        if written.rejected:
            raise self._sealed_error(hearing_id)
        seq = written.seqs[0]
        self._notify_after_commit(session, hearing_id, seq + 1)
        for court_log, items in written.court.items():
            court_written = await self._write(session, court_log, items)
            self._notify_after_commit(session, court_log, court_written.seqs[-1] + 1)
        return seq

    def _notify_after_commit(self, session: AsyncSession, log_id: str, size: int) -> None:
        loop = asyncio.get_running_loop()

        def committed(_: Session) -> None:
            # Checkpoint hooks learn of the event only once the caller's transaction commits.
            loop.call_soon(self._run_hooks, log_id, size)

        sa_event.listen(session.sync_session, "after_commit", committed, once=True)

    def _run_hooks(self, hearing_id: str, size: int) -> None:
        """After a commit that wrote events (so also the first signing key, if it was new)."""
        self._key_ready = True
        for hook in self._hooks:
            hook(hearing_id, size)

    async def _flush(self) -> None:
        while self._pending:
            batch, self._pending = self._pending[:MAX_BATCH], self._pending[MAX_BATCH:]
            try:
                written = await self._commit(batch)
            except BaseException as exc:
                for item in batch:
                    if item.future is not None and not item.future.done():
                        item.future.set_exception(exc)
                if isinstance(exc, asyncio.CancelledError):
                    raise
                log.warning("audit group commit failed: %s", exc)
                continue
            self.commits += 1
            for hearing_id, result in written.items():
                self.committed_events += len(result.seqs)
                await self._after_commit(hearing_id, result)

    async def _commit(self, batch: list[_Pending]) -> dict[str, _Written]:
        by_log: dict[str, list[_Pending]] = {}
        for item in batch:
            by_log.setdefault(item.hearing_id, []).append(item)
        for attempt in range(MAX_TRIES):
            try:
                async with self.db.transaction() as session:
                    # One lock order for every writer, so two batches cannot deadlock: the
                    # hearings sorted, then the court logs their creations name, sorted.
                    out = {h: await self._write(session, h, by_log[h]) for h in sorted(by_log)}
                    courts: dict[str, list[_Pending]] = {}
                    for result in out.values():
                        for court_log, items in result.court.items():
                            courts.setdefault(court_log, []).extend(items)
                    for court_log in sorted(courts):
                        out[court_log] = await self._write(session, court_log, courts[court_log])
                    return out
            except DBAPIError as exc:
                if attempt + 1 == MAX_TRIES or not _is_transient(exc):
                    raise
                log.info("audit group commit retried after %s", type(exc.orig).__name__)
                await asyncio.sleep(0.01 * (attempt + 1))
        raise AssertionError("unreachable")

    async def _after_commit(self, hearing_id: str, result: _Written) -> None:
        for item, seq in zip(result.items, result.seqs, strict=False):
            if item.future is not None and not item.future.done():
                item.future.set_result(seq)
        for item in result.items[len(result.seqs) :]:
            if item.future is not None and not item.future.done():
                item.future.set_exception(self._sealed_error(hearing_id))
        tree = self._trees.get(hearing_id)
        if tree is not None and result.seqs and tree.size == result.seqs[0]:
            for leaf in result.leaves:
                tree.append(leaf)
        if result.seqs:
            self._run_hooks(hearing_id, result.seqs[-1] + 1)

    async def _write(
        self, session: AsyncSession, hearing_id: str, items: Sequence[_Pending]
    ) -> _Written:
        accepted = list(items)
        for position, item in enumerate(items):
            if item.event_type == CLOSING_EVENT:
                accepted = list(items[: position + 1])
                break
        closing = accepted[-1].event_type == CLOSING_EVENT
        written = _Written(items=list(items))
        new_size = await self._allocate(session, hearing_id, len(accepted), closing)
        if new_size is None:
            return written
        if not self._key_ready:
            # Known to exist only once this transaction commits (see `_run_hooks`).
            await self.keys.ensure_in(session)
        origin = self.origin(hearing_id)
        ts = format_ts(utcnow())
        start = new_size - len(accepted)
        rows = []
        for offset, item in enumerate(accepted):
            seq = start + offset
            event: dict[str, object] = dict(item.fields)
            event.update(actor=item.actor, log=origin, seq=seq, ts=ts, type=item.event_type)
            data = canonical_bytes(event)
            leaf = leaf_hash(data)
            rows.append(
                {
                    "hearing_id": hearing_id,
                    "seq": seq,
                    "event_type": item.event_type,
                    "data": data,
                    "leaf_hash": leaf,
                }
            )
            written.seqs.append(seq)
            written.leaves.append(leaf)
            if item.court is not None:
                # The court records the creation event itself (its bytes' leaf hash), so the
                # hearing cannot later start from another one.
                written.court.setdefault(item.court, []).append(
                    _Pending(
                        item.court,
                        COURT_CREATED,
                        item.actor,
                        {"hearing": hearing_id, "origin": origin, "seq": seq, "leaf": leaf.hex()},
                    )
                )
        await session.execute(insert(AuditEvent), rows)
        return written

    async def _allocate(
        self, session: AsyncSession, hearing_id: str, count: int, closing: bool
    ) -> int | None:
        """Reserve `count` seqs; returns the log's new size, or None if the log is closed."""
        head = _HEAD
        values: dict[str, Any] = {"size": head.c.size + count}
        if closing:
            # SET expressions see the old row, so this is the new size.
            values["closed_size"] = head.c.size + count
        bump = (
            update(head)
            .where(head.c.hearing_id == hearing_id, head.c.closed_size.is_(None))
            .values(values)
            .returning(head.c.size)
        )
        for _ in range(2):
            new_size = (await session.execute(bump)).scalar_one_or_none()
            if new_size is not None:
                return int(new_size)
            exists = await session.execute(
                select(head.c.hearing_id).where(head.c.hearing_id == hearing_id)
            )
            if exists.first() is not None:
                return None
            dialect = session.get_bind().dialect.name
            make = postgresql.insert if dialect == "postgresql" else sqlite.insert
            await session.execute(
                make(head)
                .values(
                    hearing_id=hearing_id,
                    origin=self.origin(hearing_id),
                    size=0,
                    created_at=utcnow(),
                )
                .on_conflict_do_nothing(index_elements=["hearing_id"])
            )
        raise AssertionError("the head row was just created")

    async def court_sealed_in(
        self, session: AsyncSession, hearing_id: str, size: int, note: bytes
    ) -> None:
        """Mark the hearing's log sealed and, in the same transaction, append
        `court.hearing_sealed` (its origin, final size and root) to its court's log: called by
        the signer's sealing transaction. Only the transaction that seals writes it, so a court
        log records each hearing's final checkpoint once."""
        sealed = await session.execute(
            update(_HEAD)
            .where(_HEAD.c.hearing_id == hearing_id, _HEAD.c.sealed_at.is_(None))
            .values(sealed_at=utcnow())
            .returning(_HEAD.c.hearing_id)
        )
        if sealed.first() is None:
            return
        first = await session.get(AuditEvent, (hearing_id, 0))
        created = None if first is None else parse_canonical(bytes(first.data))
        if created is None or created.get("type") != "hearing.created":
            return
        court = _court_of_created("hearing.created", created)
        if court is None:
            return  # a log without a court (tests, logs from before issue 14 point 9)
        head = parse_checkpoint_body(parse_signed_note(note).body)
        fields: dict[str, object] = {
            "hearing": hearing_id,
            "origin": head.origin,
            "size": head.size,
            "root": head.root.hex(),
        }
        written = await self._write(
            session, court, [_Pending(court, COURT_SEALED, _SEALER, fields)]
        )
        self._notify_after_commit(session, court, written.seqs[-1] + 1)

    async def court_proof(self, hearing_id: str) -> CourtProof | None:
        """The court log's proof that it recorded this sealed hearing's final checkpoint: a
        freshly signed court checkpoint, the `court.hearing_sealed` event and its audit path.
        None for a hearing whose log names no court or was sealed before court logs."""
        first = await self.event(hearing_id, 0)
        if first is None:
            return None
        court = _court_of_created("hearing.created", parse_canonical(first))
        if court is None:
            return None
        async with self.db.session() as session:
            rows = await session.execute(
                select(AuditEvent.seq, AuditEvent.data)
                .where(AuditEvent.hearing_id == court, AuditEvent.event_type == COURT_SEALED)
                .order_by(AuditEvent.seq)
            )
            found = [
                (seq, bytes(data))
                for seq, data in rows
                if parse_canonical(bytes(data)).get("hearing") == hearing_id
            ]
        if not found:
            return None
        if len(found) > 1:
            raise AuditError(
                "audit.court.twice",
                f"the court log records hearing {hearing_id} sealed {len(found)} times",
                {"hearing_id": hearing_id},
            )
        seq, data = found[0]
        note = await self.signer.checkpoint(court)
        assert note is not None  # the court log holds at least this event
        size = parse_checkpoint_body(parse_signed_note(note).body).size
        proof = await self.inclusion_proof(court, seq, size)
        return CourtProof(note, data, seq, proof)

    async def court_log(self, court_id: str) -> tuple[bytes, list[bytes]] | None:
        """A freshly signed checkpoint of the court's log and exactly the events it covers
        (`log court-export`); None while the court has no hearing."""
        court = court_log_id(court_id)
        note = await self.signer.checkpoint(court)
        if note is None:
            return None
        size = parse_checkpoint_body(parse_signed_note(note).body).size
        return note, (await self.events(court))[:size]

    def _sealed_error(self, hearing_id: str) -> LogSealed:
        return LogSealed(
            "audit.log.sealed",
            f"the log of hearing {hearing_id} is closed: it took its {CLOSING_EVENT} event",
            {"hearing_id": hearing_id},
        )

    async def close(self) -> None:
        """Wait for the appends in flight, stop checkpoint timers (used at shutdown)."""
        if self._flusher is not None and not self._flusher.done():
            await asyncio.shield(self._flusher)
        await self.signer.close()

    # -- signed heads (see `signing.py`) ------------------------------------------------------

    async def seal(self, hearing_id: str) -> bytes:
        """Final signed checkpoint after `hearing.closed` (+ RFC 3161 token if configured)."""
        return await self.signer.seal(hearing_id)

    async def checkpoint(self, hearing_id: str) -> bytes | None:
        """Sign an interim checkpoint of the log as it is now (None if it is empty)."""
        return await self.signer.checkpoint(hearing_id)

    async def register_cosigner(self, hearing_id: str, name: str, public_key: bytes) -> str:
        check_hearing_id(hearing_id)
        return await self.keys.register_cosigner(hearing_id, name, public_key)

    async def add_cosignature(
        self, hearing_id: str, line: str, public_key: bytes | None = None
    ) -> str:
        return await self.signer.add_cosignature(hearing_id, line, public_key)

    async def export(
        self,
        hearing_id: str,
        out: Path,
        progress: Callable[[str], None] | None = None,
        extra: Attachments | None = None,
    ) -> dict[str, Any]:
        """Write the sealed hearing's clerk bundle (zip) to `out`; returns its index."""
        if progress is None:
            return await export_bundle(self, hearing_id, out, extra=extra)
        return await export_bundle(self, hearing_id, out, progress, extra)

    # -- reading ------------------------------------------------------------------------------

    async def head(self, hearing_id: str) -> AuditLog | None:
        async with self.db.session() as session:
            return await session.get(AuditLog, hearing_id)

    async def size(self, hearing_id: str) -> int:
        head = await self.head(hearing_id)
        return 0 if head is None else head.size

    async def event(self, hearing_id: str, seq: int) -> bytes | None:
        async with self.db.session() as session:
            row = await session.get(AuditEvent, (hearing_id, seq))
        return None if row is None else bytes(row.data)

    async def events(self, hearing_id: str) -> list[bytes]:
        """The exact bytes of every committed event, in seq order."""
        async with self.db.session() as session:
            rows = await session.execute(
                select(AuditEvent.seq, AuditEvent.data)
                .where(AuditEvent.hearing_id == hearing_id)
                .order_by(AuditEvent.seq)
            )
            out: list[bytes] = []
            for seq, data in rows:
                _check_contiguous(hearing_id, seq, len(out))
                out.append(bytes(data))
        return out

    async def tree(self, hearing_id: str) -> MerkleTree:
        """The cached Merkle tree of the log, brought up to date with what is committed."""
        tree = self._trees.get(hearing_id)
        if tree is None:
            tree = self._trees[hearing_id] = MerkleTree()
            while len(self._trees) > TREE_CACHE:
                self._trees.popitem(last=False)
        self._trees.move_to_end(hearing_id)
        async with self.db.session() as session:
            rows = await session.execute(
                select(AuditEvent.seq, AuditEvent.leaf_hash)
                .where(AuditEvent.hearing_id == hearing_id, AuditEvent.seq >= tree.size)
                .order_by(AuditEvent.seq)
            )
            for seq, leaf in rows:
                # A commit that landed while we read may already have extended the tree.
                if seq < tree.size:
                    continue
                _check_contiguous(hearing_id, seq, tree.size)
                tree.append(bytes(leaf))
        return tree

    async def root(self, hearing_id: str, size: int | None = None) -> bytes:
        return (await self.tree(hearing_id)).root(size)

    async def inclusion_proof(
        self, hearing_id: str, index: int, size: int | None = None
    ) -> list[bytes]:
        return (await self.tree(hearing_id)).inclusion_proof(index, size)

    async def consistency_proof(
        self, hearing_id: str, old_size: int, new_size: int | None = None
    ) -> list[bytes]:
        return (await self.tree(hearing_id)).consistency_proof(old_size, new_size)


def _tsa_client(settings: Settings) -> TimestampClient | None:
    if not settings.tsa_url:
        return None
    # `tsa_ca_file` (VC_TSA_CA_FILE) is read once the setting exists; see docs/audit-log.md.
    ca_file = getattr(settings, "tsa_ca_file", None)
    return TimestampClient(settings.tsa_url, None if ca_file is None else Path(ca_file))


def _check_contiguous(hearing_id: str, seq: int, expected: int) -> None:
    if seq != expected:
        raise AuditError(
            "audit.log.gap",
            f"log of hearing {hearing_id} has seq {seq} where {expected} was expected",
            {"hearing_id": hearing_id, "seq": seq},
        )


def _is_transient(exc: DBAPIError) -> bool:
    """Deadlock or serialisation failure (PostgreSQL), a busy database (SQLite)."""
    state = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
    if state in {"40001", "40P01"}:
        return True
    return "database is locked" in str(exc.orig)


__all__ = [
    "COURT_CREATED",
    "COURT_SEALED",
    "AuditStore",
    "CourtProof",
    "EventError",
    "LogSealed",
    "check_event",
    "check_hearing_id",
    "court_log_id",
]
