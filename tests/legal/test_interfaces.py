"""`legal check | profiles | validate` and the JSON-shaped check the HTTP endpoint wraps."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from legal_profiles.api import check_request
from legal_profiles.errors import LegalInputError
from legal_profiles.loader import DATA_DIR
from tests.legal.helpers import run


def check_args(
    requesting: str, requested: str, proceeding: str, role: str, *extra: str
) -> list[str]:
    return [
        "legal", "check", "--requesting", requesting, "--requested", requested,
        "--proceeding", proceeding, "--role", role, *extra,
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("argv", "code", "shown"),
    [
        (check_args("DE", "CH", "civil", "witness", "--consent", "yes"), 0, "CONDITIONAL"),
        (check_args("DE", "FR", "criminal", "accused", "--consent", "no"), 3, "BARRED"),
        (check_args("DE", "DK", "civil", "witness"), 4, "UNKNOWN"),
        (check_args("DE", "AR", "civil", "witness"), 4, "profile.missing"),
        (check_args("XX", "FR", "civil", "witness"), 2, "legal.bad_state"),
        (check_args("FR", "FR", "civil", "witness"), 2, "legal.same_state"),
        (check_args("DE", "FR", "civil", "accused"), 2, "legal.bad_role"),
        (check_args("DE", "FR", "civil", "witness", "--date", "01/02/2026"), 2, "legal.bad_date"),
    ],
)
def test_check_exit_codes(
    argv: list[str], code: int, shown: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(argv) == code
    out = capsys.readouterr()
    assert shown in out.out + out.err


def test_check_prints_a_table_with_conditions_and_citations(
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = check_args("DE", "CH", "civil", "witness", "--consent", "yes", "--date", "2026-12-01")
    assert run(argv) == 0
    text = capsys.readouterr().out
    assert "Decision: CONDITIONAL" in text
    assert "hcch_evidence_1970_ch2" in text
    assert "notice.requested_state" in text and '"notice_days": 14' in text
    assert "https://www.hcch.net/en/notifications/?csid=561&disp=resdn" in text


def test_check_json_is_the_decision(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(check_args("GB", "AU", "criminal", "witness", "--json")) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["decision"] == "conditional"
    assert "permission.foreign_state" in {c["id"] for c in data["conditions"]}
    assert data == check_request(
        {"requesting": "GB", "requested": "AU", "proceeding": "criminal", "role": "witness"}
    )


def test_a_bad_choice_exits_2_through_argparse() -> None:
    with pytest.raises(SystemExit) as caught:
        run(check_args("DE", "FR", "penal", "witness"))
    assert caught.value.code == 2


def test_profiles_lists_review_dates_and_vku(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["legal", "profiles", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 42
    ch = next(row for row in rows if row["iso2"] == "CH")
    assert ch["reviewed"] == "2026-12-02"
    assert ch["V"] > 0 and ch["K"] > 0 and ch["U"] > 0
    assert run(["legal", "profiles"]) == 0
    table = capsys.readouterr().out
    assert "Switzerland" in table and "42 profiles" in table


def test_validate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["legal", "validate"]) == 0
    assert "42 profiles valid" in capsys.readouterr().out
    for code in ("DE", "FR"):
        shutil.copy(DATA_DIR / f"{code}.toml", tmp_path / f"{code}.toml")
    broken = tmp_path / "FR.toml"
    broken.write_text(
        broken.read_text(encoding="utf-8").replace(
            'recording = "unknown"', 'recording = "often"', 1
        ),
        encoding="utf-8",
    )
    assert run(["legal", "validate", "--profiles", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert f"INVALID {broken}: incoming.criminal.recording: expected" in err
    assert run(check_args("DE", "FR", "civil", "witness", "--profiles", str(tmp_path))) == 1
    assert run(["legal", "validate", "--profiles", str(tmp_path / "none")]) == 1


def test_check_request_round_trip() -> None:
    data = check_request(
        {
            "requesting": "DE",
            "requested": "FR",
            "proceeding": "criminal",
            "role": "accused",
            "consent": "no",
            "date": "2026-12-01",
        }
    )
    assert data["decision"] == "barred"
    assert data["reasons"][0]["rule"] == "eio.accused_consent"
    assert data["date"] == "2026-12-01"


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ([], "legal.bad_request"),
        ({"requesting": "DE", "requested": "FR", "proceeding": "civil"}, "legal.missing_field"),
        (
            {"requesting": "DE", "requested": "FR", "proceeding": "civil", "role": "w", "x": 1},
            "legal.unknown_field",
        ),
        (
            {"requesting": "DE", "requested": "FR", "proceeding": "civil", "role": "witness",
             "date": "2026-13-01"},
            "legal.bad_date",
        ),
        (
            {"requesting": "DE", "requested": "FR", "proceeding": "civil", "role": "witness",
             "date": 20261201},
            "legal.bad_date",
        ),
        (
            {"requesting": "DE", "requested": "F", "proceeding": "civil", "role": "witness"},
            "legal.bad_state",
        ),
        (
            {"requesting": "DE", "requested": "FR", "proceeding": "civil", "role": "witness",
             "consent": True},
            "legal.bad_consent",
        ),
    ],
)  # fmt: skip
def test_check_request_errors_carry_codes(payload: Any, code: str) -> None:
    with pytest.raises(LegalInputError) as caught:
        check_request(payload)
    assert caught.value.code == code
    body = caught.value.to_dict()["error"]
    assert body["code"] == code and body["message"]
    json.dumps(body)


def test_the_package_stays_pure() -> None:
    """No service, HTTP or database code is imported by the legal package."""
    code = (
        "import sys, legal_profiles, legal_profiles.cli, legal_profiles.api\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in"
        " ('vc_service', 'aiohttp', 'sqlalchemy', 'asyncpg', 'aiosqlite', 'redis')]\n"
        "assert not bad, bad\n"
    )
    root = Path(__file__).resolve().parents[2]
    subprocess.run([sys.executable, "-c", code], check=True, cwd=root, timeout=60)
