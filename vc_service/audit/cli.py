"""`vc-service keys …` and `vc-service log …`: signing keys, trust policy, export and verify.

Exit codes: 0 success (for `log verify` and `log court-verify`: every checklist step passed),
1 verification failed, 2 bad input (unknown hearing, unreadable policy or bundle path, invalid
arguments).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import sys
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from vc_service.audit import AuditError
from vc_service.audit.bundle import VERIFIER_FILES, verifier_file, verifier_pins
from vc_service.audit.canonical import parse_canonical
from vc_service.audit.court import build_court_log, verify_court
from vc_service.audit.events import format_ts
from vc_service.audit.keys import default_quorum, policy_text, trust_policy_document
from vc_service.audit.policy import PolicyError, TrustPolicy, load_policy, parse_public_key
from vc_service.audit.verify import verify_bundle
from vc_service.closing import log_keys
from vc_service.config import load_settings
from vc_service.services import Services

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2


def _progress(message: str) -> None:
    print(f"  - {message}", flush=True)


def _run(args: argparse.Namespace, body: Callable[[Services], Awaitable[int]]) -> int:
    services = Services.build(load_settings(config_file=getattr(args, "config", None)))

    async def go() -> int:
        try:
            return await body(services)
        finally:
            await services.close()

    return asyncio.run(go())


def _when(value: datetime | None) -> str:
    return "-" if value is None else format_ts(value)


# -- keys -------------------------------------------------------------------------------------


def cmd_keys_rotate(args: argparse.Namespace) -> int:
    async def body(services: Services) -> int:
        before = await services.audit.keys.all()
        info = await services.audit.keys.rotate()
        since = _when(info.not_before)
        for old in before:
            if old.active:
                print(f"retired {old.name} (key id {old.key_id}), valid until {since}")
        print(f"active  {info.name} (key id {info.key_id}), valid from {since}")
        print("publish the new trust policy: vc-service keys trust-policy -o FILE")
        return EXIT_OK

    return _run(args, body)


def cmd_keys_list(args: argparse.Namespace) -> int:
    async def body(services: Services) -> int:
        keys = await services.audit.keys.all()
        if not keys:
            print("no log signing key yet (one is generated with the first event)")
        print(f"{'name':<40} {'key id':<8} {'status':<7} {'valid from':<28} valid until")
        for info in keys:
            status = "active" if info.active else "retired"
            print(
                f"{info.name:<40} {info.key_id:<8} {status:<7} {_when(info.not_before):<28} "
                f"{_when(info.not_after)}"
            )
        return EXIT_OK

    return _run(args, body)


async def _decision(services: Services, hearing_id: str) -> dict[str, Any] | None:
    from vc_service.hearings.models import Hearing

    async with services.db.session() as session:
        hearing = await session.get(Hearing, hearing_id)
    return None if hearing is None else hearing.legal_decision


def cmd_keys_trust_policy(args: argparse.Namespace) -> int:
    out: Path | None = args.output
    if out is not None and out.suffix.lower() not in (".json", ".toml"):
        print("error: the policy file must end in .toml or .json", file=sys.stderr)
        return EXIT_BAD_INPUT
    fmt = args.format or ("json" if out is not None and out.suffix.lower() == ".json" else "toml")
    roots = [(path.stem, path.read_text(encoding="ascii")) for path in args.tsa_root]

    async def body(services: Services) -> int:
        audit = services.audit
        await audit.keys.active()  # a fresh install publishes the key it will sign with
        cosigners = await audit.keys.cosigners(args.hearing) if args.hearing else []
        options = {"tsa_roots": roots, "tsa_policy_oids": args.tsa_policy}
        prefix = f"{audit.origin_domain}/hearing/"
        if args.hearing:
            # A decision that names the requested state's authority requires its cosignature
            # unless --quorum says otherwise (issue 14 point 7; keys.hearing_policy).
            decision = await _decision(services, args.hearing)
            wanted = max(len(cosigners), default_quorum(decision))
            quorum = wanted if args.quorum is None else args.quorum
            doc = await audit.keys.hearing_policy(
                args.hearing, decision, prefix, quorum=quorum, **options
            )
        else:
            doc = trust_policy_document(
                await audit.keys.all(), prefix, quorum=args.quorum or 0, **options
            )
        text = policy_text(doc, fmt)
        summary = (
            f"{len(doc['log_keys'])} log key(s), {len(cosigners)} cosigner(s), "
            f"timestamp {'required' if roots else 'optional'}"
        )
        if out is None:
            # stdout is the policy itself (to pipe or redirect); the summary goes to stderr.
            sys.stdout.write(text)
            print(f"trust policy: {summary}", file=sys.stderr)
            return EXIT_OK
        await asyncio.to_thread(out.write_text, text, encoding="utf-8")
        print(f"wrote {out}: {summary}")
        return EXIT_OK

    return _run(args, body)


def cmd_keys_export(args: argparse.Namespace) -> int:
    """The log's public key(s) as PEM (VERIFY.md's `log.pem`) or as the policy's base64."""
    out: Path | None = args.output

    async def body(services: Services) -> int:
        audit = services.audit
        await audit.keys.active()  # a fresh install publishes the key it will sign with
        # An unknown name or an unsealed hearing is a ServiceError: `main` prints it, exit 2.
        if args.hearing:
            chosen = await log_keys.hearing_keys(audit, args.hearing)
        else:
            chosen = log_keys.select(await audit.keys.all(), names=args.name, every=args.all)
        if args.base64:
            text = "".join(
                f"{info.name} {base64.b64encode(info.public_key).decode('ascii')}\n"
                for info in chosen
            )
        else:
            text = log_keys.pem_bundle(chosen)
        if out is None:
            # stdout is the key file itself; which keys it holds goes to stderr.
            sys.stdout.write(text)
            for info in chosen:
                print(log_keys.describe(info), file=sys.stderr)
            return EXIT_OK
        await asyncio.to_thread(out.write_text, text, encoding="ascii")
        for info in chosen:
            print(f"wrote {out}: {log_keys.describe(info)}")
        return EXIT_OK

    return _run(args, body)


