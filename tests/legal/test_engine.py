"""The engine on the shipped profiles: one row per regime and per rule of the research."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import pytest

from legal_profiles.decision import Actor, Decision, Status
from legal_profiles.engine import check
from legal_profiles.errors import LegalInputError
from legal_profiles.loader import default_profiles


@dataclass(frozen=True)
class Case:
    name: str
    requesting: str
    requested: str
    proceeding: str
    role: str
    consent: str
    decision: Status
    regimes: tuple[str, ...] = ()  # exact, in order
    conditions: frozenset[str] = frozenset()  # must be present
    absent: frozenset[str] = frozenset()  # must not be present
    reasons: frozenset[str] = frozenset()  # rule ids that must be among the reasons
    day: date | None = None
    params: dict[str, dict[str, Any]] = field(default_factory=dict)
    offence: str | None = None


def ids(*names: str) -> frozenset[str]:
    return frozenset(names)


C, B, U = Status.CONDITIONAL, Status.BARRED, Status.UNKNOWN
EIO_LIVE = ids(
    "request.accepted",
    "authority.present",
    "authority.can_intervene",
    "identity.verified",
    "rights.refusal_notified",
    "interpreter.available",
    "protection.measures_agreed",
    "minutes.drawn_up",
)
CASES = [
    Case(
        "EIO: witness between EIO states",
        "DE",
        "FR",
        "criminal",
        "witness",
        "yes",
        C,
        ("eu_eio_art24",),
        EIO_LIVE,
        ids("rights.accused_procedural"),
    ),
    Case(
        "EIO Art 24(2)(a): an accused who does not consent is barred",
        "DE",
        "FR",
        "criminal",
        "accused",
        "no",
        B,
        ("eu_eio_art24",),
        reasons=ids("eio.accused_consent"),
    ),
    Case(
        "EIO: an accused who consents, with the accused's controls",
        "FR",
        "DE",
        "criminal",
        "accused",
        "unknown",
        C,
        ("eu_eio_art24",),
        ids(
            "consent.person",
            "rights.accused_informed",
            "rights.accused_procedural",
            "counsel.private_channel",
            "authority.present",
            "minutes.drawn_up",
        ),
        params={"consent.person": {"revocable": True}},
    ),
    Case(
        "DE: a witness's consent is required",
        "FR",
        "DE",
        "criminal",
        "witness",
        "no",
        B,
        ("eu_eio_art24",),
        reasons=ids("national.witness_consent"),
    ),
    Case(
        "DE: a consenting witness may withdraw",
        "FR",
        "DE",
        "criminal",
        "witness",
        "yes",
        C,
        ("eu_eio_art24",),
        ids("consent.person"),
        params={"request.accepted": {"recognition_days": 30, "execution_days": 90}},
    ),
    Case(
        "EIO: a state whose witness-consent rule is unknown needs review if the witness refuses",
        "DE",
        "RO",
        "criminal",
        "witness",
        "no",
        U,
        ("eu_eio_art24",),
        reasons=ids("unknown.incoming.criminal.witness_consent_required"),
    ),
    Case(
        "EIO: France compels a witness (fiche A.12), so a refusing witness is heard as requested",
        "DE",
        "FR",
        "criminal",
        "witness",
        "no",
        C,
        ("eu_eio_art24",),
        EIO_LIVE,
        absent=ids("consent.person"),
    ),
    Case(
        "EIO: a victim is heard as a witness (NL asks why video)",
        "DE",
        "NL",
        "criminal",
        "victim",
        "yes",
        C,
        ("eu_eio_art24",),
        ids("request.reasons_stated", "oath.competent_person"),
    ),
    Case(
        "Reg 2020/1783: direct taking, 30-day answer",
        "FR",
        "DE",
        "civil",
        "witness",
        "yes",
        C,
        ("eu_reg_2020_1783",),
        ids(
            "request.accepted",
            "advisory.voluntary",
            "rights.refusal_notified",
            "interpreter.available",
        ),
        params={"request.accepted": {"form": "L", "decision_days": 30}},
    ),
    Case(
        "Reg 2020/1783 Art 19(2): direct taking is voluntary",
        "FR",
        "DE",
        "civil",
        "witness",
        "no",
        B,
        ("eu_reg_2020_1783",),
        reasons=ids("eu1783.voluntary_only"),
    ),
    Case(
        "Reg 2023/2844 Art 5 for a party, FR limits direct taking",
        "DE",
        "FR",
        "civil",
        "party",
        "yes",
        C,
        ("eu_reg_2020_1783", "eu_reg_2023_2844_art5"),
        ids("recording.parties_informed", "scope.national_limits"),
    ),
    Case(
        "Reg 2023/2844 applies only from 1 May 2025",
        "FR",
        "BE",
        "civil",
        "party",
        "yes",
        C,
        ("eu_reg_2020_1783",),
        absent=ids("recording.parties_informed"),
        day=date(2025, 4, 30),
    ),
    Case(
        "BE: voluntary invitation, identity documents, oath by the requesting court",
        "FR",
        "BE",
        "civil",
        "witness",
        "unknown",
        C,
        ("eu_reg_2020_1783",),
        ids("notice.voluntary_in_invitation", "identity.verified", "oath.competent_person"),
        params={
            "identity.verified": {"method": "identity documents"},
            "oath.competent_person": {"rule": "requesting_court"},
        },
    ),
    Case(
        "Denmark is outside Reg 2020/1783: its Art 33 declaration excludes Chapter II commissioners"
        "; its rule on a foreign court hearing someone without a request is unknown",
        "DE",
        "DK",
        "civil",
        "witness",
        "yes",
        U,
        ("national_no_treaty",),
        reasons=ids("hague.art33_exclusion", "unknown.incoming.unilateral.civil"),
    ),
    Case(
        "Denmark is outside the EIO: EU MLA Convention 2000 Art 10",
        "DE",
        "DK",
        "criminal",
        "witness",
        "yes",
        C,
        ("eu_mla_2000_art10",),
        ids("request.accepted", "request.reasons_stated", "authority.present", "minutes.drawn_up"),
    ),
    Case(
        "Ireland is outside the EIO: EU MLA Convention 2000 Art 10",
        "BE",
        "IE",
        "criminal",
        "witness",
        "yes",
        C,
        ("eu_mla_2000_art10",),
        ids("request.reasons_stated", "request.accepted", "authority.present", "minutes.drawn_up"),
    ),
    Case(
        "ETS 182 Art 9 between Switzerland and Germany",
        "CH",
        "DE",
        "criminal",
        "expert",
        "yes",
        C,
        ("coe_ets182_art9",),
        ids("authority.present", "identity.verified"),
    ),
    Case(
        "ETS 182 Art 9(9): unknown declarations on the accused mean review",
        "CH",
        "DE",
        "criminal",
        "accused",
        "yes",
        U,
        reasons=ids("unknown.treaties.coe_2ap.art9_9_excludes_accused"),
    ),
    Case(
        "Switzerland needs 14 days' notice and no embassy venue",
        "DE",
        "CH",
        "civil",
        "witness",
        "yes",
        C,
        ("hcch_evidence_1970_ch2",),
        ids(
            "notice.requested_state",
            "venue.permitted",
            "advisory.voluntary",
            "advisory.legal_representation",
            "rights.refusal_notified",
        ),
        params={"notice.requested_state": {"notice_days": 14}},
    ),
    Case(
        "Switzerland before its 2026 declaration: permission (Art 271 SCC)",
        "DE",
        "CH",
        "civil",
        "witness",
        "yes",
        C,
        ("national_no_treaty",),
        ids("permission.requested_state"),
        absent=ids("notice.requested_state"),
        day=date(2025, 12, 1),
    ),
    Case(
        "China bars direct taking (Hague Art 33) and unilateral hearings",
        "US",
        "CN",
        "civil",
        "witness",
        "yes",
        B,
        ("hcch_evidence_1970_ch2", "national_no_treaty"),
        reasons=ids("hague.art33_exclusion", "unilateral.prohibited"),
    ),
    Case(
        "China in criminal matters: UNTOC Art 18(18), the offence's scope confirmed by the judge,"
        " and the US forum's Confrontation Clause finding",
        "US",
        "CN",
        "criminal",
        "witness",
        "yes",
        C,
        ("untoc_art18_18",),
        ids("request.scope_in_treaty", "request.reasons_stated", "forum.witness_finding"),
    ),
    Case(
        "China in criminal matters outside UNTOC/UNCAC: approval route unknown",
        "US",
        "CN",
        "criminal",
        "witness",
        "yes",
        U,
        reasons=ids("unilateral.prohibited", "unknown.incoming.criminal.national_assistance"),
        offence="other",
    ),
    Case(
        "EU-US MLA Agreement Art 6 for a witness",
        "US",
        "DE",
        "criminal",
        "witness",
        "unknown",
        C,
        ("eu_us_mla_2003_art6",),
        ids("request.accepted", "consent.person"),
    ),
    Case(
        "EU-US MLA Agreement Art 6 for an expert, EU side requesting",
        "DE",
        "US",
        "criminal",
        "expert",
        "yes",
        C,
        ("eu_us_mla_2003_art6",),
    ),
    Case(
        "EU-US MLA Agreement does not cover the accused",
        "US",
        "DE",
        "criminal",
        "accused",
        "yes",
        U,
        absent=ids("request.accepted"),
    ),
    Case(
        "AU national law (MACMA s13) for an offence outside the UN conventions, UK permission rule",
        "GB",
        "AU",
        "criminal",
        "witness",
        "yes",
        C,
        ("national_assistance",),
        ids(
            "request.accepted",
            "authority.present",
            "oath.competent_person",
            "permission.foreign_state",
        ),
        offence="other",
    ),
    Case(
        "UK requesting: foreign state's permission before oral evidence",
        "GB",
        "CH",
        "civil",
        "witness",
        "yes",
        C,
        ("national_no_treaty",),
        ids("permission.foreign_state", "permission.requested_state"),
    ),
    Case(
        "UK requesting an accused abroad: no basis recorded",
        "GB",
        "AU",
        "criminal",
        "accused",
        "yes",
        U,
        reasons=ids("outgoing.accused_no_basis"),
    ),
    Case(
        "ZA: an accused is heard by CCTV only with consent",
        "ZA",
        "AU",
        "criminal",
        "accused",
        "no",
        B,
        reasons=ids("outgoing.accused_consent", "national.accused_not_compellable"),
    ),
    Case(
        "ZA and AU: a consenting accused",
        "ZA",
        "AU",
        "criminal",
        "accused",
        "yes",
        C,
        ("national_assistance",),
        ids("consent.person"),
    ),
    Case(
        "NL: no video hearing without a treaty (an offence outside UNTOC and UNCAC)",
        "CA",
        "NL",
        "criminal",
        "witness",
        "yes",
        U,
        reasons=ids("national.treaty_required"),
        offence="other",
    ),
    Case(
        "Civil victim: no instrument addresses the role",
        "DE",
        "FR",
        "civil",
        "victim",
        "yes",
        U,
        reasons=ids("role.not_covered"),
    ),
    Case(
        "Criminal party: no instrument addresses the role",
        "DE",
        "FR",
        "criminal",
        "party",
        "yes",
        U,
        reasons=ids("role.not_covered"),
    ),
    Case(
        "GB->CN civil: barred on China's side whatever the Hague relation (Art 33 declaration,"
        " Civil Procedure Law prohibition)",
        "GB",
        "CN",
        "civil",
        "witness",
        "yes",
        B,
        reasons=ids("hague.art33_exclusion", "unilateral.prohibited"),
    ),
    Case(
        "BR->ZA civil: South Africa has not accepted Brazil's accession (Hague Art 39(4))",
        "BR",
        "ZA",
        "civil",
        "witness",
        "yes",
        U,
        ("national_no_treaty",),
        reasons=ids("unknown.incoming.unilateral.civil"),
    ),
    Case(
        "US->BR civil: Brazil reserved Chapter II and forbids foreign depositions",
        "US",
        "BR",
        "civil",
        "witness",
        "yes",
        B,
        reasons=ids("hague.art33_exclusion", "unilateral.prohibited"),
    ),
    Case(
        "A state without a profile",
        "DE",
        "AR",
        "criminal",
        "witness",
        "yes",
        U,
        reasons=ids("profile.missing"),
    ),
    Case(
        "A hearing before the encoded law",
        "DE",
        "FR",
        "civil",
        "witness",
        "yes",
        U,
        reasons=ids("date.before_encoded_law"),
        day=date(2020, 1, 1),
    ),
]


def _run(case: Case) -> Decision:
    return check(
        default_profiles(),
        case.requesting,
        case.requested,
        case.proceeding,
        case.role,
        case.consent,
        case.day,
        offence=case.offence,
    )


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_research_case(case: Case) -> None:
    decision = _run(case)
    assert decision.decision is case.decision, [r.text for r in decision.reasons]
    if case.regimes:
        assert tuple(regime.id for regime in decision.regimes) == case.regimes
    present = {condition.id: condition for condition in decision.conditions}
    assert case.conditions <= set(present), sorted(case.conditions - set(present))
    assert not case.absent & set(present)
    rules = {reason.rule for reason in decision.reasons}
    assert case.reasons <= rules, sorted(rules)
    for condition_id, expected in case.params.items():
        got = dict(present[condition_id].params)
        assert {key: got.get(key) for key in expected} == expected


def test_conditions_name_who_satisfies_them() -> None:
    accused = _run(CASES[2])
    by_id = {condition.id: condition for condition in accused.conditions}
    assert by_id["authority.present"].satisfied_by == (Actor.AUTHORITY,)
    assert by_id["consent.person"].satisfied_by == (Actor.ACCUSED,)
    assert by_id["counsel.private_channel"].satisfied_by == (Actor.COUNSEL,)
    assert by_id["minutes.drawn_up"].stage.value == "after"
    assert by_id["request.accepted"].stage.value == "before"
    stages = [condition.stage.value for condition in accused.conditions]
    assert stages == sorted(stages, key=["before", "during", "after"].index)


def test_a_victim_gives_consent_as_a_victim() -> None:
    decision = check(default_profiles(), "FR", "DE", "criminal", "victim", "yes")
    consent = next(c for c in decision.conditions if c.id == "consent.person")
    assert consent.satisfied_by == (Actor.VICTIM,)
    assert decision.role.value == "victim"


def test_recording_follows_both_laws() -> None:
    p = default_profiles()
    swiss_witness = check(p, "CH", "NL", "civil", "witness", "yes")
    assert swiss_witness.recording.rule.value == "mandatory"  # CH CPC 141b, NL allows
    assert "141b" in swiss_witness.recording.citation
    # The Swiss rule is stated for witnesses only: for an expert it is not known.
    assert check(p, "CH", "NL", "civil", "expert", "yes").recording.rule.value == "unknown"
    assert check(p, "BE", "NL", "civil", "witness", "yes").recording.rule.value == "court_decides"
    assert check(p, "DE", "FR", "criminal", "witness", "yes").recording.rule.value == "unknown"


def test_decision_to_dict_is_plain_json() -> None:
    decision = check(default_profiles(), "DE", "CH", "civil", "witness", "yes", date(2026, 12, 1))
    data = decision.to_dict()

    def plain(value: Any) -> None:
        if isinstance(value, dict):
            assert all(isinstance(key, str) for key in value)
            for item in value.values():
                plain(item)
        elif isinstance(value, list):
            for item in value:
                plain(item)
        else:
            assert value is None or type(value) in (str, int, bool), repr(value)

    plain(data)
    assert json.loads(json.dumps(data)) == data
    assert data["decision"] == "conditional" and data["date"] == "2026-12-01"
    notice = next(c for c in data["conditions"] if c["id"] == "notice.requested_state")
    assert notice["params"]["notice_days"] == 14 and notice["stage"] == "before"
    assert data["recording"] == {"rule": "unknown", "citation": data["recording"]["citation"]}


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"requesting": "XX"}, "legal.bad_state"),
        ({"requesting": "DEU"}, "legal.bad_state"),
        ({"requested": 49}, "legal.bad_state"),
        ({"requested": None}, "legal.bad_state"),
        ({"requested": "DE"}, "legal.same_state"),
        ({"proceeding": "penal"}, "legal.bad_proceeding"),
        ({"role": "judge"}, "legal.bad_role"),
        ({"role": ["witness"]}, "legal.bad_role"),
        ({"proceeding": "civil", "role": "accused"}, "legal.bad_role"),
        ({"consent": "maybe"}, "legal.bad_consent"),
        ({"hearing_date": datetime(2026, 1, 1, 9, 0)}, "legal.bad_date"),
        ({"hearing_date": "2026-01-01"}, "legal.bad_date"),
    ],
)
def test_malformed_input_raises_a_typed_error(kwargs: dict[str, Any], code: str) -> None:
    args: dict[str, Any] = {
        "requesting": "DE",
        "requested": "FR",
        "proceeding": "criminal",
        "role": "witness",
        "consent": "yes",
    }
    args.update(kwargs)
    with pytest.raises(LegalInputError) as caught:
        check(default_profiles(), **args)
    assert caught.value.code == code
    assert caught.value.message


def test_codes_are_normalised() -> None:
    p = default_profiles()
    lower = check(p, " uk", "ch", "Civil", "WITNESS", "Yes")
    assert (lower.requesting, lower.requested) == ("GB", "CH")
    assert lower.to_dict()["proceeding"] == "civil"
