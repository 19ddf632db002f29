"""`legal coverage`: the tally over every ordered pair, the ranking of unknown facts, the CLI, and
the table kept in docs/legal-profiles.md."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from legal_profiles.cli import coverage_markdown
from legal_profiles.coverage import CASES, EUROPE, NOT_COUNTED, Tally, UnknownFact, coverage
from legal_profiles.decision import Consent, Offence, Proceeding, Role, Status
from legal_profiles.engine import check
from legal_profiles.errors import LegalInputError
from legal_profiles.loader import ProfileSet, default_profiles
from tests.legal.helpers import blank, profile_set, put, run, toml_text, v

_ORDER = (Status.ALLOWED, Status.CONDITIONAL, Status.BARRED, Status.UNKNOWN)
DOC = Path(__file__).resolve().parents[2] / "docs" / "legal-profiles.md"
BEGIN, END = "<!-- legal coverage: begin -->", "<!-- legal coverage: end -->"


def three() -> list[dict[str, Any]]:
    """AD and MC (European) and JP, all unknown but JP applying Reg 2020/1783 (a fiction that
    lets a single unknown fact decide some pairs)."""
    docs = [blank("AD", "Andorra"), blank("MC", "Monaco"), blank("JP", "Japan")]
    put(docs[2], "treaties.eu_reg_2020_1783", v(True))
    return docs


def test_the_counted_cases_are_the_roles_the_engine_covers() -> None:
    profiles = profile_set(*three())
    for proceeding in Proceeding:
        for role in Role:
            if (proceeding, role) == (Proceeding.CIVIL, Role.ACCUSED):
                with pytest.raises(LegalInputError):
                    check(profiles, "AD", "MC", proceeding, role)
                continue
            rules = {r.rule for r in check(profiles, "AD", "MC", proceeding, role).reasons}
            covered = (proceeding, role) in CASES
            assert covered == ("role.not_covered" not in rules), (proceeding, role)
            assert covered != ((proceeding, role) in NOT_COUNTED)


def test_counts_and_the_unknown_facts_worked_out_by_hand() -> None:
    report = coverage(profile_set(*three()))
    assert report.states == ("AD", "JP", "MC")
    assert report.total == Tally(unknown=6 * len(CASES))
    assert [c.tally for c in report.cases] == [Tally(unknown=6)] * len(CASES)
    assert report.europe_states == ("AD", "MC")
    assert report.europe_criminal_witness == Tally(unknown=2)  # AD->MC and MC->AD
    # Criminal: the EIO is unknown for all three, each check cites both states' `eio` (4 pairs
    # per state x 4 roles). Civil: JP applies the Regulation, so JP<->AD cites AD's fact alone.
    assert report.top_unknown == (
        UnknownFact("AD", "treaties.eio", 16, 4, 0),
        UnknownFact("JP", "treaties.eio", 16, 4, 0),
        UnknownFact("MC", "treaties.eio", 16, 4, 0),
        UnknownFact("AD", "treaties.eu_reg_2020_1783", 12, 4, 6),
        UnknownFact("MC", "treaties.eu_reg_2020_1783", 12, 4, 6),
    )
    assert report.unknown_facts == 5
    assert report.scope() == (
        "consent unknown, offence not given (criminal), the law as currently encoded (no date)"
    )


def _varied() -> ProfileSet:
    """Profiles that give every decision: treaty status known, national rules mixed."""
    docs = three()
    for doc in docs:
        for key in ("eio", "eu_reg_2020_1783", "untoc", "uncac"):
            put(doc, f"treaties.{key}", v(False))
        put(doc, "treaties.eu_mla_2000.party", v(False))
        put(doc, "treaties.coe_2ap.party", v(False))
        put(doc, "treaties.hague.party", v(False))
    put(docs[0], "incoming.unilateral.civil", v("prohibited"))
    put(docs[1], "incoming.unilateral.civil", v("permitted"))
    put(docs[1], "incoming.unilateral.criminal", v("permitted"))
    put(docs[2], "incoming.criminal.national_assistance", v("no"))
    put(docs[0], "outgoing.foreign_permission", v("no"))
    return profile_set(*docs)


@pytest.mark.parametrize(
    ("consent", "offence"),
    [("unknown", None), ("yes", "corruption"), (Consent.NO, Offence.OTHER)],
)
def test_every_pair_and_case_is_the_engines_decision(consent: Any, offence: Any) -> None:
    profiles = _varied()
    report = coverage(profiles, consent, offence)
    assert report.consent == Consent(consent)
    assert report.offence == (None if offence is None else Offence(offence))
    expected: Counter[tuple[Proceeding, Role, Status]] = Counter()
    assert len(report.pairs) == 6
    for row in report.pairs:
        for (proceeding, role), status in zip(CASES, row.decisions, strict=True):
            scope = offence if proceeding is Proceeding.CRIMINAL else None
            decision = check(
                profiles, row.requesting, row.requested, proceeding, role, consent, offence=scope
            )
            assert status is decision.decision
            expected[(proceeding, role, status)] += 1
    for case in report.cases:
        counted = [expected[(case.proceeding, case.role, s)] for s in _ORDER]
        assert case.tally == Tally(*counted)
    statuses = {s for row in report.pairs for s in row.decisions}
    assert Status.BARRED in statuses and Status.UNKNOWN in statuses
    assert (Status.CONDITIONAL in statuses) == (report.consent is not Consent.NO)


def test_the_json_carries_scope_tallies_facts_and_pair_rows() -> None:
    report = coverage(_varied(), "yes", "organized_crime")
    data = json.loads(json.dumps(report.to_dict()))
    assert data["scope"] == {"consent": "yes", "offence": "organized_crime", "date": None}
    assert data["total"]["total"] == 6 * len(CASES)
    assert sum(case["total"] for case in data["cases"]) == data["total"]["total"]
    assert data["not_counted"] == [
        {"proceeding": "civil", "role": "victim"},
        {"proceeding": "criminal", "role": "party"},
    ]
    first = data["pairs"][0]
    assert (first["requesting"], first["requested"]) == ("AD", "JP")
    assert list(first["decisions"]) == [f"{p.value}/{r.value}" for p, r in CASES]
    assert "heuristic" in data


@pytest.mark.parametrize(
    ("consent", "offence", "code"),
    [("maybe", None, "legal.bad_consent"), ("yes", "fraud", "legal.bad_offence")],
)
def test_a_bad_scope_is_a_typed_error(consent: str, offence: str | None, code: str) -> None:
    with pytest.raises(LegalInputError) as caught:
        coverage(_varied(), consent, offence)
    assert caught.value.code == code
    assert caught.value.details["field"] in code


def test_the_shipped_profiles_add_up() -> None:
    profiles = default_profiles()
    report = coverage(profiles)
    n = len(profiles)
    assert report.total.total == n * (n - 1) * len(CASES)
    assert len(report.pairs) == n * (n - 1)
    assert all(case.tally.total == n * (n - 1) for case in report.cases)
    europe = [code for code in profiles.codes() if code in EUROPE]
    assert report.europe_criminal_witness.total == len(europe) * (len(europe) - 1)
    assert len(report.top_unknown) == min(20, report.unknown_facts)
    counts = [fact.decisions for fact in report.top_unknown]
    assert counts == sorted(counts, reverse=True)
    assert all(fact.sole <= fact.decisions for fact in report.top_unknown)


# -- the CLI and the docs ---------------------------------------------------------------------


@pytest.fixture
def profile_dir(tmp_path: Path) -> Path:
    for doc in three():
        (tmp_path / f"{doc['iso2']}.toml").write_text(toml_text(doc), encoding="utf-8")
    return tmp_path


def test_cli_prints_the_table_the_shares_and_the_facts(
    profile_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["legal", "coverage", "--profiles", str(profile_dir)]) == 0
    out = capsys.readouterr().out
    assert "Legal coverage: 3 profiles, 6 ordered pairs x 7 cases = 42 checks" in out
    assert "Counted under: consent unknown, offence not given (criminal)" in out
    assert re.search(r"criminal\s+accused\s+0\s+0\s+0\s+6\s+6\s+100\.0 %", out)
    assert re.search(r"all\s+0\s+0\s+0\s+42\s+42\s+100\.0 %", out)
    assert "criminal-witness checks of the 2 European profiles: 2 of 2 (100.0 %)" in out
    assert re.search(r"4\s+AD\s+treaties\.eu_reg_2020_1783\s+12\s+4\s+6", out)


def test_cli_json_and_scope(profile_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["legal", "coverage", "--json", "--consent", "no", "--offence", "other"]
    assert run([*argv, "--date", "2026-12-01", "--profiles", str(profile_dir)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["scope"] == {"consent": "no", "offence": "other", "date": "2026-12-01"}


def test_cli_errors(profile_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["legal", "coverage", "--date", "1/2/2026", "--profiles", str(profile_dir)]) == 2
    assert "legal.bad_date" in capsys.readouterr().err
    assert run(["legal", "coverage", "--profiles", str(profile_dir / "none")]) == 1
    with pytest.raises(SystemExit):
        run(["legal", "coverage", "--offence", "fraud"])


Row = tuple[str, str, list[int], str]


def parse_block(text: str) -> tuple[int, list[Row], list[str]]:
    """The profile count, the table rows (proceeding, role, counts, share) and the summary lines
    of a coverage block as `legal coverage --markdown` prints it."""
    counted = re.search(r"; (\d+) profiles, (\d+) ordered pairs x (\d+) cases = (\d+) checks", text)
    assert counted, "the block states how many profiles, pairs, cases and checks it counts"
    n, pairs, cases, checks = (int(g) for g in counted.groups())
    assert (pairs, cases, checks) == (n * (n - 1), len(CASES), n * (n - 1) * len(CASES))
    rows: list[Row] = []
    for match in re.finditer(
        r"^\| (\*\*all\*\*|civil|criminal) \| (\w*) \| (\d+) \| (\d+) \| (\d+) \| (\d+)"
        r" \| (\d+) \| (\d+\.\d) % \|$",
        text,
        re.MULTILINE,
    ):
        proceeding, role, *numbers, share = match.groups()
        rows.append((proceeding, role, [int(x) for x in numbers], share))
    summary = [line for line in text.splitlines() if line.startswith("- Unknown ")]
    return n, rows, summary


def check_block(text: str) -> None:
    n, rows, summary = parse_block(text)
    assert [(p, r) for p, r, _, _ in rows[:-1]] == [(p.value, r.value) for p, r in CASES]
    assert rows[-1][:2] == ("**all**", "")
    for _, _, (allowed, conditional, barred, unknown, total), share in rows:
        assert allowed + conditional + barred + unknown == total
        assert share == (f"{unknown / total * 100:.1f}" if total else "0.0")
    for _, _, numbers, _ in rows[:-1]:
        assert numbers[4] == n * (n - 1)
    sums = [sum(row[2][i] for row in rows[:-1]) for i in range(5)]
    assert sums == rows[-1][2]
    assert len(summary) == 2
    overall = re.search(r"all profiles: (\d+) of (\d+)", summary[1])
    assert overall and [int(x) for x in overall.groups()] == [rows[-1][2][3], rows[-1][2][4]]
    facts = re.findall(r"^\| (\d+) \| [A-Z]{2} \| `[a-z0-9_.\[\]]+` \| (\d+) \| (\d+) \| (\d+) \|$",
                       text, re.MULTILINE)  # fmt: skip
    assert [int(rank) for rank, *_ in facts] == list(range(1, len(facts) + 1))
    decided = [int(count) for _, count, _, _ in facts]
    assert decided == sorted(decided, reverse=True)


def test_the_markdown_block_has_the_format_the_docs_keep() -> None:
    check_block(coverage_markdown(coverage(_varied(), "yes")))
    check_block(coverage_markdown(coverage(profile_set(*three()))))


def test_the_docs_table_is_well_formed_and_adds_up() -> None:
    """The docs keep a table printed by `legal coverage --markdown` (regenerate it with
    `scripts/update-coverage-docs`); its numbers change with the data, its arithmetic must not."""
    text = DOC.read_text(encoding="utf-8")
    assert text.count(BEGIN) == 1 and text.count(END) == 1
    block = text[text.index(BEGIN) + len(BEGIN) : text.index(END)]
    check_block(block)
