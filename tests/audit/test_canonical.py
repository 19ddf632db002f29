"""Canonical JSON profile: JCS vectors, a differential test against `rfc8785` (and `json.dumps`,
which is what the encoder is), strict parsing (every non-canonical spelling is rejected, by both
the fast and the reference path), and the structure patterns the verifier matches events with
(whatever they match is canonical)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from vc_service.audit.canonical import (
    INTEGER_PATTERN,
    MAX_DEPTH,
    MAX_SAFE_INTEGER,
    CanonicalError,
    _parse_canonical_walk,
    canonical_bytes,
    parse_canonical,
    structure_pattern,
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


# --- the C-accelerated encoder is JCS inside the profile ---------------------------------------
#
# `canonical_bytes` is the C encoder of `json` called directly, i.e. `json.dumps(value,
# sort_keys=True, separators=(",", ":"), ensure_ascii=False)` in UTF-8. Inside the profile that is
# RFC 8785 byte for byte (the differential test above); these are the edges spelled out.

EDGE_STRINGS = [
    "".join(chr(c) for c in range(0x20)),  # every control: short escapes and \u00xx, lowercase
    "\x7f",  # DEL is not escaped by JCS
    "\x80\xa0\xad é ß",  # Latin-1, no-break space, soft hyphen
    "\u2028\u2029",  # JavaScript line terminators: raw in JCS
    "\ufeff\uffff",  # BOM inside a string, last BMP noncharacter
    "\U0001f600 \U0010ffff",  # beyond the BMP
    '"\\/',  # quote and backslash escaped, slash not
]


def _dumps(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


@pytest.mark.parametrize("text", EDGE_STRINGS, ids=repr)
def test_edge_strings_encode_as_jcs(text: str) -> None:
    value: dict[str, Any] = {"k": text, "z": [text], "a": {"b": text}}
    assert canonical_bytes(value) == _dumps(value) == rfc8785.dumps(value)
    assert parse_canonical(canonical_bytes(value)) == value


@settings(max_examples=300, deadline=None)
@given(value=values)
def test_json_dumps_is_jcs_inside_the_profile(value: Any) -> None:
    assert _dumps(value) == canonical_bytes(value) == rfc8785.dumps(value)


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ({"a": "\ud800"}, "audit.canonical.string"),  # json.dumps writes it; UTF-8 cannot
        ({"a": "x\udfff"}, "audit.canonical.string"),
        ({"a": 2**53}, "audit.canonical.integer"),  # json.dumps writes it; JCS refuses it
        ({"a": -(2**60)}, "audit.canonical.integer"),
    ],
)
def test_where_json_dumps_goes_beyond_jcs_the_profile_refuses(value: Any, code: str) -> None:
    json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)  # no error
    with pytest.raises(CanonicalError) as info:
        canonical_bytes(value)
    assert info.value.code == code
    with pytest.raises((rfc8785.CanonicalizationError, rfc8785.IntegerDomainError)):
        rfc8785.dumps(value)


@pytest.mark.parametrize(
    ("number", "same"), [(1.0, False), (-0.0, False), (1e21, True), (5e-324, True)]
)
def test_floats_are_refused_as_json_dumps_and_jcs_differ_on_some(number: float, same: bool) -> None:
    value = {"a": number}
    assert (_dumps(value) == rfc8785.dumps(value)) is same
    with pytest.raises(CanonicalError) as info:
        canonical_bytes(value)
    assert info.value.code == "audit.canonical.float"
    with pytest.raises(CanonicalError):
        parse_canonical(_dumps(value))


def _strict_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [key for key, _ in pairs]
    if len(set(keys)) != len(keys):
        raise ValueError("duplicate key")
    return dict(pairs)


@settings(max_examples=200, deadline=None)
@given(pairs=st.lists(st.tuples(st.sampled_from("abcd"), safe_ints), max_size=5))
def test_duplicate_keys_are_refused_like_a_strict_pairs_hook(pairs: list[tuple[str, int]]) -> None:
    # Objects written key by key, possibly with duplicates, in sorted order: accepted exactly
    # when a parser that refuses duplicate keys (object_pairs_hook) accepts them.
    pairs = sorted(pairs)
    data = ("{" + ",".join(f'"{key}":{number}' for key, number in pairs) + "}").encode()
    try:
        expected: dict[str, Any] | None = json.loads(data, object_pairs_hook=_strict_pairs)
    except ValueError:
        expected = None
    for parse in (parse_canonical, _parse_canonical_walk):
        try:
            assert parse(data) == expected
        except CanonicalError as exc:
            assert expected is None and exc.code == "audit.canonical.not_canonical"


# --- structure patterns (the verifier's fast path) ---------------------------------------------


def _array_of_containers(value: Any) -> bool:
    if isinstance(value, dict):
        return any(_array_of_containers(item) for item in value.values())
    if isinstance(value, list):
        return any(isinstance(item, dict | list) for item in value)
    return False


def _matches(value: dict[str, Any], data: bytes) -> bool:
    pattern = structure_pattern(value)
    return pattern is not None and re.fullmatch(pattern, data) is not None


@settings(max_examples=300, deadline=None)
@given(value=objects)
def test_a_structure_pattern_matches_its_own_value(value: dict[str, Any]) -> None:
    pattern = structure_pattern(value)
    if pattern is None:  # only for arrays holding arrays or objects
        assert _array_of_containers(value)
        return
    assert re.fullmatch(pattern, canonical_bytes(value))


@settings(max_examples=500, deadline=None)
@given(
    value=objects,
    other=objects,
    position=st.integers(min_value=0),
    byte=st.integers(0, 255),
    action=st.sampled_from(["replace", "insert", "delete", "other"]),
)
def test_what_a_structure_pattern_matches_is_canonical(
    value: dict[str, Any], other: dict[str, Any], position: int, byte: int, action: str
) -> None:
    data = bytearray(canonical_bytes(value))
    position %= len(data)
    if action == "replace":
        data[position] = byte
    elif action == "insert":
        data.insert(position, byte)
    elif action == "delete":
        del data[position]
    else:
        data = bytearray(canonical_bytes(other))
    candidate = bytes(data)
    if not _matches(value, candidate):
        return
    try:
        candidate.decode("utf-8")
    except UnicodeDecodeError:
        return  # the caller checks UTF-8 (the pattern matches bytes)
    parsed = parse_canonical(candidate)  # raises if the pattern let a non-canonical line through
    assert canonical_bytes(parsed) == candidate
    assert structure_pattern(parsed) == structure_pattern(value)


STRUCTURE_MISSES = [
    b'{"a":"x","b":1}',  # keys as the value's; the others change one thing each
    b'{"a":"x","b":-0}',
    b'{"a":"x","b":01}',
    b'{"a":"x","b":1.0}',
    b'{"a":"x","b":9007199254740992}',
    b'{"a":"x" ,"b":1}',
    b'{"a":"\\u0078","b":1}',
    b'{"a":"\\/","b":1}',
    b'{"a":"\\u001F","b":1}',
    b'{"a":"\\ud800","b":1}',
    b'{"a":"\x01","b":1}',
    b'{"a":"x","a":"x","b":1}',
    b'{"b":1,"a":"x"}',
    b'{"a":"x","b":true}',
    b'{"a":"x","b":1}\n',
]


@pytest.mark.parametrize("data", STRUCTURE_MISSES, ids=repr)
def test_structure_pattern_misses(data: bytes) -> None:
    value = {"a": "y", "b": 2}
    assert _matches(value, data) == (data == STRUCTURE_MISSES[0])


@settings(max_examples=500, deadline=None)
@given(
    number=st.integers(-(2**54), 2**54)
    | st.integers(MAX_SAFE_INTEGER - 1000, MAX_SAFE_INTEGER + 1000)
    | st.integers(-MAX_SAFE_INTEGER - 1000, -MAX_SAFE_INTEGER + 1000)
)
def test_the_integer_pattern_is_the_safe_range(number: int) -> None:
    assert (re.fullmatch(INTEGER_PATTERN, str(number).encode()) is not None) == (
        abs(number) <= MAX_SAFE_INTEGER
    )
    for spelling in (f"+{abs(number)}", f"0{abs(number)}", f"{number}.0", "-0"):
        assert re.fullmatch(INTEGER_PATTERN, spelling.encode()) is None