# -- log --------------------------------------------------------------------------------------


def cmd_log_export(args: argparse.Namespace) -> int:
    async def body(services: Services) -> int:
        print(f"==> exporting the audit log of hearing {args.hearing}", flush=True)
        await services.audit.export(args.hearing, args.output, _progress)
        print(f"==> {args.output}")
        return EXIT_OK

    return _run(args, body)


def _trust_policy(path: Path) -> TrustPolicy | None:
    """The verifier's trust policy, or None after saying on stderr why it is unusable."""
    try:
        return load_policy(path)
    except PolicyError as exc:
        print(f"error: trust policy: {exc.message} [{exc.code}]", file=sys.stderr)
        return None


def cmd_log_verify(args: argparse.Namespace) -> int:
    if not args.bundle.is_file():
        print(f"error: {args.bundle} is not a file", file=sys.stderr)
        return EXIT_BAD_INPUT
    policy = _trust_policy(args.trust)
    if policy is None:
        return EXIT_BAD_INPUT
    # The hearing comes from the request the clerk answers, never from the bundle: a whole,
    # validly signed record of another hearing must not pass for this one (issue 14 point 4).
    expected = args.origin if args.origin else policy.origin_prefix + args.hearing
    # Checkpoints the clerk already holds (issue 14 point 8): the bundle must extend each.
    known = [path.read_bytes() for path in args.known]
    report = verify_bundle(args.bundle, policy, expected_origin=expected, known=known)
    print(report.render())
    return EXIT_OK if report.ok else EXIT_FAILED


def cmd_log_court_export(args: argparse.Namespace) -> int:
    async def body(services: Services) -> int:
        found = await services.audit.court_log(args.court)
        if found is None:
            print(f"error: court {args.court} has no court log (no hearing)", file=sys.stderr)
            return EXIT_BAD_INPUT
        note, events = found
        build_court_log(args.output, note, events)
        print(f"==> {args.output}: {services.audit.court_origin(args.court)}, {len(events)} events")
        return EXIT_OK

    return _run(args, body)


def cmd_log_court_verify(args: argparse.Namespace) -> int:
    for path in (args.bundle, *([args.court_log] if args.court_log else []), *args.known_court):
        if not path.is_file():
            print(f"error: {path} is not a file", file=sys.stderr)
            return EXIT_BAD_INPUT
    policy = _trust_policy(args.trust)
    if policy is None:
        return EXIT_BAD_INPUT
    # The hearing and the court come from the request, never from the bundle (point 4).
    report = verify_court(
        args.bundle,
        policy,
        hearing_origin=policy.origin_prefix + args.hearing,
        court_id=args.court,
        court_log=args.court_log,
        known=[path.read_bytes() for path in args.known],
        known_court=[path.read_bytes() for path in args.known_court],
    )
    print(report.render())
    return EXIT_OK if report.ok else EXIT_FAILED


