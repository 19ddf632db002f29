"""The clerk API's operations in the OpenAPI document (see `vc_service.hearings.openapi`).

The documented story has no sealed hearing, so the examples show the list (empty in the story)
and the refusals a clerk, a judge and an authority meet; the answers of a sealed hearing are
described in each operation and tested in `tests/closing`. The recordings' routes are in
`recording_routes`.
"""

from __future__ import annotations

from typing import Any

from vc_service.hearings.openapi import EXTRA_OPERATIONS, EXTRA_RESPONSES
from vc_service.hearings.openapi_paths import H, ex

_RID = {"request_id": "5f1c2a9e0d7b4e3a8c6f1b2d3e4a5c6d"}


def error_example(code: str, message: str, **details: Any) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": {**details, **_RID}}}


_NOT_SEALED = error_example(
    "hearing.not_sealed",
    "hearing 0b6f2c1e-4d8a-4b3e-9f21-5a7c3e8d1001 is cancelled; its record is available once "
    "sealed",
    state="cancelled",
)
_WRONG_ROLE = error_example(
    "auth.wrong_role", "this needs the role clerk, judge; you are authority"
)
_NOT_CLOSED = error_example(
    "hearing.not_closed",
    "hearing 0b6f2c1e-4d8a-4b3e-9f21-5a7c3e8d1001 is cancelled; its recordings are available "
    "once the hearing is closed",
    state="cancelled",
)
_CLOSED_ONLY = (
    " Clerks and judges of the hearing's court; another court's hearing is 404 "
    "`hearing.not_found`, other roles 403 `auth.wrong_role`, a hearing that has not ended 409 "
    "`hearing.not_closed`."
)
_TRACK = {**H, "recording_id": "rec-6f1d2c3b4a596877", "track": "Xk2v9QeR4tYb-video0"}
_SEALED_ONLY = (
    " Clerks and judges of the hearing's court; another court's hearing is 404 "
    "`hearing.not_found`, other roles 403 `auth.wrong_role`, a hearing not yet sealed 409 "
    "`hearing.not_sealed`."
)
EXTRA_OPERATIONS.extend(
    [
        {
            "method": "get", "path": "/api/clerk/hearings", "tag": "clerk",
            "who": "clerk or judge",
            "summary": "Closed and sealed hearings of your court, newest first",
            "description": (
                "Each item: `id`, `case_reference`, `state` (closed|sealed), `requesting_state`, "
                "`requested_state`, `venue`, `starts_at`, `sealed`. A hearing is closed when the "
                "judge ends it in the room and sealed moments later (minutes, `hearing.closed`, "
                "final signed checkpoint)."
            ),
            "examples": [
                ex(300, "clerk", 200),
                ex(301, "authority", 403, name="wrong_role",
                   summary="A requested-state authority is not a clerk"),
            ],
        },
        {
            "method": "get", "path": "/api/clerk/hearings/{hearing_id}/bundle", "tag": "clerk",
            "who": "clerk or judge of the court",
            "summary": "Download the sealed hearing's signed audit bundle (zip)",
            "description": (
                "`application/zip` built afresh on each call: events, checkpoints, proofs, "
                "minutes, recording manifest where one exists, public keys, `VERIFY.md` and "
                "the POSIX verification scripts (see docs/audit-log.md)." + _SEALED_ONLY
            ),
            "examples": [
                ex(302, "clerk", 409, name="not_sealed", params=H,
                   summary="The hearing is not sealed"),
            ],
        },
        {
            "method": "get", "path": "/api/clerk/hearings/{hearing_id}/verification",
            "tag": "clerk", "who": "clerk or judge of the court",
            "summary": "Run the offline verifier on the bundle with the service's own keys",
            "description": (
                "Answer: `ok`, `origin`, `size`, `root` and `steps` (each `number`, `title`, "
                "`passed`, `detail`, `code`), the numbered checklist of `vc-service log "
                "verify`; each step also has `status` (passed|failed|not_checked) and "
                "`reason`: a check with nothing to check (no cosigner registered, no RFC 3161 "
                "timestamp) or not run after an earlier failure is `not_checked` and says why, "
                "and `not_checked` lists those steps' numbers. `log_keys`: the key(s) that "
                "signed the final checkpoint (`name`, `key_id`, `download`: the PEM for the "
                "offline check)." + _SEALED_ONLY
            ),
            "examples": [
                ex(303, "clerk", 409, name="not_sealed", params=H,
                   summary="The hearing is not sealed"),
            ],
        },
        {
            "method": "get", "path": "/api/clerk/hearings/{hearing_id}/log-key.pem",
            "tag": "clerk", "who": "clerk or judge of the court",
            "summary": "The public key that signed the sealed record, as VERIFY.md's log.pem",
            "description": (
                "`application/x-pem-file` (SubjectPublicKeyInfo, as `openssl pkeyutl -pubin` "
                "reads it), `Content-Disposition: attachment; filename=\"log.pem\"`, the key "
                "name in `X-Log-Key-Name`. The key of the service's own table that signed the "
                "hearing's final checkpoint (several blocks, each after a line naming it, "
                "only if several keys signed it). The same as `vc-service keys export --pem "
                "--hearing ID`." + _SEALED_ONLY
            ),
            "examples": [
                ex(325, "clerk", 409, name="not_sealed", params=H,
                   summary="The hearing is not sealed"),
            ],
        },
        {
            "method": "get", "path": "/api/clerk/hearings/{hearing_id}/minutes.html",
            "tag": "clerk", "who": "clerk or judge of the court",
            "summary": "The minutes (EIO art. 24(6)) as HTML, exactly as bound in the log",
            "description": "`text/html`, sandboxed." + _SEALED_ONLY,
            "examples": [
                ex(304, "clerk", 409, name="not_sealed", params=H,
                   summary="The hearing is not sealed"),
            ],
        },
        {
            "method": "get", "path": "/api/clerk/hearings/{hearing_id}/minutes.pdf",
            "tag": "clerk", "who": "clerk or judge of the court",
            "summary": "The minutes as PDF, exactly as bound in the log",
            "description": "`application/pdf`." + _SEALED_ONLY,
            "examples": [
                ex(305, "authority", 403, name="wrong_role", params=H,
                   summary="A requested-state authority is not a clerk"),
            ],
        },
        {
            "method": "post", "path": "/api/hearings/{hearing_id}/seal", "tag": "clerk",
            "who": "clerk or judge of the court",
            "summary": "Seal a closed hearing (retry; it runs by itself when the room ends)",
            "description": (
                "Writes the minutes and their `minutes.generated` events, `hearing.closed`, "
                "the final signed checkpoint, then moves the hearing to `sealed`. Idempotent: "
                "`done` lists the steps this call performed. 409 `hearing.not_closed` before "
                "the hearing has ended."
            ),
            "examples": [
                ex(306, "clerk", 409, name="not_closed", params=H,
                   summary="The hearing has not ended"),
            ],
        },
        {
            "method": "get", "path": "/api/clerk/hearings/{hearing_id}/recordings",
            "tag": "clerk", "who": "clerk or judge of the court",
            "summary": "The hearing's recordings, as its signed log records them",
            "description": (
                "Answer: `hearing_id` and `recordings`, oldest first, one per "
                "`recording.started`: `recording`, `state` (finished|failed|unfinished), "
                "`started_at`, `started_seq`, `stopped_at`, `finished_seq`, `manifest` and "
                "`manifest_sha256` (from `recording.finished`), `intact` and `problem` (`code`, "
                "`message`), and `tracks`: `track`, `peer`, `kind` (audio|video), `codec`, "
                "`participant` (`id`, `name`, `role`, from the log's events about that peer), "
                "`duration_us`, `parts`, `file` (the download's name), `sha256` and `bytes` of "
                "the file, `download` (its URL, or null). A hash is shown only if the manifest "
                "on disk hashes to the `manifest_sha256` of the signed log and lists exactly the "
                "log's `media.segment` events; otherwise `intact` is false and `problem.code` "
                "says why (`recording.manifest_missing`, `recording.manifest_changed`, "
                "`recording.segments_mismatch`, `recording.manifest_invalid`)." + _CLOSED_ONLY
            ),
            "examples": [
                ex(307, "clerk", 409, name="not_closed", params=H,
                   summary="The hearing has not ended"),
                ex(308, "authority", 403, name="wrong_role", params=H,
                   summary="A requested-state authority is not a clerk"),
            ],
        },
        {
            "method": "get",
            "path": "/api/clerk/hearings/{hearing_id}/recordings/{recording_id}/tracks/{track}",
            "tag": "clerk", "who": "clerk or judge of the court",
            "summary": "Download one recorded track, decrypted (WebM)",
            "description": (
                "`video/webm` or `audio/webm`, `Content-Disposition: attachment`, the file's "
                "SHA-256 in `X-Content-SHA256` (hex) and `Repr-Digest` (RFC 9530). The file is "
                "decrypted and checked against the hash the signed log binds (through the "
                "manifest) before the first byte is sent. 404 `recording.not_found` or "
                "`recording.track_not_found`; 409 `recording.not_finished` (no finished file) or "
                "`recording.damaged` (`details.cause`: the check that failed)." + _CLOSED_ONLY
            ),
            "examples": [
                ex(309, "clerk", 409, name="not_closed", params=_TRACK,
                   summary="The hearing has not ended"),
            ],
        },
    ]
)  # fmt: skip
EXTRA_RESPONSES.update(
    {
        ("get", "/api/clerk/hearings", "ok"): {"hearings": []},
        ("get", "/api/clerk/hearings", "wrong_role"): _WRONG_ROLE,
        ("get", "/api/clerk/hearings/{hearing_id}/bundle", "not_sealed"): _NOT_SEALED,
        ("get", "/api/clerk/hearings/{hearing_id}/verification", "not_sealed"): _NOT_SEALED,
        ("get", "/api/clerk/hearings/{hearing_id}/minutes.html", "not_sealed"): _NOT_SEALED,
        ("get", "/api/clerk/hearings/{hearing_id}/log-key.pem", "not_sealed"): _NOT_SEALED,
        ("get", "/api/clerk/hearings/{hearing_id}/minutes.pdf", "wrong_role"): _WRONG_ROLE,
        ("get", "/api/clerk/hearings/{hearing_id}/recordings", "not_closed"): _NOT_CLOSED,
        ("get", "/api/clerk/hearings/{hearing_id}/recordings", "wrong_role"): _WRONG_ROLE,
        (
            "get",
            "/api/clerk/hearings/{hearing_id}/recordings/{recording_id}/tracks/{track}",
            "not_closed",
        ): _NOT_CLOSED,
        ("post", "/api/hearings/{hearing_id}/seal", "not_closed"): error_example(
            "hearing.not_closed",
            "hearing 0b6f2c1e-4d8a-4b3e-9f21-5a7c3e8d1001 is cancelled; only a closed hearing "
            "can be sealed",
            state="cancelled",
        ),
    }
)  # fmt: skip
