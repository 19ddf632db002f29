"""`vc-service legal ...`: check a case, list the profiles, validate them, report their coverage.

Exit codes of `legal check`: 0 allowed or conditional, 3 barred, 4 unknown (manual legal review),
2 bad input, 1 invalid profiles. `legal validate` exits 0 when every profile is valid, else 1; it
warns about V facts sourced outside the official host list (`--strict`: those fail too).
"""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
from collections import Counter
from pathlib import Path
from typing import TextIO

from legal_profiles.api import parse_date
from legal_profiles.coverage import CASES, HEURISTIC, NOT_COUNTED, Coverage, Tally, coverage
from legal_profiles.decision import Consent, Decision, Offence, Proceeding, Role, Status
from legal_profiles.engine import check
from legal_profiles.errors import LegalInputError, ProfileError
from legal_profiles.hosts import HOSTS_FILE, load_official_hosts, unofficial_sources
from legal_profiles.loader import (
    DATA_DIR,
    ProfileSet,
    default_profiles,
    load_file,
    load_profiles,
    profile_files,
)
from legal_profiles.model import StateProfile, iter_facts

EXIT_OK = 0
EXIT_PROFILES = 1
EXIT_BAD_INPUT = 2
EXIT_BARRED = 3
EXIT_UNKNOWN = 4
_EXIT = {
    Status.ALLOWED: EXIT_OK,
    Status.CONDITIONAL: EXIT_OK,
    Status.BARRED: EXIT_BARRED,
    Status.UNKNOWN: EXIT_UNKNOWN,
}


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `legal` command and its subcommands to a CLI's subparsers."""
    legal = subparsers.add_parser("legal", help="legal profiles and the legal check")
    commands = legal.add_subparsers(dest="legal_command", required=True, metavar="COMMAND")

    check_cmd = commands.add_parser("check", help="may this person be heard by video?")
    check_cmd.add_argument("--requesting", required=True, help="state of the court (ISO 3166-1)")
    check_cmd.add_argument("--requested", required=True, help="state where the person is")
    check_cmd.add_argument("--proceeding", required=True, choices=[p.value for p in Proceeding])
    check_cmd.add_argument("--role", required=True, choices=[r.value for r in Role])
    check_cmd.add_argument("--consent", default="unknown", choices=[c.value for c in Consent])
    check_cmd.add_argument("--date", default=None, help="hearing date YYYY-MM-DD")
    check_cmd.add_argument(
        "--offence",
        default=None,
        choices=[o.value for o in Offence],
        help="criminal only: the offence's scope for UNTOC / UNCAC (default: not given)",
    )
    check_cmd.add_argument("--json", action="store_true", help="print the decision as JSON")
    _profiles_option(check_cmd)
    check_cmd.set_defaults(func=cmd_check)

    list_cmd = commands.add_parser("profiles", help="list profiles with review dates and V/K/U")
    list_cmd.add_argument("--json", action="store_true", help="print the list as JSON")
    _profiles_option(list_cmd)
    list_cmd.set_defaults(func=cmd_profiles)

    coverage_cmd = commands.add_parser(
        "coverage", help="decisions over every ordered pair of profiles, and the unknown facts"
    )
    coverage_cmd.add_argument(
        "--consent",
        default="unknown",
        choices=[c.value for c in Consent],
        help="the consent every check is counted under (default: unknown)",
    )
    coverage_cmd.add_argument(
        "--offence",
        default=None,
        choices=[o.value for o in Offence],
        help="the offence scope of the criminal checks (default: not given)",
    )
    coverage_cmd.add_argument("--date", default=None, help="hearing date YYYY-MM-DD")
    shape = coverage_cmd.add_mutually_exclusive_group()
    shape.add_argument("--json", action="store_true", help="print the report as JSON")
    shape.add_argument(
        "--markdown", action="store_true", help="print the table for docs/legal-profiles.md"
    )
    _profiles_option(coverage_cmd)
    coverage_cmd.set_defaults(func=cmd_coverage)

    validate_cmd = commands.add_parser("validate", help="validate every profile file")
    validate_cmd.add_argument(
        "--strict",
        action="store_true",
        help="fail (exit 1) when a V fact's source is not on the official host list",
    )
    _profiles_option(validate_cmd)
    validate_cmd.set_defaults(func=cmd_validate)


def _profiles_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--profiles",
        type=Path,
        default=None,
        metavar="DIR",
        help=f"profile directory (default: {DATA_DIR})",
    )


def _load(args: argparse.Namespace) -> ProfileSet:
    directory: Path | None = args.profiles
    return default_profiles() if directory is None else load_profiles(directory)


def _fail(message: str, code: int, err: TextIO | None = None) -> int:
    print(f"error: {message}", file=err or sys.stderr)
    return code


