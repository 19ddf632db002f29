"""The conditions each instrument imposes, as the research states them (C24-C48): built once at
import, shared by every decision. Texts and citations here; ids and stages in `conditions.py`."""

from __future__ import annotations

from typing import Final

from legal_profiles import regimes as r
from legal_profiles.conditions import AUTHORITY, COURT_STAFF, JUDGE, OFFICIALS, make
from legal_profiles.decision import Actor, Condition, Confidence

# -- shared texts ---------------------------------------------------------------------------

MINUTES_FIELDS: Final = (
    "date",
    "place",
    "identity of the person heard",
    "identities and functions of all other participants in the requested state",
    "oaths taken",
    "technical conditions",
)
_PRESENT = (
    "A competent judicial authority of the requested state is present, assisted by an interpreter"
    " where needed, and is responsible for identifying the person and for respect of the"
    " fundamental principles of its law."
)
_INTERVENE = (
    "The requested state's authority can interrupt or stop the hearing at once if fundamental"
    " principles of its law are infringed."
)
_IDENTITY = "The requested state's authority establishes and records the identity of the person."
_REFUSAL = (
    "Before testifying, the person is told of the right not to testify under the law of the"
    " requested state and of the requesting state, and may invoke either."
)
_INTERPRETER = "An interpreter assists where the requesting state or the person asks for one."
_PROTECTION = "Measures for the protection of the person are agreed between the states if needed."
_MINUTES = (
    "The requested state's authority draws up minutes (date, place, identity of the person heard,"
    " identities and functions of participants in the requested state, oaths, technical"
    " conditions) and sends them to the requesting authority."
)
_ACCUSED_RIGHTS = (
    "The accused is informed, in time to exercise the rights of the defence, of procedural rights"
    " under the law of the requesting state."
)
_ACCUSED_PROCEDURAL = (
    "At the start the accused is reminded of procedural rights under both laws, including the"
    " right not to testify."
)
PRIVATE_CHANNEL = make(
    "counsel.private_channel",
    "The accused and counsel have a private channel that third parties cannot overhear.",
    f"e-Justice videoconferencing guide para 37; {r.MANUAL_PRIVATE_URL}",
    (Actor.COUNSEL,),
    "V",
)


def _cite(ref: str, url: str) -> str:
    return f"{ref}; {url}"


# -- EIO, Directive 2014/41/EU Art 24 --------------------------------------------------------

EIO_PRESENT = make(
    "authority.present",
    _PRESENT,
    _cite("Dir 2014/41/EU Art 24(5)(a)", r.EIO_URL),
    AUTHORITY,
    "V",
)
EIO_INTERVENE = make(
    "authority.can_intervene",
    _INTERVENE,
    _cite("Dir 2014/41/EU Art 24(5)(a)", r.EIO_URL),
    AUTHORITY,
    "K",
)
EIO_IDENTITY = make(
    "identity.verified",
    _IDENTITY,
    _cite("Dir 2014/41/EU Art 24(3), 24(5)(a)", r.EIO_URL),
    AUTHORITY,
    "V",
)
EIO_PROTECTION = make(
    "protection.measures_agreed",
    _PROTECTION,
    _cite("Dir 2014/41/EU Art 24(5)(b)", r.EIO_URL),
    OFFICIALS,
    "K",
)
EIO_INTERPRETER = make(
    "interpreter.available",
    _INTERPRETER,
    _cite("Dir 2014/41/EU Art 24(5)(d)", r.EIO_URL),
    (Actor.INTERPRETER, Actor.JUDGE),
    "K",
)
EIO_REFUSAL = make(
    "rights.refusal_notified",
    _REFUSAL,
    _cite("Dir 2014/41/EU Art 24(5)(e)", r.EIO_URL),
    OFFICIALS,
    "K",
)
EIO_ACCUSED_INFORMED = make(
    "rights.accused_informed",
    _ACCUSED_RIGHTS,
    _cite("Dir 2014/41/EU Art 24(3)", r.EIO_URL),
    AUTHORITY,
    "V",
)
EIO_ACCUSED_PROCEDURAL = make(
    "rights.accused_procedural",
    _ACCUSED_PROCEDURAL,
    _cite("Dir 2014/41/EU Art 24(5)(e)", r.EIO_URL),
    OFFICIALS,
    "K",
)
EIO_MINUTES = make(
    "minutes.drawn_up",
    _MINUTES,
    _cite("Dir 2014/41/EU Art 24(6)", r.EIO_URL),
    AUTHORITY,
    "K",
    fields=MINUTES_FIELDS,
)

# -- EU MLA Convention 2000 Art 10 and ETS 182 Art 9 (same structure) -----------------------

