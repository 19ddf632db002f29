"""Issue 14 points 5 and 8: the verifier's time (times never run backwards, genTime within the
policy's bound after the last event, a timestamp whenever the policy names a TSA) and the
checkpoints a verifier already holds (`known`), which no rewriting of the bundle can hide.

Each test fails on the code before the issue: a backwards log, a log dated back into a retired
key's window and stamped today, a log missing its timestamp under a policy that names a TSA, and
a forked log whose contradicting interim checkpoint was stripped all verified."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.audit.factory import (
    ORIGIN,
    PREFIX,
    START,
    VERIFY_NOW,
    build_sample,
    checkpoint_for,
    make_events,
    member,
    policy,
)
from tests.audit.support import fixed_key, golden_signer
from tests.audit.tsa import POLICY_OID, LocalTsa
from vc_service.audit import scan as scan_module
from vc_service.audit.bundle import build_bundle
from vc_service.audit.canonical import canonical_bytes, parse_canonical
from vc_service.audit.checkpoint import Checkpoint as Head
from vc_service.audit.checkpoint import Signer, parse_signed_note, sign_checkpoint
from vc_service.audit.policy import PolicyKey, TrustPolicy, TsaRoot, policy_from_dict
from vc_service.audit.scan import scan_all, scan_events, scan_events_reference
from vc_service.audit.tree import MerkleTree, leaf_hash
from vc_service.audit.verify import VerificationReport, verify_bundle

RETIRED = Signer("audit.court.example/audit-key/1", fixed_key("retired log key"))


def failed_step(report: VerificationReport) -> tuple[int, str | None]:
    first = next(step for step in report.steps if not step.passed)
    return first.number, first.code


def ts(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def with_ts(line: bytes, moment: datetime) -> bytes:
    return canonical_bytes({**parse_canonical(line), "ts": ts(moment)})


def signed_by(directory: Path, events: list[bytes], signer: Signer, **extra: bytes) -> Path:
    """A bundle of `events` whose checkpoints only `signer` signed (and nothing bound)."""
    size = len(events)
    tree = MerkleTree(leaf_hash(line) for line in events)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "bundle.zip"
    build_bundle(
        path,
        events=events,
        checkpoint=sign_checkpoint(Head(ORIGIN, size, tree.root()), [signer]),
        interim_checkpoints=[],
        timestamp=extra.get("timestamp"),
    )
    return path


def plain_events(count: int, start: datetime) -> list[bytes]:
    judge = {"id": "u-judge-1", "role": "judge"}
    bodies: list[dict[str, object]] = [
        {"type": "note.added", "actor": judge, "n": n} for n in range(count - 1)
    ]
    bodies.append({"type": "hearing.closed", "actor": judge})
    return [
        canonical_bytes(
            {**body, "log": ORIGIN, "seq": seq, "ts": ts(start + timedelta(seconds=seq))}
        )
        for seq, body in enumerate(bodies)
    ]


# -- (5) times never run backwards ----------------------------------------------------------


def test_a_log_whose_times_run_backwards_is_refused(tmp_path: Path) -> None:
    events = make_events()
    # The closing event 9 dated before event 8: the log's order and its times disagree.
    events[9] = with_ts(events[9], START + timedelta(seconds=2))
    sample = build_sample(tmp_path, events=events, interim=())
    report = verify_bundle(sample.path, policy(), expected_origin=ORIGIN, now=VERIFY_NOW)
    assert failed_step(report) == (8, "audit.event.ts_order")
    assert "event 9: ts 2026-11-23T09:00:02.000000Z is before" in report.render()
    # Equal times are fine (group commit dates a whole batch with one instant).
    same = make_events()
    same[9] = with_ts(same[9], START + timedelta(seconds=8))
    sample = build_sample(tmp_path / "same", events=same, interim=())
    assert verify_bundle(sample.path, policy(), expected_origin=ORIGIN, now=VERIFY_NOW).ok


def test_the_shape_pass_and_the_worker_chunks_see_backwards_times(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    lines = plain_events(400, START)
    for bad in (70, 256):  # on the learnt-shape path; at the first event of the second chunk
        wrong = list(lines)
        wrong[bad] = with_ts(wrong[bad], START)
        reference = scan_events_reference(wrong, 0, len(wrong), ORIGIN)
        assert reference.error is not None and reference.error[1] == "audit.event.ts_order"
        assert scan_events(wrong, 0, len(wrong), ORIGIN) == reference
        assert scan_events(wrong, 0, len(wrong), ORIGIN, learn_after=1) == reference
        monkeypatch.setattr(scan_module, "MIN_CHUNK", 128)
        scans = scan_all(wrong, ORIGIN, workers=2)
        assert len(scans) > 1
        errors = [scan.error for scan in scans if scan.error is not None]
        assert errors[0] == reference.error
    assert all(scan.error is None for scan in scan_all(lines, ORIGIN, workers=2))


# -- (5) a timestamp whenever the policy names a TSA; genTime within the bound ----------------


def _policy_dict(keys: list[tuple[Signer, datetime, datetime | None]], tsa_root: bytes) -> dict:
    entries = []
    for signer, start, end in keys:
        entry = {
            "name": signer.name,
            "public_key": base64.b64encode(signer.public_key).decode(),
            "valid_from": ts(start)[:19] + "Z",
        }
        if end is not None:
            entry["valid_until"] = ts(end)[:19] + "Z"
        entries.append(entry)
    return {
        "version": 1,
        "origin_prefix": PREFIX,
        "log_keys": entries,
        "tsa_roots": [{"name": "test TSA", "certificate": tsa_root.decode()}],
    }


@pytest.fixture(scope="module")
def tsa(tmp_path_factory: pytest.TempPathFactory) -> LocalTsa:
    return LocalTsa(tmp_path_factory.mktemp("tsa"))


def test_a_retired_keys_log_without_a_timestamp_fails_when_the_policy_names_a_tsa(
    tmp_path: Path, tsa: LocalTsa
) -> None:
    # Whoever has the retired key (say from a backup) writes a hearing inside its window.
    retired_until = datetime(2026, 6, 1, tzinfo=UTC)
    doc = _policy_dict(
        [
            (RETIRED, datetime(2026, 1, 1, tzinfo=UTC), retired_until),
            (golden_signer(), retired_until, None),
        ],
        tsa.root_pem,
    )
    trust = policy_from_dict(doc)
    assert trust.require_timestamp  # not written, implied by the TSA
    forged = signed_by(tmp_path, plain_events(5, datetime(2026, 4, 1, tzinfo=UTC)), RETIRED)
    report = verify_bundle(forged, trust, expected_origin=ORIGIN, now=VERIFY_NOW)
    assert failed_step(report) == (6, "audit.timestamp.missing")
    # A policy may still say explicitly that it does without time stamps.
    trust = policy_from_dict({**doc, "require_timestamp": False})
    assert verify_bundle(forged, trust, expected_origin=ORIGIN, now=VERIFY_NOW).ok


def test_a_log_dated_back_and_stamped_today_is_refused(tmp_path: Path, tsa: LocalTsa) -> None:
    # The TSA's genTime is its own clock, so this test places everything relative to it.
    now = datetime.now(UTC).replace(microsecond=0)
    rotation = now - timedelta(days=30)
    trust = TrustPolicy(
        origin_prefix=PREFIX,
        log_keys=(
            PolicyKey(RETIRED.name, RETIRED.public_key, now - timedelta(days=100), rotation),
            PolicyKey(golden_signer().name, golden_signer().public_key, rotation),
        ),
        tsa_roots=(TsaRoot("test TSA", tsa.root_pem, None, (POLICY_OID,)),),
        require_timestamp=True,
    )
    # Today's key (leaked) signs a hearing dated into the retired key's window, and any TSA
    # stamps it today: genTime >= the last event, and the key is valid at genTime.
    events = plain_events(5, now - timedelta(days=40))
    draft = signed_by(tmp_path / "draft", events, golden_signer())
    token = tsa.stamp(parse_signed_note(member(draft, "checkpoint")).body)
    forged = signed_by(tmp_path / "forged", events, golden_signer(), timestamp=token)
    report = verify_bundle(forged, trust, expected_origin=ORIGIN)
    assert failed_step(report) == (6, "audit.timestamp.too_late")
    assert "more than 24 h after the last event" in report.render()

    # A hearing sealed an hour ago passes with the default bound of one day, and not with a
    # policy that allows half an hour.
    events = plain_events(5, now - timedelta(hours=1))
    draft = signed_by(tmp_path / "draft2", events, golden_signer())
    token = tsa.stamp(parse_signed_note(member(draft, "checkpoint")).body)
    fresh = signed_by(tmp_path / "fresh", events, golden_signer(), timestamp=token)
    assert verify_bundle(fresh, trust, expected_origin=ORIGIN).ok
    strict = TrustPolicy(**{**trust.__dict__, "max_timestamp_delay": timedelta(minutes=30)})
    report = verify_bundle(fresh, strict, expected_origin=ORIGIN)
    assert failed_step(report) == (6, "audit.timestamp.too_late")
    # And a verifier whose clock is before genTime (beyond the skew) does not accept it.
    report = verify_bundle(fresh, trust, expected_origin=ORIGIN, now=now - timedelta(hours=2))
    assert failed_step(report) == (6, "audit.timestamp.future")


def test_the_timestamp_delay_is_a_policy_field() -> None:
    doc = {
        "version": 1,
        "origin_prefix": PREFIX,
        "log_keys": [
            {
                "name": golden_signer().name,
                "public_key": base64.b64encode(golden_signer().public_key).decode(),
            }
        ],
    }
    assert policy_from_dict(doc).max_timestamp_delay == timedelta(days=1)
    assert policy_from_dict({**doc, "max_timestamp_delay_seconds": 600}).max_timestamp_delay == (
        timedelta(minutes=10)
    )
    for bad in (-1, 31 * 86400, "600", 1.5):
        with pytest.raises(Exception, match="max_timestamp_delay_seconds"):
            policy_from_dict({**doc, "max_timestamp_delay_seconds": bad})


# -- (8) checkpoints the verifier already holds -----------------------------------------------


def _forked(events: list[bytes], at: int) -> list[bytes]:
    """Another history of the same log from event `at` on (one field changed)."""
    fork = list(events)
    event = parse_canonical(fork[at])
    fork[at] = canonical_bytes({**event, "condition": "identity_checked_remotely"})
    return fork


def test_a_known_checkpoint_must_be_a_prefix_of_the_log(tmp_path: Path) -> None:
    events = make_events()
    honest = build_sample(tmp_path / "honest", events=events)
    held = checkpoint_for(events, 5)  # e.g. what the authority saw during the hearing
    report = verify_bundle(
        honest.path, policy(), expected_origin=ORIGIN, now=VERIFY_NOW, known=[held]
    )
    assert report.ok, report.render()
    assert "known checkpoint(s) at size 5 consistent" in report.steps[9].detail
    final = member(honest.path, "checkpoint")
    assert verify_bundle(honest.path, policy(), now=VERIFY_NOW, known=[final]).ok

    # The operator showed the authority a history in which event 3 said something else, then
    # rewrote it; the rewritten bundle has no interim checkpoint that would betray it.
    rewritten = build_sample(tmp_path / "rewritten", events=_forked(events, 3), interim=())
    fork_held = checkpoint_for(events, 5)
    assert verify_bundle(rewritten.path, policy(), now=VERIFY_NOW).ok  # alone it verifies
    report = verify_bundle(rewritten.path, policy(), now=VERIFY_NOW, known=[fork_held])
    assert failed_step(report) == (10, "audit.proof.fork")
    # The same at the final size: two different finals.
    report = verify_bundle(rewritten.path, policy(), now=VERIFY_NOW, known=[final])
    assert failed_step(report) == (10, "audit.proof.fork")


def test_a_known_checkpoint_longer_than_the_log_is_a_fork(tmp_path: Path) -> None:
    events = make_events()
    note = canonical_bytes({**parse_canonical(events[-2]), "seq": 9, "type": "note.added"})
    longer = [*events[:-1], note, canonical_bytes({**parse_canonical(events[-1]), "seq": 10})]
    held = checkpoint_for(longer, 11)
    sample = build_sample(tmp_path, events=events)
    report = verify_bundle(sample.path, policy(), now=VERIFY_NOW, known=[held])
    assert failed_step(report) == (10, "audit.proof.fork")
    assert "has 11 events, the final one only 10" in report.render()


def test_a_known_checkpoint_must_be_signed_and_of_this_log(tmp_path: Path) -> None:
    events = make_events()
    sample = build_sample(tmp_path, events=events)
    stranger = Signer("audit.court.example/log-2026", fixed_key("someone else"))
    tree = MerkleTree(leaf_hash(line) for line in events[:5])
    unsigned = sign_checkpoint(Head(ORIGIN, 5, tree.root()), [stranger])
    report = verify_bundle(sample.path, policy(), now=VERIFY_NOW, known=[unsigned])
    assert failed_step(report) == (10, "audit.known.invalid")
    other = ORIGIN.replace("0b5e", "1b5e")
    elsewhere = checkpoint_for(make_events(other), 5, other)
    report = verify_bundle(sample.path, policy(), now=VERIFY_NOW, known=[elsewhere])
    assert failed_step(report) == (10, "audit.known.origin")
    report = verify_bundle(sample.path, policy(), now=VERIFY_NOW, known=[b"not a note"])
    assert failed_step(report) == (2, "audit.known.invalid")