def cmd_check(args: argparse.Namespace) -> int:
    try:
        hearing_date = parse_date(args.date)
        profiles = _load(args)
        decision = check(
            profiles,
            args.requesting,
            args.requested,
            args.proceeding,
            args.role,
            args.consent,
            hearing_date,
            offence=args.offence,
        )
    except LegalInputError as exc:
        return _fail(f"{exc.message} [{exc.code}]", EXIT_BAD_INPUT)
    except ProfileError as exc:
        return _fail(exc.message, EXIT_PROFILES)
    if args.json:
        print(json.dumps(decision.to_dict(), indent=2, ensure_ascii=False))
    else:
        print(render(decision))
    return _EXIT[decision.decision]


def render(decision: Decision) -> str:
    """The decision as a plain-text report for a terminal."""
    d = decision
    when = d.hearing_date.isoformat() if d.hearing_date else "no date given"
    lines = [
        f"Decision: {d.decision.value.upper()}",
        f"Case:     {d.requesting} -> {d.requested}, {d.proceeding.value}, {d.role.value},"
        f" consent {d.consent.value}, {when}"
        + (f", offence {d.offence.value}" if d.offence is not None else ""),
        f"Recording: {d.recording.rule.value}  ({d.recording.citation})",
        "",
    ]
    if d.regimes:
        lines.append("Regimes (in order of precedence):")
        for index, regime in enumerate(d.regimes, 1):
            lines.append(f"  {index}. {regime.id}: {regime.name}")
            lines.append(f"     {regime.citation}")
        lines.append("")
    if d.conditions:
        width = max(len(cond.id) for cond in d.conditions)
        lines.append("Conditions:")
        lines.append(f"  {'STAGE':<7} {'ID':<{width}}  SATISFIED BY")
        for cond in d.conditions:
            actors = ", ".join(actor.value for actor in cond.satisfied_by)
            lines.append(f"  {cond.stage.value:<7} {cond.id:<{width}}  {actors}")
            lines.extend(_wrapped(cond.text, 10))
            lines.extend(_wrapped(f"[{cond.confidence}] {cond.citation}", 10))
            if cond.params:
                params = json.dumps(cond.to_dict()["params"], ensure_ascii=False)
                lines.extend(_wrapped(f"params: {params}", 10))
        lines.append("")
    if d.reasons:
        lines.append("Reasons:")
        for reason in d.reasons:
            lines.append(f"  {reason.state}  {reason.rule}")
            lines.extend(_wrapped(reason.text, 6))
            lines.extend(_wrapped(f"[{reason.confidence}] {reason.citation}", 6))
    return "\n".join(lines).rstrip()


def _wrapped(text: str, indent: int) -> list[str]:
    pad = " " * indent
    return textwrap.wrap(
        text, 100, initial_indent=pad, subsequent_indent=pad, break_long_words=False
    )


def counts(profile: StateProfile) -> Counter[str]:
    """How many facts of a profile are V, K and U."""
    return Counter(fact.confidence for fact in iter_facts(profile))


def cmd_profiles(args: argparse.Namespace) -> int:
    try:
        profiles = _load(args)
    except ProfileError as exc:
        return _fail(exc.message, EXIT_PROFILES)
    rows: list[dict[str, str | int]] = []
    total: Counter[str] = Counter()
    for profile in profiles:
        tally = counts(profile)
        total.update(tally)
        rows.append(
            {
                "iso2": profile.iso2,
                "name": profile.name,
                "reviewed": profile.reviewed.isoformat(),
                "V": tally["V"],
                "K": tally["K"],
                "U": tally["U"],
                "file": profile.origin,
            }
        )
    if args.json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return EXIT_OK
    print(f"{'STATE':<6}{'NAME':<16}{'REVIEWED':<12}{'V':>5}{'K':>5}{'U':>5}")
    for row in rows:
        print(
            f"{row['iso2']:<6}{row['name']:<16}{row['reviewed']:<12}"
            f"{row['V']:>5}{row['K']:>5}{row['U']:>5}"
        )
    print(f"{len(rows)} profiles; facts V {total['V']}, K {total['K']}, U {total['U']}")
    return EXIT_OK


def cmd_validate(args: argparse.Namespace) -> int:
    directory: Path = args.profiles or DATA_DIR
    try:
        files = profile_files(directory)
    except ProfileError as exc:
        return _fail(exc.message, EXIT_PROFILES)
    if not files:
        return _fail(f"{directory}: holds no *.toml profile", EXIT_PROFILES)
    valid: dict[str, StateProfile] = {}
    failures = 0
    for file in files:
        try:
            profile = load_file(file)
        except ProfileError as exc:
            failures += 1
            print(f"INVALID {exc.message}", file=sys.stderr)
            continue
        valid[profile.iso2] = profile
        print(f"ok      {file}")
    if not failures:
        try:
            ProfileSet(valid, directory)  # cross-profile rules (treaties recorded on both sides)
        except ProfileError as exc:
            failures += 1
            print(f"INVALID {exc.message}", file=sys.stderr)
    if failures:
        return _fail(f"{failures} invalid profile(s) in {directory}", EXIT_PROFILES)
    print(f"{len(valid)} profiles valid")
    try:
        hosts = load_official_hosts()
    except ProfileError as exc:
        return _fail(exc.message, EXIT_PROFILES)
    warnings = unofficial_sources(valid.values(), hosts)
    for warning in warnings:
        print(f"WARNING {warning}", file=sys.stderr)
    if warnings:
        print(
            f"{len(warnings)} warning(s): V facts whose source host is not on {HOSTS_FILE.name}"
            " (use a primary source, or make the fact K with a note)"
        )
        if args.strict:
            return _fail(f"{len(warnings)} warning(s) and --strict", EXIT_PROFILES)
    return EXIT_OK


