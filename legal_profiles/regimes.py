"""The instruments the engine knows, with the citations the research checked (V) or recalled (K).

Ids are stable: they are stored with each hearing's decision.
"""

from __future__ import annotations

from datetime import date
from typing import Final

from legal_profiles.decision import Regime

# Official texts and the retrieved copies the research checked them against.
REG_1783_URL: Final = "https://eur-lex.europa.eu/eli/reg/2020/1783/oj"
REG_1783_ART19_URL: Final = "https://base.garant.ru/400719927/95ef042b11da42ac166eeedeb998f688"
REG_1783_ART20_URL: Final = "https://base.garant.ru/400719927/9e3305d0d08ff111955ebd93afd10878"
REG_1783_ART5_URL: Final = (
    "https://legislation.gov.uk/cy/eur/2020/1783/chapter/II/2020-11-25/data.xht"
    "?view=snippet&wrap=true"
)
REG_1783_TACIT_URL: Final = (
    "https://www.dolcelauda.com/news/article/eu-taking-of-evidence-regulation-no-1783-2020/"
)
REG_2844_URL: Final = "https://eur-lex.europa.eu/eli/reg/2023/2844"
REG_2844_RECORDING_URL: Final = "https://e-justice.europa.eu/39432/EN/taking_evidence_by_videoconference?SPAIN&init=true&member=1"
COUNCIL_14560_URL: Final = (
    "https://www.asktheeu.org/request/documents_from_e_justice_working/response/56591/attach/"
    "html/5/ST%2014560%202024%20INIT%20EN%20Use%20of%20videoconferencing%20in%20a%20judicial"
    "%20context%20Next%20steps.PDF%20S.pdf.html"
)
EIO_URL: Final = "https://eur-lex.europa.eu/eli/dir/2014/41/oj"
MANUAL_MLA_URL: Final = "https://e-justice.europa.eu/71/EN/manual?init=true&idSubpage=16"
MANUAL_ANNEX3_URL: Final = (
    "https://beta.e-justice.europa.eu/71/EN/manual?action=maximize&idSubpage=19"
)
MANUAL_PRIVATE_URL: Final = "https://e-justice.europa.eu/71/EN/manual?init=true&idSubpage=7"
MLA_2000_URL: Final = (
    "https://eur-lex.europa.eu/legal-content/EN/ALL/?uri=CELEX%3A42000Y1229%2802%29"
)
ETS_182_URL: Final = "https://zoek.officielebekendmakingen.nl/dossier/trb-2002-30.html"
ETS_182_ART9_9_URL: Final = (
    "https://wordscope.be/francais/neerlandais/vidéoconférence+auxquelles.html"
)
HAGUE_TEXT_URL: Final = (
    "https://en.wikisource.org/wiki/"
    "Convention_on_the_Taking_of_Evidence_Abroad_in_Civil_or_Commercial_Matters"
)
HAGUE_ART21_URL: Final = "https://inview.nl/document/id8fd1596e6d97ee8e405bc29edf12aa79"
HAGUE_ART11_URL: Final = "https://vilp.de/compare_article?lid=en&aid=52542&cid=3219&bid=treaty_full"
EU_US_ART6_URL: Final = (
    "https://mijnwetten.nl/overeenkomst-betreffende-wederzijdse-rechtshulp-in-strafzaken-tussen"
    "-de-europese-unie-en-de-verenigde-staten-van-amerika-washington-dc-25-06-2003/artikel6"
)
UNTOC_URL: Final = (
    "https://www.unodc.org/documents/treaties/UNTOC/Publications/TOC%20Convention/TOCebook-e.pdf"
)
UNCAC_URL: Final = "https://www.unodc.org/documents/brussels/UN_Convention_Against_Corruption.pdf"

# Dates from which an instrument governs; for an earlier hearing the predecessor law (not
# encoded) applied, so the engine answers unknown rather than apply the wrong text.
REG_1783_FROM: Final = date(2022, 7, 1)
REG_2844_FROM: Final = date(2025, 5, 1)

EU_REG_1783 = Regime(
    "eu_reg_2020_1783",
    "Regulation (EU) 2020/1783 on the taking of evidence (recast): direct taking by video",
    f"Reg (EU) 2020/1783 Arts 19-20; {REG_1783_URL}",
)
EU_REG_2844_ART5 = Regime(
    "eu_reg_2023_2844_art5",
    "Regulation (EU) 2023/2844 (digitalisation): participation of a party by videoconference",
    f"Reg (EU) 2023/2844 Art 5; {REG_2844_URL}",
)
HAGUE_1970 = Regime(
    "hcch_evidence_1970_ch2",
    "HCCH Evidence Convention 1970, Chapter II (taking of evidence by commissioners)",
    f"HCCH Convention of 18 March 1970 Arts 15-22; {HAGUE_TEXT_URL}",
)
EIO = Regime(
    "eu_eio_art24",
    "Directive 2014/41/EU (European Investigation Order): hearing by videoconference",
    f"Directive 2014/41/EU Art 24; {EIO_URL}",
)
EU_MLA_2000 = Regime(
    "eu_mla_2000_art10",
    "EU Convention on Mutual Assistance in Criminal Matters 2000: hearing by videoconference",
    f"EU MLA Convention 2000 Art 10; {MLA_2000_URL}",
)
COE_2AP = Regime(
    "coe_ets182_art9",
    "Second Additional Protocol (ETS 182) to the 1959 European MLA Convention: videoconference",
    f"ETS 182 Art 9; {ETS_182_URL}",
)
EU_US_MLA = Regime(
    "eu_us_mla_2003_art6",
    "Agreement on mutual legal assistance between the EU and the USA (2003): videoconference",
    f"EU-US MLA Agreement Art 6; {EU_US_ART6_URL}",
)
UNTOC = Regime(
    "untoc_art18_18",
    "UN Convention against Transnational Organized Crime: hearing by video conference",
    f"UNTOC Art 18(18); {UNTOC_URL}",
)
UNCAC = Regime(
    "uncac_art46_18",
    "UN Convention against Corruption: hearing by video conference",
    f"UNCAC Art 46(18); {UNCAC_URL}",
)
# The next two are built per profile (their citation is the state's own statute); these ids are
# fixed.
NATIONAL_ASSISTANCE_ID: Final = "national_assistance"
NATIONAL_UNILATERAL_ID: Final = "national_no_treaty"

ALL_IDS: Final = (
    EU_REG_1783.id,
    EU_REG_2844_ART5.id,
    HAGUE_1970.id,
    EIO.id,
    EU_MLA_2000.id,
    COE_2AP.id,
    EU_US_MLA.id,
    UNTOC.id,
    UNCAC.id,
    NATIONAL_ASSISTANCE_ID,
    NATIONAL_UNILATERAL_ID,
)