MLA_REASONS = make(
    "request.reasons_stated",
    "The request states why it is not desirable or possible for the person to appear in person,"
    " and names the judicial authority and the persons who will conduct the hearing.",
    _cite("EU MLA Convention 2000 Art 10(1), 10(3)", r.MANUAL_ANNEX3_URL),
    COURT_STAFF,
    "V",
)
MLA_ACCEPTED = make(
    "request.accepted",
    "The requested state agreed to the hearing by videoconference (not contrary to its"
    " fundamental principles; it has the technical means).",
    _cite("EU MLA Convention 2000 Art 10(2)", r.MLA_2000_URL),
    OFFICIALS,
    "K",
)
MLA_PRESENT = make(
    "authority.present",
    _PRESENT,
    _cite("EU MLA Convention 2000 Art 10(5)(a)", r.MANUAL_MLA_URL),
    AUTHORITY,
    "V",
)
MLA_INTERVENE = make(
    "authority.can_intervene",
    _INTERVENE,
    _cite("EU MLA Convention 2000 Art 10(5)(a)", r.MANUAL_MLA_URL),
    AUTHORITY,
    "V",
)
MLA_IDENTITY = make(
    "identity.verified",
    _IDENTITY,
    _cite("EU MLA Convention 2000 Art 10(5)(a)", r.MANUAL_MLA_URL),
    AUTHORITY,
    "V",
)
MLA_PROTECTION = make(
    "protection.measures_agreed",
    _PROTECTION,
    _cite("EU MLA Convention 2000 Art 10(5)(b)", r.MANUAL_MLA_URL),
    OFFICIALS,
    "V",
)
MLA_INTERPRETER = make(
    "interpreter.available",
    _INTERPRETER,
    _cite("EU MLA Convention 2000 Art 10(5)(d)", r.MANUAL_MLA_URL),
    (Actor.INTERPRETER, Actor.JUDGE),
    "V",
)
MLA_REFUSAL = make(
    "rights.refusal_notified",
    _REFUSAL,
    _cite("EU MLA Convention 2000 Art 10(5)(e)", r.MANUAL_MLA_URL),
    OFFICIALS,
    "V",
)
MLA_MINUTES = make(
    "minutes.drawn_up",
    _MINUTES,
    _cite("EU MLA Convention 2000 Art 10(6)", r.MLA_2000_URL),
    AUTHORITY,
    "K",
    fields=MINUTES_FIELDS,
)
MLA_ACCUSED_PROCEDURAL = make(
    "rights.accused_procedural",
    _ACCUSED_PROCEDURAL,
    _cite("EU MLA Convention 2000 Art 10(9)", r.MLA_2000_URL),
    OFFICIALS,
    "K",
)


def _ets182(condition: Condition, article: str, confidence: Confidence = "K") -> Condition:
    """ETS 182 Art 9 has the structure of Art 10 of the 2000 Convention (research C40, K)."""
    return make(
        condition.id,
        condition.text,
        _cite(f"ETS 182 Art {article}", r.ETS_182_URL),
        condition.satisfied_by,
        confidence,
        **condition.params,
    )


ETS_REASONS = _ets182(MLA_REASONS, "9(1), 9(3)")
ETS_ACCEPTED = _ets182(MLA_ACCEPTED, "9(2)")
ETS_PRESENT = _ets182(MLA_PRESENT, "9(5)(a)")
ETS_INTERVENE = _ets182(MLA_INTERVENE, "9(5)(a)")
ETS_IDENTITY = _ets182(MLA_IDENTITY, "9(5)(a)")
ETS_PROTECTION = _ets182(MLA_PROTECTION, "9(5)(b)")
ETS_INTERPRETER = _ets182(MLA_INTERPRETER, "9(5)(d)")
ETS_REFUSAL = _ets182(MLA_REFUSAL, "9(5)(e)")
ETS_MINUTES = _ets182(MLA_MINUTES, "9(6)")
ETS_ACCUSED_PROCEDURAL = _ets182(MLA_ACCUSED_PROCEDURAL, "9(8)")

# -- Reg (EU) 2020/1783 direct taking --------------------------------------------------------