def cmd_log_verifier(args: argparse.Namespace) -> int:
    """Write the stock-tool verifier (VERIFY.md and scripts/), the files the trust policy pins,
    for publication next to the policy."""
    out: Path = args.output
    for path in VERIFIER_FILES:
        target = out / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(verifier_file(path))
        if path.endswith(".sh"):
            target.chmod(0o755)
    for pin in verifier_pins():
        print(pin)
    print(f"wrote {len(VERIFIER_FILES)} files to {out}; the trust policy pins these SHA-256")
    return EXIT_OK


def cmd_log_show(args: argparse.Namespace) -> int:
    async def body(services: Services) -> int:
        audit = services.audit
        head = await audit.head(args.hearing)
        if head is None:
            print(f"error: no audit log for hearing {args.hearing}", file=sys.stderr)
            return EXIT_BAD_INPUT
        state = "sealed" if head.sealed_at else "closed" if head.closed_size else "open"
        print(f"log     {head.origin}")
        print(f"events  {head.size} ({state}; sealed at {_when(head.sealed_at)})")
        for row in await audit.signer.checkpoints(args.hearing):
            kind = "final" if row.final else "interim"
            print(f"checkpoint size {row.size} ({kind}) signed by {row.key_name}")
        if head.closed_size is not None:
            stamp = await audit.signer.timestamp(args.hearing, head.closed_size)
            if stamp is not None:
                print(f"timestamp {_when(stamp.gen_time)} from {stamp.tsa_url}")
        for data in await audit.events(args.hearing):
            event = parse_canonical(data)
            actor = event.get("actor")
            who = actor.get("role", "?") if isinstance(actor, dict) else "?"
            print(f"{event['seq']:>6} {event['ts']} {event['type']:<24} {who}")
        return EXIT_OK

    return _run(args, body)


def cmd_log_cosigner(args: argparse.Namespace) -> int:
    key = parse_public_key(args.public_key.read_text(encoding="ascii"), str(args.public_key))

    async def body(services: Services) -> int:
        ident = await services.audit.register_cosigner(args.hearing, args.name, key)
        print(f"cosigner {args.name} (key id {ident}) registered for hearing {args.hearing}")
        return EXIT_OK

    return _run(args, body)


def cmd_log_cosign(args: argparse.Namespace) -> int:
    line = args.line.read_text(encoding="utf-8").strip("\n") if args.line else sys.stdin.read()

    async def body(services: Services) -> int:
        name = await services.audit.add_cosignature(args.hearing, line)
        print(f"cosignature of {name} verified and stored")
        return EXIT_OK

    return _run(args, body)


