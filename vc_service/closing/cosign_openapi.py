"""The final checkpoint and the authority's cosignature in the OpenAPI document.

The documented story has no sealed hearing, so its examples show the refusals; the answers of a
sealed hearing are described in each operation and tested in `tests/closing/test_cosign_routes.py`.
"""

from __future__ import annotations

from vc_service.closing.clerk_openapi import error_example
from vc_service.hearings.openapi import EXTRA_OPERATIONS, EXTRA_RESPONSES
from vc_service.hearings.openapi_paths import H, ex

_LINE = "— authority.es/juez-rios AAAAAAAAAAAAAAAA"


EXTRA_OPERATIONS.extend(
    [
        {
            "method": "get", "path": "/api/hearings/{hearing_id}/log/final", "tag": "clerk",
            "who": "anyone who may see the hearing",
            "summary": "The sealed hearing's final signed checkpoint, with its cosignatures",
            "description": (
                "Answer: `origin`, `size`, `root_hash` (base64), `body` (the checkpoint text a "
                "cosigner signs), `note` (the signed note with every signature line) and "
                "`cosignatures` (each `name`, `key_id`, `time`: those that verify with a "
                "cosigner registered for the hearing). 409 `hearing.not_sealed` until sealed. "
                "With `?known=SIZE` (a checkpoint size the caller already holds) the answer also "
                "has `known` and `consistency`, the RFC 9162 consistency proof (base64 hashes) "
                "from that size to the final one; a cosigner checks it before it cosigns "
                "(422 `audit.proof.size` for a size beyond the log)."
            ),
            "examples": [
                ex(310, "authority", 409, name="not_sealed", params=H,
                   summary="The hearing is not sealed"),
            ],
        },
        {
            "method": "post", "path": "/api/hearings/{hearing_id}/log/cosignatures",
            "tag": "clerk", "who": "the requested state's authority",
            "summary": "Cosign the final checkpoint with a key the authority holds",
            "description": (
                "Body: `line`, one `cosignature/v1` signature line (c2sp.org/tlog-cosignature: "
                "`— <name> base64(key id ‖ timestamp ‖ Ed25519 signature)` over "
                "`cosignature/v1\\ntime <timestamp>\\n` + `body`), and `public_key`, the raw "
                "Ed25519 public key in base64. The line is verified with that key before the "
                "key is registered as the hearing's cosigner `name`. Answer 201: `name`, "
                "`key_id` (hex), `size`, `time`. Errors: 422 `audit.checkpoint.*` or "
                "`audit.cosignature.*` for a line that does not verify, 409 "
                "`audit.cosigner.exists` for a name registered with another key, 409 "
                "`audit.log.not_sealed` before sealing. Verifiers accept the cosignature only "
                "if their trust policy lists the key."
            ),
            "examples": [
                ex(311, "clerk", 403, name="wrong_role", params=H,
                   body={"line": _LINE, "public_key": "A" * 44},
                   summary="Only the requested state's authority cosigns"),
                ex(312, "authority", 422, name="invalid", params=H,
                   body={"line": _LINE, "public_key": "c2hvcnQ="},
                   summary="The public key is not 32 bytes"),
            ],
        },
        {
            "method": "post", "path": "/api/hearings/{hearing_id}/log/forks",
            "tag": "clerk", "who": "the requested state's authority",
            "summary": "Report a record that contradicts one the authority cosigned before",
            "description": (
                "Body: `cosigner` (the key name of the refusing cosigner), `held` (the signed "
                "checkpoint it cosigned before, as the service gave it) and `offered` (the "
                "signed checkpoint it now refuses). Both must be this hearing's checkpoints "
                "signed by one of the service's log keys and must conflict: `offered` shorter "
                "(`rollback`), of the same size with another root (`fork`), or not an extension "
                "by the service's own consistency proof (`bad_proof`). The report is stored "
                "for good before the answer 201: `id`, `hearing_id`, `reason`. Errors: 422 "
                "`audit.fork.evidence` (not our signed checkpoints of this hearing), 422 "
                "`audit.fork.not_a_fork`."
            ),
            "examples": [
                ex(313, "clerk", 403, name="wrong_role", params=H,
                   body={"cosigner": "authority.es/juez-rios", "held": "x", "offered": "y"},
                   summary="Only the requested state's authority reports"),
                ex(314, "authority", 422, name="invalid", params=H, body={"cosigner": "a b"},
                   summary="Both checkpoints are needed"),
            ],
        },
    ]
)  # fmt: skip
EXTRA_RESPONSES.update(
    {
        ("get", "/api/hearings/{hearing_id}/log/final", "not_sealed"): error_example(
            "hearing.not_sealed",
            "the record of hearing 0b6f2c1e-4d8a-4b3e-9f21-5a7c3e8d1001 is not sealed yet",
            hearing_id="0b6f2c1e-4d8a-4b3e-9f21-5a7c3e8d1001",
        ),
        ("post", "/api/hearings/{hearing_id}/log/cosignatures", "wrong_role"): error_example(
            "auth.wrong_role", "this needs the role authority; you are clerk"
        ),
        ("post", "/api/hearings/{hearing_id}/log/forks", "wrong_role"): error_example(
            "auth.wrong_role", "this needs the role authority; you are clerk"
        ),
        ("post", "/api/hearings/{hearing_id}/log/forks", "invalid"): error_example(
            "request.invalid_fields",
            "invalid fields: held, offered",
            fields={"held": "is required", "offered": "is required"},
        ),
        ("post", "/api/hearings/{hearing_id}/log/cosignatures", "invalid"): error_example(
            "request.invalid_fields",
            "invalid fields: public_key",
            fields={"public_key": "must be a raw Ed25519 public key (32 bytes)"},
        ),
    }
)  # fmt: skip
