"""Issue 14 point 9: a court-wide log of hearings, on SQLite and PostgreSQL.

Each hearing's creation and its final checkpoint are events of its court's log (same tree,
signed checkpoints), the clerk's bundle carries the court proof, and `log court-verify` checks a
hearing's final checkpoint against it. Before the issue no court log existed: a hearing's log
could be deleted, or re-made under the same id with another final checkpoint, and nothing the
service had handed out before contradicted it.
"""

from __future__ import annotations

import asyncio
import re
import subprocess
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import delete

from tests.audit_store.helpers import close_and_seal, current_policy
from tests.closing.story import closed_hearing
from tests.hearings.conftest import desk
from tests.hearings.kit import Court
from vc_service.audit import AuditError
from vc_service.audit.bundle import (
    COURT_CREATED,
    COURT_SEALED,
    CourtPart,
    build_bundle,
    parse_proof_text,
    verifier_file,
)
from vc_service.audit.canonical import canonical_bytes, parse_canonical
from vc_service.audit.checkpoint import (
    Checkpoint,
    open_checkpoint,
    parse_checkpoint_body,
    parse_signed_note,
    public_key_pem,
    sign_checkpoint,
)
from vc_service.audit.court import build_court_log, verify_court
from vc_service.audit.keys import policy_text, trust_policy_document
from vc_service.audit.models import AuditCheckpoint, AuditEvent, AuditLog
from vc_service.audit.policy import TrustPolicy
from vc_service.audit.store import AuditStore, court_log_id
from vc_service.audit.tree import MerkleTree, leaf_hash, verify_consistency
from vc_service.audit.verify import verify_bundle
from vc_service.cli import main
from vc_service.closing.sealing import close_and_seal as seal_hearing
from vc_service.db import new_id, utcnow
from vc_service.services import Services

JUDGE = {"role": "judge", "id": "u-judge", "name": "Judge Ana Ruiz"}
__all__ = ["desk"]  # the hearings tests' court, on SQLite and PostgreSQL


async def _hearing(audit: AuditStore, court: str, note: str = "oath") -> str:
    hearing = new_id()
    await audit.append(hearing, "hearing.created", JUDGE, {"court_id": court, "title": note})
    await audit.append(hearing, "condition.met", JUDGE, {"condition": note})
    await close_and_seal(audit, hearing)
    return hearing


async def _court_log(audit: AuditStore, court: str, out: Path) -> Path:
    found = await audit.court_log(court)
    assert found is not None
    build_court_log(out, *found)
    return out


def _court_verify(
    bundle: Path,
    policy: TrustPolicy,
    audit: AuditStore,
    hearing: str,
    court: str,
    **options: object,
) -> tuple[bool, str]:
    report = verify_court(
        bundle,
        policy,
        hearing_origin=audit.origin(hearing),
        court_id=court,
        **options,  # type: ignore[arg-type]
    )
    return report.ok, report.render()


async def test_a_bundle_carries_its_court_proof_and_verifies(
    any_services: Services, tmp_path: Path
) -> None:
    audit = any_services.audit
    court = new_id()
    first = await _hearing(audit, court)
    hearing = await _hearing(audit, court, "identity")
    events = [parse_canonical(e) for e in await audit.events(court_log_id(court))]
    assert [(e["type"], e["hearing"]) for e in events] == [
        (COURT_CREATED, first),
        (COURT_SEALED, first),
        (COURT_CREATED, hearing),
        (COURT_SEALED, hearing),
    ]
    assert {e["log"] for e in events} == {f"{audit.origin_domain}/court/{court}"}
    final = parse_checkpoint_body(parse_signed_note(await audit.seal(hearing)).body)
    assert events[3]["origin"] == audit.origin(hearing)
    assert (events[3]["size"], events[3]["root"]) == (final.size, final.root.hex())
    # The court's creation event binds the hearing's first event by its leaf hash.
    created = await audit.event(hearing, 0)
    assert created is not None and events[2]["leaf"] == leaf_hash(created).hex()

    bundle = tmp_path / "hearing.zip"
    index = await audit.export(hearing, bundle)
    assert index["court"] == {"origin": events[3]["log"], "seq": 3, "size": 4}
    with zipfile.ZipFile(bundle) as archive:
        assert archive.read("court/event.json") == canonical_bytes(events[3])
    policy = await current_policy(audit)
    plain = await asyncio.to_thread(
        verify_bundle, bundle, policy, expected_origin=audit.origin(hearing)
    )
    assert plain.ok, plain.render()  # log verify reads the court part as part of the layout
    court_log = await _court_log(audit, court, tmp_path / "court.zip")
    ok, text = await asyncio.to_thread(
        _court_verify, bundle, policy, audit, hearing, court, court_log=court_log
    )
    assert ok, text
    assert "4 events: 2 hearing(s) created, 2 sealed" in text

    # Another court's id, or another hearing's, is refused: they are the clerk's inputs.
    ok, text = await asyncio.to_thread(_court_verify, bundle, policy, audit, hearing, new_id())
    assert not ok and "audit.court.origin" in text, text
    ok, text = await asyncio.to_thread(_court_verify, bundle, policy, audit, first, court)
    assert not ok and "audit.checkpoint.origin" in text, text