def cmd_coverage(args: argparse.Namespace) -> int:
    try:
        hearing_date = parse_date(args.date)
        profiles = _load(args)
        report = coverage(profiles, args.consent, args.offence, hearing_date)
    except LegalInputError as exc:
        return _fail(f"{exc.message} [{exc.code}]", EXIT_BAD_INPUT)
    except ProfileError as exc:
        return _fail(exc.message, EXIT_PROFILES)
    if args.json:
        print(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
    elif args.markdown:
        print(coverage_markdown(report))
    else:
        print(render_coverage(report))
    return EXIT_OK


def _share(tally: Tally) -> str:
    return f"{tally.unknown_share * 100:.1f} %"


def _counted(report: Coverage) -> str:
    n = len(report.states)
    return (
        f"{n} profiles, {n * (n - 1)} ordered pairs x {len(CASES)} cases ="
        f" {report.total.total} checks"
    )


def _not_counted() -> str:
    cases = " and ".join(f"{p.value} {r.value}" for p, r in NOT_COUNTED)
    return f"not counted: {cases}, always unknown (role.not_covered)"


def _summary(report: Coverage) -> list[str]:
    eu, total = report.europe_criminal_witness, report.total
    return [
        f"Unknown among the criminal-witness checks of the {len(report.europe_states)} European"
        f" profiles: {eu.unknown} of {eu.total} ({_share(eu)})",
        f"Unknown over all pairs of all profiles: {total.unknown} of {total.total}"
        f" ({_share(total)})",
    ]


def _table_rows(report: Coverage) -> list[tuple[str, str, Tally]]:
    rows = [(case.proceeding.value, case.role.value, case.tally) for case in report.cases]
    return [*rows, ("all", "", report.total)]


def render_coverage(report: Coverage) -> str:
    """The coverage report for a terminal: a table per proceeding and role, then the facts."""
    lines = [
        f"Legal coverage: {_counted(report)}",
        f"Counted under: {report.scope()}",
        f"{_not_counted()[0].upper()}{_not_counted()[1:]}",
        "",
        f"{'PROCEEDING':<11}{'ROLE':<9}{'ALLOWED':>8}{'CONDITIONAL':>12}{'BARRED':>8}"
        f"{'UNKNOWN':>8}{'TOTAL':>7}{'UNKNOWN %':>11}",
    ]
    for proceeding, role, t in _table_rows(report):
        lines.append(
            f"{proceeding:<11}{role:<9}{t.allowed:>8}{t.conditional:>12}{t.barred:>8}"
            f"{t.unknown:>8}{t.total:>7}{_share(t):>11}"
        )
    lines += ["", *_summary(report), ""]
    lines.append(
        f"Top {len(report.top_unknown)} of {report.unknown_facts} unknown facts by the decisions"
        " they decide"
    )
    lines.extend(_wrapped(HEURISTIC, 2))
    lines.append(f"  {'#':>3}  {'STATE':<6}{'FIELD':<54}{'DECISIONS':>10}{'PAIRS':>7}{'SOLE':>6}")
    for rank, fact in enumerate(report.top_unknown, 1):
        lines.append(
            f"  {rank:>3}  {fact.state:<6}{fact.field:<54}{fact.decisions:>10}{fact.pairs:>7}"
            f"{fact.sole:>6}"
        )
    return "\n".join(lines)


def coverage_markdown(report: Coverage) -> str:
    """The coverage report as the Markdown block kept in docs/legal-profiles.md."""
    lines = [
        f"Counted under: {report.scope()}; {_counted(report)}; {_not_counted()}.",
        "",
        "| proceeding | role | allowed | conditional | barred | unknown | total | unknown % |",
        "|---|---|--:|--:|--:|--:|--:|--:|",
    ]
    for proceeding, role, t in _table_rows(report):
        name = "**all**" if proceeding == "all" else proceeding
        lines.append(
            f"| {name} | {role} | {t.allowed} | {t.conditional} | {t.barred} | {t.unknown}"
            f" | {t.total} | {_share(t)} |"
        )
    lines += ["", *(f"- {line}" for line in _summary(report)), ""]
    lines.append(
        f"Top {len(report.top_unknown)} of {report.unknown_facts} unknown facts by the decisions"
        " they decide:"
    )
    lines += ["", "| # | state | field | decisions | pairs | sole |", "|--:|---|---|--:|--:|--:|"]
    for rank, fact in enumerate(report.top_unknown, 1):
        lines.append(
            f"| {rank} | {fact.state} | `{fact.field}` | {fact.decisions} | {fact.pairs}"
            f" | {fact.sole} |"
        )
    return "\n".join(lines)
