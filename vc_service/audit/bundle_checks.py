"""Every file an event binds is in the bundle, in the role the event gives it (issue 14 point 3).

An event binds a file when it carries `sha256` (and `bytes`). Its type says what the file is,
and so where it lies in the bundle:

    media.segment       media/<track>/<part, 6 digits>.<suffix>   (track and part of the event)
    media.manifest      media/manifest.json
    minutes.generated   minutes.<format>                          (format "html" or "pdf")

The verifier checks both ways: each bound file sits at its event's path (so the HTML minutes
cannot stand in for the PDF, nor segment 1 for segment 0), and each binding event has its file.
Recording segments are the exception: an export carries all of them or none (the media are
optional in an export, and a bundle without them still proves the log); once one is present,
every `media.segment` event must have its file. An event of any other type that carries
`sha256` binds a file of no known role and fails: a verifier that cannot tell what a file is
must not call it checked.

`scripts/verify.sh` applies the same rules with awk (the shell route must see what this sees).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from vc_service.audit.bundle import SEGMENT_EVENT_TYPE, BundleError, segment_path
from vc_service.audit.report import VerifyError

MANIFEST_EVENT_TYPE = "media.manifest"
MINUTES_EVENT_TYPE = "minutes.generated"
MANIFEST_PATH = "media/manifest.json"
MINUTES_FORMATS = ("html", "pdf")


def binds_file(event: Mapping[str, object]) -> bool:
    return "sha256" in event


def role_path(event: Mapping[str, object], seq: int, suffix: str) -> str:
    """The path of the file `event` binds. For a segment the suffix is the file's own (any
    short lowercase one; the event does not fix it)."""
    kind = event.get("type")
    try:
        if kind == SEGMENT_EVENT_TYPE:
            return segment_path(event, suffix)
    except BundleError as exc:
        raise VerifyError(f"event {seq}: {exc.message}", "audit.binding.role") from exc
    if kind == MANIFEST_EVENT_TYPE:
        return MANIFEST_PATH
    if kind == MINUTES_EVENT_TYPE:
        fmt = event.get("format")
        if fmt not in MINUTES_FORMATS:
            raise VerifyError(
                f"event {seq}: minutes of format {fmt!r} (known: html, pdf)", "audit.binding.role"
            )
        return f"minutes.{fmt}"
    raise VerifyError(
        f"event {seq} ({kind}) carries sha256 but binds no file of a known role",
        "audit.binding.role",
    )


def check_file_roles(
    files: Sequence[Mapping[str, Any]], events: Mapping[int, Mapping[str, object]]
) -> int:
    """`files` are the index's entries (path, seq, sha256, bytes, each file's content already
    checked against its event); `events` holds at least every event that carries `sha256`.
    Raises `VerifyError` unless each file lies at the path its event gives and each binding
    event has its file. Returns the number of binding events."""
    bound: dict[int, str] = {}
    for entry in files:
        seq, path = entry["seq"], entry["path"]
        event = events.get(seq)
        if event is None or not binds_file(event):
            raise VerifyError(f"{path}: event {seq} binds no file", "audit.binding.role")
        suffix = path[path.rindex(".") :] if "." in path else ""
        if role_path(event, seq, suffix) != path:
            raise VerifyError(
                f"{path} is not where event {seq} ({event.get('type')}) puts its file",
                "audit.binding.path",
            )
        if seq in bound:
            raise VerifyError(f"event {seq} binds one file, not two", "audit.binding.role")
        bound[seq] = path
    binding = sorted(seq for seq, event in events.items() if binds_file(event))
    with_segments = any(
        events[seq].get("type") == SEGMENT_EVENT_TYPE for seq in bound if seq in events
    )
    for seq in binding:
        event = events[seq]
        if seq in bound or (event.get("type") == SEGMENT_EVENT_TYPE and not with_segments):
            continue
        kind = event.get("type")
        what = "a segment" if kind == SEGMENT_EVENT_TYPE else role_path(event, seq, "")
        raise VerifyError(
            f"event {seq} ({kind}) binds {what}, which is not in the bundle",
            "audit.binding.missing",
        )
    return len(binding)
