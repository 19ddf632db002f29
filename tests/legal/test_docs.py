"""The documentation lists every condition id and regime id the engine can emit."""

from __future__ import annotations

from pathlib import Path

from legal_profiles.conditions import CATALOGUE
from legal_profiles.regimes import ALL_IDS

DOC = Path(__file__).resolve().parents[2] / "docs" / "legal-profiles.md"


def test_every_condition_and_regime_id_is_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    for condition_id, spec in CATALOGUE.items():
        assert f"| `{condition_id}` | {spec.stage.value} |" in text, condition_id
    for regime_id in ALL_IDS:
        assert f"| `{regime_id}` |" in text, regime_id