def _guard(func: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        try:
            return func(args)
        except (AuditError, OSError) as exc:
            message = exc.message if isinstance(exc, AuditError) else str(exc)
            code = f" [{exc.code}]" if isinstance(exc, AuditError) else ""
            print(f"error: {message}{code}", file=sys.stderr)
            return EXIT_BAD_INPUT

    return run


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    keys = sub.add_parser("keys", help="audit log signing keys and the verifier trust policy")
    keys_sub = keys.add_subparsers(dest="keys_command", required=True, metavar="ACTION")
    keys_sub.add_parser(
        "rotate", help="make a new signing key active; the old one's window closes now"
    ).set_defaults(func=_guard(cmd_keys_rotate))
    keys_sub.add_parser("list", help="list every signing key with its window").set_defaults(
        func=_guard(cmd_keys_list)
    )
    policy = keys_sub.add_parser(
        "trust-policy", help="write the trust policy file verifiers need (all keys and windows)"
    )
    policy.add_argument(
        "-o", "--output", type=Path, help="FILE.toml or .json (default: print to stdout)"
    )
    policy.add_argument(
        "--format", choices=("toml", "json"), help="default: from -o's suffix, else toml"
    )
    policy.add_argument(
        "--tsa-root", type=Path, action="append", default=[], help="TSA root PEM (repeatable)"
    )
    policy.add_argument("--tsa-policy", action="append", default=[], help="allowed TSA policy OID")
    policy.add_argument("--hearing", help="include the cosigners registered for this hearing")
    policy.add_argument(
        "--quorum",
        type=int,
        help="cosignatures required (default: all listed, and at least 1 when the hearing's "
        "decision names the requested state's authority)",
    )
    policy.set_defaults(func=_guard(cmd_keys_trust_policy))
    export = keys_sub.add_parser(
        "export",
        help="print the log's public key(s) for the offline check (VERIFY.md's log.pem)",
        description="Without a selection: the active key. A hearing's record is checked with "
        "the key that signed its final checkpoint (--hearing).",
    )
    shape = export.add_mutually_exclusive_group()
    shape.add_argument(
        "--pem", action="store_true", help="SubjectPublicKeyInfo PEM, as openssl reads (default)"
    )
    shape.add_argument("--base64", action="store_true", help="NAME and raw key in base64")
    which = export.add_mutually_exclusive_group()
    which.add_argument("--hearing", help="the key(s) that signed this hearing's final checkpoint")
    which.add_argument(
        "--name", action="append", default=[], help="the key with this name (repeatable)"
    )
    which.add_argument("--all", action="store_true", help="every key of the trust policy")
    export.add_argument("-o", "--output", type=Path, help="FILE (default: print to stdout)")
    export.set_defaults(func=_guard(cmd_keys_export))

    log = sub.add_parser("log", help="hearing audit logs: show, export, verify, cosign")
    log_sub = log.add_subparsers(dest="log_command", required=True, metavar="ACTION")
    show = log_sub.add_parser("show", help="print a hearing's log, checkpoints and events")
    show.add_argument("hearing")
    show.set_defaults(func=_guard(cmd_log_show))
    export = log_sub.add_parser("export", help="write a sealed hearing's clerk bundle (zip)")
    export.add_argument("hearing")
    export.add_argument("-o", "--output", type=Path, required=True, help="FILE.zip")
    export.set_defaults(func=_guard(cmd_log_export))
    verify = log_sub.add_parser(
        "verify", help="check a bundle step by step; exit 0 only if every step passes"
    )
    verify.add_argument("bundle", type=Path)
    verify.add_argument("--trust", type=Path, required=True, help="trust policy (.toml/.json)")
    verify.add_argument(
        "--known",
        type=Path,
        action="append",
        default=[],
        help="a signed checkpoint of this log you already hold (from the authority, an earlier "
        "download); the bundle must extend it (repeatable)",
    )
    expected = verify.add_mutually_exclusive_group(required=True)
    expected.add_argument(
        "--hearing", help="the hearing you were asked about (its id; required, or --origin)"
    )
    expected.add_argument("--origin", help="the full log origin you expect, instead of --hearing")
    verify.set_defaults(func=_guard(cmd_log_verify))
    court_verify = log_sub.add_parser(
        "court-verify",
        help="check a bundle's final checkpoint against its court's log (exit 0 only if it is "
        "recorded there)",
    )
    court_verify.add_argument("bundle", type=Path)
    court_verify.add_argument("--trust", type=Path, required=True, help="trust policy")
    court_verify.add_argument("--hearing", required=True, help="the hearing you were asked about")
    court_verify.add_argument("--court", required=True, help="its court's id")
    court_verify.add_argument(
        "--court-log",
        type=Path,
        help="the court's log (log court-export): every hearing once, the bundle's court head "
        "a prefix of it",
    )
    court_verify.add_argument(
        "--known",
        type=Path,
        action="append",
        default=[],
        help="a signed checkpoint of the hearing's log you already hold (repeatable)",
    )
    court_verify.add_argument(
        "--known-court",
        type=Path,
        action="append",
        default=[],
        help="a signed court checkpoint you already hold (e.g. another bundle's "
        "court/checkpoint); what you are shown now must extend it (repeatable)",
    )
    court_verify.set_defaults(func=_guard(cmd_log_court_verify))
    court_export = log_sub.add_parser(
        "court-export", help="write a court's log of hearings (signed checkpoint and events)"
    )
    court_export.add_argument("court", help="the court's id")
    court_export.add_argument("-o", "--output", type=Path, required=True, help="FILE.zip")
    court_export.set_defaults(func=_guard(cmd_log_court_export))
    verifier = log_sub.add_parser(
        "verifier",
        help="write VERIFY.md and scripts/ (the stock-tool verifier the trust policy pins)",
    )
    verifier.add_argument("-o", "--output", type=Path, required=True, help="DIRECTORY")
    verifier.set_defaults(func=_guard(cmd_log_verifier))
    cosigner = log_sub.add_parser(
        "cosigner", help="register a second signer's Ed25519 public key for a hearing"
    )
    cosigner.add_argument("hearing")
    cosigner.add_argument("name", help="the cosigner's C2SP key name")
    cosigner.add_argument("public_key", type=Path, help="PEM or base64 public key file")
    cosigner.set_defaults(func=_guard(cmd_log_cosigner))
    cosign = log_sub.add_parser(
        "cosign", help="store a verified cosignature line over the final checkpoint"
    )
    cosign.add_argument("hearing")
    cosign.add_argument("--line", type=Path, help="file with the line (default: stdin)")
    cosign.set_defaults(func=_guard(cmd_log_cosign))
