"""The official host list and `legal validate`'s warning about V facts sourced elsewhere."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import pytest

from legal_profiles.cli import register
from legal_profiles.errors import ProfileError
from legal_profiles.hosts import (
    OfficialHosts,
    load_official_hosts,
    parse_official_hosts,
    source_host,
    unofficial_sources,
)
from tests.legal.helpers import blank, build, put, toml_text, v

HOSTS = load_official_hosts()

# Private publishers, commercial databases and mirrors: a V fact must not rest on them.
NOT_OFFICIAL = (
    "www.law.cornell.edu",
    "www.zakonyprolidi.cz",
    "www.cylaw.org",
    "www.austlii.edu.au",
    "mijnwetten.nl",
    "refli.be",
    "lawbrary.ch",
    "www.global-regulation.com",
    "www.mondaq.com",
    "360.lexisnexis.at",
    "case-law.vlex.com",
    "print.casetext.com",
    "docplayer.hu",
    "chinajusticeobserver.com",
    "dre.tretas.org",
    "www.zakon.hr",
    "lex.bg",
    "www.legex.ro",
    "laws.sg",
    "webharvest.gov",
)
# The primary sources the issue and the research name: each must be covered.
OFFICIAL = (
    "eur-lex.europa.eu",
    "e-justice.europa.eu",
    "beta.e-justice.europa.eu",
    "www.ejn-crimjust.europa.eu",
    "www.hcch.net",
    "www.coe.int",
    "rm.coe.int",
    "treaties.un.org",
    "www.unodc.org",
    "data.iana.org",
    "www.legislation.gov.uk",
    "www.gesetze-im-internet.de",
    "www.legifrance.gouv.fr",
    "laws-lois.justice.gc.ca",
    "laws.justice.gc.ca",
    "www.legislation.gov.au",
    "travel.state.gov",
    "www.congress.gov",
    "www.govinfo.gov",
    "uscode.house.gov",
    "www.planalto.gov.br",
    "www.justice.gov.za",
    "www.riigiteataja.ee",
    "www.finlex.fi",
    "wetten.overheid.nl",
    "zoek.officielebekendmakingen.nl",
    "verdragenbank.overheid.nl",
    "www.fedlex.admin.ch",
    "www.boe.es",
    "dre.pt",
    "ris.bka.gv.at",
    "www.ejustice.just.fgov.be",
    "legilux.public.lu",
    "likumi.lv",
    "www.irishstatutebook.ie",
    "www.retsinformation.dk",
    "isap.sejm.gov.pl",
    "www.gazzettaufficiale.it",
    "www.normattiva.it",
    "www.legislation.govt.nz",
    "treaties.mfat.govt.nz",
    "sso.agc.gov.sg",
    "elaws.e-gov.go.jp",
    "www.law.go.kr",
    "www.indiacode.nic.in",
    "www.mea.gov.in",
    "www.dof.gob.mx",
    "www.sre.gob.mx",
    "www.diputados.gob.mx",
    "www.e-sbirka.cz",
    "www.slov-lex.sk",
    "pisrs.si",
    "www.e-tar.lt",
    "legislation.mt",
    "www.riksdagen.se",
    "lovdata.no",
    "www.regjeringen.no",
    "njt.hu",
    "narodne-novine.nn.hr",
)


def test_a_suffix_covers_the_host_and_its_subdomains_only() -> None:
    hosts = OfficialHosts({"hcch.net": "HCCH", "www.gov.uk": "GOV.UK"})
    assert hosts.match("hcch.net") == "hcch.net"
    assert hosts.match("assets.hcch.net") == "hcch.net"
    assert hosts.match("WWW.HCCH.NET.") == "hcch.net"
    assert hosts.match("nothcch.net") is None  # a label boundary, not a string suffix
    assert hosts.match("hcch.net.example.org") is None
    assert hosts.match("www.gov.uk") == "www.gov.uk"
    assert hosts.match("legislation.gov.uk") is None
    assert hosts.match("net") is None
    assert hosts.match("") is None


@pytest.mark.parametrize("host", OFFICIAL)
def test_primary_sources_are_on_the_list(host: str) -> None:
    assert HOSTS.match(host) is not None, host


@pytest.mark.parametrize("host", NOT_OFFICIAL)
def test_private_publishers_and_mirrors_are_not(host: str) -> None:
    assert HOSTS.match(host) is None, f"{host} is covered by {HOSTS.match(host)}"


def test_the_list_says_what_each_host_is_and_has_no_redundant_suffix() -> None:
    for suffix, what in HOSTS.suffixes.items():
        assert len(what) >= 10, suffix
        labels = suffix.split(".")
        parents = {".".join(labels[i:]) for i in range(1, len(labels) - 1)}
        assert not parents & set(HOSTS.suffixes), f"{suffix} is covered by {parents}"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"hosts": {"https://hcch.net": "HCCH"}}, "hosts.https://hcch.net"),
        ({"hosts": {"hcch.net/en": "HCCH"}}, "hosts.hcch.net/en"),
        ({"hosts": {".hcch.net": "HCCH"}}, "hosts..hcch.net"),
        ({"hosts": {"HCCH.net": "HCCH"}}, "hosts.HCCH.net"),
        ({"hosts": {"net": "a top-level domain"}}, "hosts.net"),
        ({"hosts": {"hcch.net": " "}}, "hosts.hcch.net"),
        ({"hosts": {"hcch.net": 1}}, "hosts.hcch.net"),
        ({"hosts": {}}, "hosts"),
        ({}, "hosts"),
        ({"hosts": {"hcch.net": "HCCH"}, "extra": 1}, "extra"),
    ],
)
def test_a_malformed_list_is_refused_naming_the_entry(data: dict[str, Any], field: str) -> None:
    with pytest.raises(ProfileError) as caught:
        parse_official_hosts(data, "official_hosts.toml")
    assert caught.value.file == "official_hosts.toml"
    assert caught.value.field == field


def test_an_unreadable_list_is_a_profile_error(tmp_path: Path) -> None:
    path = tmp_path / "hosts.toml"
    path.write_text("[hosts\n", encoding="utf-8")
    with pytest.raises(ProfileError, match="not valid TOML"):
        load_official_hosts(path)
    with pytest.raises(ProfileError, match="cannot be read"):
        load_official_hosts(tmp_path / "absent.toml")


def _document(iso2: str) -> dict[str, Any]:
    """A blank profile with V, K and record facts sourced on and off the list."""
    data = blank(iso2)
    put(data, "treaties.untoc", v(True, source="https://treaties.un.org/Pages/x.aspx"))
    put(data, "treaties.uncac", v(True))  # example.org: not official
    put(data, "treaties.eio", {"value": False, "confidence": "K", "ref": "Dir 2014/41/EU",
                               "source": "https://www.mondaq.com/x"})  # fmt: skip
    data["sources"] = {"mirror": "https://www.global-regulation.com/law/x.html"}
    put(data, "incoming.criminal.treaty_required", v(False, source="mirror"))
    data["treaties"]["hague"]["relations"] = [
        {"counterparty": "FR", "status": "in_force", "confidence": "V",
         "source": "https://www.hcch.net/en/instruments/conventions/status-table/?cid=82"},
        {"counterparty": "DE", "status": "in_force", "confidence": "V",
         "source": "http://203.0.113.5/status"},
    ]  # fmt: skip
    return data


def test_every_v_fact_off_the_list_is_named_with_file_field_and_host() -> None:
    warnings = unofficial_sources([build(_document("AD"))], HOSTS)
    found = [(w.file, w.field, w.host) for w in warnings]
    assert found == [
        ("AD.toml", "treaties.uncac", "example.org"),
        ("AD.toml", "treaties.hague.relations[1]", "203.0.113.5"),
        ("AD.toml", "incoming.criminal.treaty_required", "www.global-regulation.com"),
    ]
    assert "AD.toml: treaties.uncac: V fact sourced from example.org" in str(warnings[0])
    assert warnings[2].url == "https://www.global-regulation.com/law/x.html"


def test_source_host() -> None:
    assert source_host("https://WWW.HCCH.net:443/en/x?y#z") == "www.hcch.net"
    assert source_host("https://eur-lex.europa.eu./x") == "eur-lex.europa.eu"


# -- the CLI ------------------------------------------------------------------------------


def _validate(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="vc-service")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["legal", "validate", *argv])
    code: int = args.func(args)
    return code


def test_validate_warns_and_strict_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "AD.toml").write_text(toml_text(_document("AD")), encoding="utf-8")
    assert _validate(["--profiles", str(tmp_path)]) == 0
    out = capsys.readouterr()
    assert "1 profiles valid" in out.out
    assert "3 warning(s)" in out.out
    file = tmp_path / "AD.toml"
    assert (
        f"WARNING {file}: incoming.criminal.treaty_required: V fact sourced from"
        " www.global-regulation.com" in out.err
    )
    assert out.err.count("WARNING ") == 3
    assert _validate(["--strict", "--profiles", str(tmp_path)]) == 1
    assert "error: 3 warning(s) and --strict" in capsys.readouterr().err


def test_validate_strict_passes_without_warnings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = blank("AD")
    put(data, "treaties.untoc", v(True, source="https://treaties.un.org/Pages/x.aspx"))
    (tmp_path / "AD.toml").write_text(toml_text(data), encoding="utf-8")
    assert _validate(["--strict", "--profiles", str(tmp_path)]) == 0
    out = capsys.readouterr()
    assert "WARNING" not in out.err and "warning(s)" not in out.out
