"""One error type for the recorder: a machine code, a human message and details.

`recordings` depends on nothing else of ours, so it has its own small hierarchy; the service maps
`RecordingError.code` onto its API errors. Codes in use (see `docs/recordings.md`):
`recording.bad_state`, `recording.bad_request`, `recording.codec_unsupported`,
`recording.peer_unknown`, `recording.worker_failed`, `recording.timeout`, `recording.internal`,
`recording.unsupported_aiortc`, `recording.track_failed`, `recording.decrypt_failed`,
`recording.manifest_invalid`, `recording.part_mismatch`, `recording.finish_failed`,
`recording.probe_failed`.
"""

from __future__ import annotations

from typing import Any


class RecordingError(Exception):
    def __init__(self, code: str, message: str, *, details: dict[str, Any] | None = None) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.details: dict[str, Any] = details or {}

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "details": self.details}


class DecryptionFailed(RecordingError):
    """The ciphertext, its key or its context is not what was sealed: nothing is released."""

    def __init__(self, message: str, *, details: dict[str, Any] | None = None) -> None:
        super().__init__("recording.decrypt_failed", message, details=details)