REG_ACCEPTED = make(
    "request.accepted",
    "Direct taking was requested from the requested state's central body or competent authority"
    " on Form L, with videoconference asked for on Form N; the central body answers within 30"
    " days and may set conditions under its law (a request not answered in time counts as"
    " accepted).",
    _cite("Reg (EU) 2020/1783 Arts 19(1), 19(4), 20(1)-(2)", r.REG_1783_ART19_URL)
    + f"; tacit acceptance: {r.REG_1783_TACIT_URL}",
    OFFICIALS,
    "V",
    form="L",
    decision_days=30,
)
REG_VOLUNTARY = make(
    "advisory.voluntary",
    "The requesting court tells the person that the examination is voluntary and that no"
    " coercive measures apply.",
    _cite("Reg (EU) 2020/1783 Art 19(2)", r.REG_1783_ART19_URL),
    JUDGE,
    "V",
)
REG_REFUSAL = make(
    "rights.refusal_notified",
    _REFUSAL,
    _cite("Reg (EU) 2020/1783 Arts 5(1)(e), 16(1)", r.REG_1783_ART5_URL),
    JUDGE,
    "K",
)
REG_INTERPRETER = make(
    "interpreter.available",
    "An interpreter assists where the person needs one.",
    _cite("Reg (EU) 2020/1783 Art 20(3)", r.REG_1783_URL),
    (Actor.INTERPRETER, Actor.JUDGE),
    "K",
)
PARTY_RECORDING = make(
    "recording.parties_informed",
    "If the hearing is recorded under the forum's rules, the parties are informed and may"
    " object where applicable; the recording is stored securely and not publicly disseminated.",
    _cite("Reg (EU) 2023/2844 Art 5", r.REG_2844_RECORDING_URL),
    JUDGE,
    "V",
)

# -- HCCH 1970 Chapter II (Art 21) -----------------------------------------------------------

HAGUE_VOLUNTARY = make(
    "advisory.voluntary",
    "The person is told that they are not compelled to appear or give evidence.",
    _cite("HCCH 1970 Art 21(c)", r.HAGUE_ART21_URL),
    JUDGE,
    "V",
)
HAGUE_REPRESENTATION = make(
    "advisory.legal_representation",
    "The person is told that they may be legally represented.",
    _cite("HCCH 1970 Art 21(c)", r.HAGUE_ART21_URL),
    JUDGE,
    "V",
)
HAGUE_REFUSAL = make(
    "rights.refusal_notified",
    "The person is told they may refuse to give evidence where a privilege or duty exists under"
    " the law of the requested state or of the requesting state.",
    _cite("HCCH 1970 Arts 11, 21(e)", r.HAGUE_ART11_URL),
    JUDGE,
    "V",
)
HAGUE_OATH = make(
    "oath.competent_person",
    "Any oath or affirmation is administered by the commissioner only within the limits of the"
    " requested state's law and of its permission.",
    _cite("HCCH 1970 Art 21(a)", r.HAGUE_ART21_URL),
    JUDGE,
    "V",
)

# -- EU-US MLA Agreement Art 6 ---------------------------------------------------------------

EU_US_ACCEPTED = make(
    "request.accepted",
    "The hearing by videoconference was requested and agreed under Art 6 of the EU-US Agreement;"
    " it follows the applicable bilateral MLA treaty or the requested state's law, and the"
    " requesting state bears the costs of the link unless agreed otherwise.",
    _cite("EU-US MLA Agreement Art 6", r.EU_US_ART6_URL),
    OFFICIALS,
    "V",
)

# -- UNTOC Art 18(18) / UNCAC Art 46(18) -----------------------------------------------------


def un_conditions(article: str, scope: str, url: str) -> tuple[Condition, ...]:
    """The scope condition comes first: where the question gives the offence, it is dropped."""
    ref = article
    return (
        make(
            "request.scope_in_treaty",
            "The offence falls within the scope of the convention relied on.",
            _cite(f"{ref}; scope: {scope}", url),
            (Actor.JUDGE, Actor.PROSECUTOR),
            "K",
        ),
        make(
            "request.reasons_stated",
            "The request says why appearance in person is not possible or desirable.",
            _cite(ref, url),
            COURT_STAFF,
            "K",
        ),
        make(
            "request.accepted",
            "The requested state permitted the hearing by video conference, as far as possible"
            " and consistent with the fundamental principles of its law.",
            _cite(ref, url),
            OFFICIALS,
            "K",
        ),
    )


# UNTOC covers corruption only as its Art 8 offence committed with organized-crime elements
# (Art 3(1)); a question that gives `corruption` therefore takes the UNCAC route only.
UNTOC_CONDITIONS: Final = un_conditions(
    "UNTOC Art 18(18)",
    "Art 3(1) (offences under Arts 5, 6, 8, 23 and serious crime, transnational"
    " and involving an organized criminal group)",
    r.UNTOC_URL,
)
UNCAC_CONDITIONS: Final = un_conditions(
    "UNCAC Art 46(18)",
    "Art 3(1), Art 46(1) (offences established under the Convention)",
    r.UNCAC_URL,
)

# -- no treaty: a foreign court hearing a willing person ---------------------------------------

NO_COERCION_CITATION: Final = (
    "No coercion without the requested state's court (research C52): HCCH 1970 Art 21(c), "
    f"{r.HAGUE_ART21_URL}; Reg (EU) 2020/1783 Art 19(2), {r.REG_1783_ART19_URL}"
)
UNILATERAL_VOLUNTARY = make(
    "advisory.voluntary",
    "The person is told that taking part is voluntary: without a request to the requested state"
    " no coercion is available.",
    NO_COERCION_CITATION,
    JUDGE,
    "V",
)