async def test_the_command_line(
    any_services: Services, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    audit = any_services.audit
    court = new_id()
    hearing = await _hearing(audit, court)
    bundle = tmp_path / "hearing.zip"
    await audit.export(hearing, bundle)
    court_log = await _court_log(audit, court, tmp_path / "court.zip")
    policy = tmp_path / "trust.json"
    doc = trust_policy_document(await audit.keys.all(), f"{audit.origin_domain}/hearing/")
    policy.write_text(policy_text(doc, "json"))
    args = ["log", "court-verify", str(bundle), "--trust", str(policy), "--hearing", hearing]
    code = await asyncio.to_thread(main, [*args, "--court", court, "--court-log", str(court_log)])
    out = capsys.readouterr().out
    assert code == 0 and "result: VERIFIED" in out, out
    code = await asyncio.to_thread(main, [*args, "--court", new_id()])
    out = capsys.readouterr().out
    assert code == 1 and "audit.court.origin" in out, out


async def test_creation_commits_with_its_court_event(any_services: Services) -> None:
    """A hearing is never created without its court event: both commit or neither does."""
    audit = any_services.audit
    court, hearing = new_id(), new_id()
    with pytest.raises(RuntimeError):
        async with any_services.db.transaction() as session:
            await audit.append_in(session, hearing, "hearing.created", JUDGE, {"court_id": court})
            raise RuntimeError("the hearing's own rows failed")
    assert await audit.size(hearing) == 0
    assert await audit.size(court_log_id(court)) == 0
    async with any_services.db.transaction() as session:
        await audit.append_in(session, hearing, "hearing.created", JUDGE, {"court_id": court})
    assert await audit.size(hearing) == 1
    [event] = [parse_canonical(e) for e in await audit.events(court_log_id(court))]
    assert (event["type"], event["hearing"], event["seq"]) == (COURT_CREATED, hearing, 0)
    # Only the store writes a court log; the hearing API refuses its key.
    with pytest.raises(AuditError) as caught:
        await audit.append(court_log_id(court), "court.hearing_sealed", JUDGE, {})
    assert caught.value.code == "audit.event.hearing_id"
    with pytest.raises(AuditError):
        await audit.append(new_id(), "hearing.created", JUDGE, {"court_id": "Court-1"})


async def test_a_replaced_hearing_is_caught(any_services: Services, tmp_path: Path) -> None:
    """The operator deletes a sealed hearing's log and makes it again under the same id (another
    final checkpoint). The court log keeps the first one: the re-made record's bundle fails
    court-verify with the court log, and with the first bundle's court part copied."""
    audit = any_services.audit
    court = new_id()
    hearing = await _hearing(audit, court)
    original = tmp_path / "original.zip"
    await audit.export(hearing, original)
    policy = await current_policy(audit)

    async with any_services.db.transaction() as session:
        for table in (AuditEvent, AuditCheckpoint, AuditLog):
            await session.execute(delete(table).where(table.hearing_id == hearing))
    audit._trees.clear()
    audit.signer._signed.pop(hearing, None)
    await audit.append(hearing, "hearing.created", JUDGE, {"court_id": court, "title": "x"})
    await audit.append(hearing, "condition.met", JUDGE, {"condition": "no_oath"})
    remade = await close_and_seal(audit, hearing)
    # The service itself refuses to export a hearing its court log records sealed twice.
    with pytest.raises(AuditError) as caught:
        await audit.export(hearing, tmp_path / "refused.zip")
    assert caught.value.code == "audit.court.twice"

    # What an operator's altered exporter would hand out instead.
    events = await audit.events(hearing)
    court_events = await audit.events(court_log_id(court))
    court_note = await audit.signer.checkpoint(court_log_id(court))
    assert court_note is not None
    tree = MerkleTree(leaf_hash(e) for e in court_events)
    with zipfile.ZipFile(original) as archive:
        copied = (
            archive.read("court/checkpoint"),
            archive.read("court/event.json"),
            archive.read("court/inclusion.txt"),
        )
    fresh = CourtPart(
        court_note,
        court_events[-1],
        len(court_events) - 1,
        tree.inclusion_proof(len(court_events) - 1),
    )
    old = CourtPart(copied[0], copied[1], 1, parse_proof_text(copied[2], "court/inclusion.txt"))
    court_log = await _court_log(audit, court, tmp_path / "court.zip")
    forged = tmp_path / "forged.zip"
    build_bundle(forged, events=events, checkpoint=remade, court=fresh)
    ok, text = await asyncio.to_thread(
        _court_verify, forged, policy, audit, hearing, court, court_log=court_log
    )
    assert not ok and "audit.court.twice" in text and "replaced" in text, text
    # The first bundle's court proof does not fit the re-made record.
    with pytest.raises(AuditError) as caught:
        build_bundle(tmp_path / "copied.zip", events=events, checkpoint=remade, court=old)
    assert caught.value.code == "audit.court.mismatch"
    copied_zip = tmp_path / "copied.zip"
    build_bundle(copied_zip, events=events, checkpoint=remade)
    _graft(copied_zip, original)
    ok, text = await asyncio.to_thread(_court_verify, copied_zip, policy, audit, hearing, court)
    assert not ok and "audit.court.mismatch" in text, text
    # A bundle without a court part proves nothing about the court.
    bare = tmp_path / "bare.zip"
    build_bundle(bare, events=events, checkpoint=remade)
    ok, text = await asyncio.to_thread(_court_verify, bare, policy, audit, hearing, court)
    assert not ok and "audit.court.missing" in text, text


def _graft(target: Path, source: Path) -> None:
    """Copy `source`'s court part (and its index entry) into `target`, as a forger would."""
    with zipfile.ZipFile(source) as archive:
        court = {n: archive.read(n) for n in archive.namelist() if n.startswith("court/")}
        entry = parse_canonical(archive.read("bundle.json")[:-1])["court"]
    with zipfile.ZipFile(target) as archive:
        members = {n: archive.read(n) for n in archive.namelist()}
    index = parse_canonical(members["bundle.json"][:-1])
    index["court"] = entry
    members["bundle.json"] = canonical_bytes(index) + b"\n"
    members.update(court)
    with zipfile.ZipFile(target, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)


async def test_a_removed_hearing_is_caught(any_services: Services, tmp_path: Path) -> None:
    """The operator drops a sealed hearing and rewrites the court log without it (re-signed
    with its own key). A court checkpoint handed out before (any later bundle's) contradicts
    the rewritten court log."""
    audit = any_services.audit
    court = new_id()
    removed = await _hearing(audit, court)
    kept = await _hearing(audit, court, "identity")
    bundle = tmp_path / "kept.zip"
    await audit.export(kept, bundle)
    policy = await current_policy(audit)
    honest = await _court_log(audit, court, tmp_path / "court.zip")
    ok, text = await asyncio.to_thread(
        _court_verify, bundle, policy, audit, kept, court, court_log=honest
    )
    assert ok, text

    lines: list[bytes] = []
    for data in await audit.events(court_log_id(court)):
        event = parse_canonical(data)
        if event["hearing"] == removed:
            continue
        event["seq"] = len(lines)
        lines.append(canonical_bytes(event))
    root = MerkleTree(leaf_hash(line) for line in lines).root()
    signers = await audit.keys.signers_for(utcnow())
    note = sign_checkpoint(Checkpoint(audit.court_origin(court), len(lines), root), signers)
    rewritten = tmp_path / "rewritten.zip"
    build_court_log(rewritten, note, lines)
    ok, text = await asyncio.to_thread(
        _court_verify, bundle, policy, audit, kept, court, court_log=rewritten
    )
    assert not ok and "audit.court.fork" in text and "removed or replaced" in text, text
    # The same with a court checkpoint held from before (e.g. published with a count).
    with zipfile.ZipFile(bundle) as archive:
        held = archive.read("court/checkpoint")
    ok, text = await asyncio.to_thread(
        _court_verify, bundle, policy, audit, kept, court, court_log=honest, known_court=[held]
    )
    assert ok, text
    ok, text = await asyncio.to_thread(
        _court_verify, bundle, policy, audit, kept, court, known_court=[note]
    )
    assert not ok and "audit.court.known" in text, text


async def test_court_checkpoints_are_signed_and_consistent_as_the_log_grows(
    any_services: Services,
) -> None:
    audit = any_services.audit
    court = new_id()
    heads = []
    for _ in range(3):
        await _hearing(audit, court)
        keys = (await current_policy(audit)).trusted_log_keys()
        note = await audit.signer.checkpoint(court_log_id(court))
        assert note is not None
        head, _, signed = open_checkpoint(note, keys)
        assert signed and head.origin == f"{audit.origin_domain}/court/{court}"
        heads.append(head)
    assert [head.size for head in heads] == [2, 4, 6]
    tree = await audit.tree(court_log_id(court))
    for old, new in ((heads[0], heads[1]), (heads[1], heads[2]), (heads[0], heads[2])):
        proof = tree.consistency_proof(old.size, new.size)
        verify_consistency(old.size, new.size, old.root, new.root, proof)
    # A court checkpoint cannot pass for a hearing's record: its origin is not a hearing's.
    policy = await current_policy(audit)
    assert not policy.origin_prefix.endswith("/court/")
    assert audit.court_origin(court) != audit.origin(court)
    assert not audit.court_origin(court).startswith(policy.origin_prefix)


def _stock_route(directory: Path, audit: AuditStore, name: str, hearing: str, court: str) -> str:
    """Every ```sh block of the published VERIFY.md, with this clerk's inputs and the court."""
    text = verifier_file("VERIFY.md").decode("utf-8")
    blocks = re.findall(r"```sh\n(.*?)```", text, re.S)
    assert "COURT=" in blocks[0] and any("court/inclusion.txt" in b for b in blocks)
    # These records bind no file: step 3 (one file alone, the minutes) has nothing to show.
    blocks = [block for block in blocks if "FILE=minutes.html" not in block]
    inputs = (
        f"POLICY=policy.json\nKEY=log.pem\nNAME='{name}'\nORIGIN='{audit.origin(hearing)}'\n"
        f"TSA_ROOT=''\nCOURT='{audit.court_origin(court)}'\n"
    )
    return "set -eu\n" + "\n".join([inputs, *blocks[1:]])


async def test_the_stock_tool_route_checks_the_court_inclusion(
    any_services: Services, tmp_path: Path
) -> None:
    audit = any_services.audit
    court = new_id()
    other = await _hearing(audit, court)
    hearing = await _hearing(audit, court, "identity")
    bundle, grafted = tmp_path / "hearing.zip", tmp_path / "grafted.zip"
    await audit.export(hearing, bundle)
    await audit.export(other, grafted)
    _graft(grafted, bundle)  # the other hearing's record with this one's court proof
    key = await audit.keys.active()
    doc = trust_policy_document(await audit.keys.all(), f"{audit.origin_domain}/hearing/")

    def run(source: Path, who: str, which_court: str) -> tuple[bool, str]:
        directory = tmp_path / f"{source.stem}-{who[:8]}-{which_court[:8]}"
        with zipfile.ZipFile(source) as archive:
            archive.extractall(directory)
        (directory / "policy.json").write_text(policy_text(doc, "json"))
        (directory / "log.pem").write_bytes(public_key_pem(key.public_key))
        script = _stock_route(directory, audit, key.name, who, which_court)
        result = subprocess.run(
            ["sh", "-c", script], cwd=directory, capture_output=True, text=True, timeout=300
        )
        return result.returncode == 0, result.stdout + result.stderr

    ok, out = await asyncio.to_thread(run, bundle, hearing, court)
    assert ok and "VERIFIED" in out and out.rstrip().endswith("inclusion OK: leaf 3 of 4"), out
    ok, out = await asyncio.to_thread(run, bundle, hearing, new_id())
    assert not ok and "ANOTHER COURT" in out, out
    ok, out = await asyncio.to_thread(run, grafted, other, court)
    assert not ok and "THE COURT LOG RECORDS ANOTHER FINAL CHECKPOINT" in out, out


async def test_a_hearing_the_service_creates_and_seals_is_in_its_court_log(
    desk: Court, tmp_path: Path
) -> None:
    """The hearing service's own creation (its `hearing.created` names the court) and the
    closing's sealing write the court events; the clerk's bundle passes court-verify."""
    services = desk.services
    closed = await closed_hearing(desk)
    hid = closed.record.id
    court = closed.record.hearing.court_id
    assert (await desk.events(hid))[0]["court_id"] == court
    await seal_hearing(services, hid)
    events = [parse_canonical(e) for e in await services.audit.events(court_log_id(court))]
    mine = [(e["type"], e["seq"]) for e in events if e["hearing"] == hid]
    assert [kind for kind, _ in mine] == [COURT_CREATED, COURT_SEALED]
    bundle = tmp_path / "clerk.zip"
    await services.audit.export(hid, bundle)
    policy = await current_policy(services.audit)
    court_log = await _court_log(services.audit, court, tmp_path / "court.zip")
    ok, text = await asyncio.to_thread(
        _court_verify, bundle, policy, services.audit, hid, court, court_log=court_log
    )
    assert ok, text
