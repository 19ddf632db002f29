"""Canonical JSON profile: JCS vectors, a differential test against `rfc8785`, and strict
parsing (every non-canonical spelling is rejected, by both the fast and the reference path)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from vc_service.audit.canonical import (
    MAX_DEPTH,
    MAX_SAFE_INTEGER,
    CanonicalError,
    _parse_canonical_walk,
    canonical_bytes,
    parse_canonical,
)

JCS = Path(__file__).parent.parent / "vectors" / "jcs" / "testdata"

# Which upstream inputs lie inside our profile; the others must be refused with this code.
JCS_EXPECTED: dict[str, str | None] = {
    "arrays": None,
    "french": "audit.canonical.key",  # non-ASCII keys
    "structures": "audit.canonical.float",  # 56.0
    "unicode": None,
    "values": "audit.canonical.float",
    "weird": "audit.canonical.key",
}


def test_every_jcs_vector_is_classified() -> None:
    assert sorted(path.stem for path in (JCS / "input").glob("*.json")) == sorted(JCS_EXPECTED)


@pytest.mark.parametrize("name", sorted(JCS_EXPECTED))
def test_jcs_vectors(name: str) -> None:
    value = json.loads((JCS / "input" / f"{name}.json").read_text(encoding="utf-8"))
    expected = (JCS / "output" / f"{name}.json").read_bytes()
    hex_form = (JCS / "outhex" / f"{name}.txt").read_text().split()
    assert bytes(int(item, 16) for item in hex_form) == expected
    code = JCS_EXPECTED[name]
    if code is None:
        assert canonical_bytes(value) == expected
        assert rfc8785.dumps(value) == expected
    else:
        with pytest.raises(CanonicalError) as info:
            canonical_bytes(value)
        assert info.value.code == code


def test_jcs_outputs_parse_back_when_inside_the_profile() -> None:
    # structures.json has a float in its input but only integers in its canonical output.
    for name in ("structures", "unicode"):
        data = (JCS / "output" / f"{name}.json").read_bytes()
        assert canonical_bytes(parse_canonical(data)) == data
    with pytest.raises(CanonicalError, match="JSON object"):
        parse_canonical((JCS / "output" / "arrays.json").read_bytes())
    for name in ("values", "french", "weird"):
        with pytest.raises(CanonicalError):
            parse_canonical((JCS / "output" / f"{name}.json").read_bytes())


ascii_keys = st.text(alphabet=st.characters(max_codepoint=127), max_size=8)
safe_ints = st.integers(min_value=-MAX_SAFE_INTEGER, max_value=MAX_SAFE_INTEGER)
scalars = st.none() | st.booleans() | safe_ints | st.text(max_size=12)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(ascii_keys, inner, max_size=5),
    max_leaves=20,
)
objects = st.dictionaries(ascii_keys, values, max_size=6)


@settings(max_examples=300, deadline=None)
@given(value=values)
def test_differential_against_rfc8785(value: Any) -> None:
    assert canonical_bytes(value) == rfc8785.dumps(value)


@settings(max_examples=150, deadline=None)
@given(value=objects)
def test_round_trip(value: dict[str, Any]) -> None:
    data = canonical_bytes(value)
    assert parse_canonical(data) == value
    assert _parse_canonical_walk(data) == value
    assert b"\n" not in data  # one event per JSON Lines line relies on this


def _verdict(data: bytes) -> tuple[bool, Any]:
    try:
        return True, parse_canonical(data)
    except CanonicalError:
        return False, None


def _reference_verdict(data: bytes) -> tuple[bool, Any]:
    try:
        return True, _parse_canonical_walk(data)
    except CanonicalError:
        return False, None


@settings(max_examples=300, deadline=None)
@given(
    value=objects,
    position=st.integers(min_value=0),
    byte=st.integers(0, 255),
    action=st.sampled_from(["replace", "insert", "delete"]),
)
def test_fast_and_reference_parsers_agree_on_mutations(
    value: dict[str, Any], position: int, byte: int, action: str
) -> None:
    data = bytearray(canonical_bytes(value))
    position %= len(data)
    if action == "replace":
        data[position] = byte
    elif action == "insert":
        data.insert(position, byte)
    else:
        del data[position]
    mutated = bytes(data)
    verdict = _verdict(mutated)
    assert verdict == _reference_verdict(mutated)
    if verdict[0]:
        assert canonical_bytes(verdict[1]) == mutated


@settings(max_examples=100, deadline=None)
@given(value=objects)
def test_other_spellings_of_the_same_value_are_rejected(value: dict[str, Any]) -> None:
    canonical = canonical_bytes(value)
    spellings = [
        json.dumps(value, indent=1).encode(),
        json.dumps(value, ensure_ascii=True, sort_keys=True, separators=(",", ":")).encode(),
        json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode(),
        json.dumps(value, sort_keys=True, ensure_ascii=False).encode(),
        canonical + b" ",
        b" " + canonical,
        canonical + b"\n",
    ]
    for spelling in spellings:
        if spelling != canonical:
            with pytest.raises(CanonicalError):
                parse_canonical(spelling)
            with pytest.raises(CanonicalError):
                _parse_canonical_walk(spelling)


REJECTED_BYTES = {
    b'{"a":1,"a":2}': "audit.canonical.not_canonical",
    b'{"b":1,"a":2}': "audit.canonical.not_canonical",
    b'{"a":1.0}': "audit.canonical.float",
    b'{"a":1e3}': "audit.canonical.float",
    b'{"a":NaN}': "audit.canonical.float",
    b'{"a":-Infinity}': "audit.canonical.float",
    b'{"a":-0}': "audit.canonical.not_canonical",
    b'{"a":9007199254740992}': "audit.canonical.integer",
    b'{"a":-9007199254740992}': "audit.canonical.integer",
    b'{"a":[1,{"b":123456789012345678901234567890}]}': "audit.canonical.integer",
    b'{ "a":1}': "audit.canonical.not_canonical",
    b'{"a":"\\u00e9"}': "audit.canonical.not_canonical",
    b'{"a":"\\/"}': "audit.canonical.not_canonical",
    b'{"a":"\\u001F"}': "audit.canonical.not_canonical",
    b'{"a":"\\u0008"}': "audit.canonical.not_canonical",
    b'{"a":"\\ud83d\\ude02"}': "audit.canonical.not_canonical",
    b'{"a":"\x01"}': "audit.canonical.syntax",
    b'{"\xc3\xa9":1}': "audit.canonical.key",
    b'{"a":{"b":"\xc3\xa9","\xc3\xa9":1}}': "audit.canonical.key",
    b'{"a":[1,{"\xc3\xa9":[]}]}': "audit.canonical.key",
    b'{"a":"\xed\xa0\x80"}': "audit.canonical.utf8",
    b'{"a":"\xff"}': "audit.canonical.utf8",
    b"\xef\xbb\xbf{}": "audit.canonical.type",
    b"[1]": "audit.canonical.type",
    b'"a"': "audit.canonical.type",
    b"{}x": "audit.canonical.syntax",
    b"{}{}": "audit.canonical.syntax",
    b'{"a":01}': "audit.canonical.syntax",
    b'{"a":tru}': "audit.canonical.syntax",
    b"": "audit.canonical.type",
}


@pytest.mark.parametrize("data", list(REJECTED_BYTES), ids=repr)
def test_rejected_byte_strings(data: bytes) -> None:
    for parse in (parse_canonical, _parse_canonical_walk):
        with pytest.raises(CanonicalError) as info:
            parse(data)
        assert info.value.code == REJECTED_BYTES[data]


def test_escaped_lone_surrogate_is_rejected_by_both_paths() -> None:
    with pytest.raises(CanonicalError):
        parse_canonical(b'{"a":"\\ud800"}')
    with pytest.raises(CanonicalError, match="lone surrogate"):
        _parse_canonical_walk(b'{"a":"\\ud800"}')


@pytest.mark.parametrize("name", ["x", "\u00e9"])
def test_depth_limit_is_the_same_on_both_paths(name: str) -> None:
    # Non-ASCII lines take another branch of the fast parser; both must match the reference.
    verdicts = []
    for opener, closer in ((b'{"a":', b"}"), (b"[", b"]")):
        for levels in range(MAX_DEPTH - 2, MAX_DEPTH + 2):
            for inner in (f'"{name}"'.encode(), b"{}", b"[]"):
                data = b'{"a":' + opener * levels + inner + closer * levels + b"}"
                verdict = _verdict(data)
                assert verdict == _reference_verdict(data), data
                verdicts.append(verdict[0])
                if not verdict[0]:
                    with pytest.raises(CanonicalError) as info:
                        parse_canonical(data)
                    assert info.value.code == "audit.canonical.depth"
    assert True in verdicts and False in verdicts


class _Str(str):
    pass


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (1.5, "audit.canonical.float"),
        (float("nan"), "audit.canonical.float"),
        (MAX_SAFE_INTEGER + 1, "audit.canonical.integer"),
        (-MAX_SAFE_INTEGER - 1, "audit.canonical.integer"),
        ({"é": 1}, "audit.canonical.key"),
        ({1: 1}, "audit.canonical.key"),
        ({"a": "\ud800"}, "audit.canonical.string"),
        ({"a": b"bytes"}, "audit.canonical.type"),
        ({"a": {1, 2}}, "audit.canonical.type"),
        (_Str("x"), "audit.canonical.type"),
    ],
)
def test_values_outside_the_profile(value: object, code: str) -> None:
    with pytest.raises(CanonicalError) as info:
        canonical_bytes(value)
    assert info.value.code == code


def test_limits_are_inclusive() -> None:
    assert canonical_bytes([MAX_SAFE_INTEGER, -MAX_SAFE_INTEGER]) == (
        b"[9007199254740991,-9007199254740991]"
    )
    assert parse_canonical(b'{"a":-9007199254740991}') == {"a": -MAX_SAFE_INTEGER}
