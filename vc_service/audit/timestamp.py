"""Step (6) of the verifier: an RFC 3161 time-stamp token over the final checkpoint's note, checked
with `openssl ts -verify` (the tool a clerk uses too) against the TSA roots of the trust policy,
then its genTime and policy OID read. Obtaining tokens is `tsa.py`'s job."""

from __future__ import annotations

import re
import subprocess
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from vc_service.audit.policy import TsaRoot
from vc_service.audit.report import VerifyError

_GEN_TIME = re.compile(r"^Time stamp: (\w{3} +\d{1,2} \d\d:\d\d:\d\d)(\.\d+)? (\d{4}) GMT$", re.M)
_POLICY_OID = re.compile(r"^Policy OID: ([0-9.]+)$", re.M)


@dataclass(frozen=True)
class TimestampInfo:
    gen_time: datetime
    policy_oid: str
    tsa: str


def _openssl(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["openssl", *args], capture_output=True, text=True, timeout=60, check=False
    )


def verify_timestamp(tsr: bytes, data: bytes, roots: tuple[TsaRoot, ...]) -> TimestampInfo:
    """Check an RFC 3161 response over `data` with `openssl ts -verify` against the policy's
    TSA roots (imprint, CMS signature, chain to the root, timeStamping EKU), then read genTime."""
    failures: list[str] = []
    with tempfile.TemporaryDirectory(prefix="vc-tsr-") as tmp:
        work = Path(tmp)
        (work / "data").write_bytes(data)
        (work / "reply.tsr").write_bytes(tsr)
        for number, tsa in enumerate(roots):
            (work / f"ca{number}.pem").write_bytes(tsa.certificate_pem)
            args = ["ts", "-verify", "-data", f"{tmp}/data", "-in", f"{tmp}/reply.tsr"]
            args += ["-CAfile", f"{tmp}/ca{number}.pem"]
            if tsa.untrusted_pem:
                (work / f"chain{number}.pem").write_bytes(tsa.untrusted_pem)
                args += ["-untrusted", f"{tmp}/chain{number}.pem"]
            result = _openssl(*args)
            if result.returncode == 0 and "Verification: OK" in result.stdout:
                return _timestamp_info(
                    _openssl("ts", "-reply", "-in", f"{tmp}/reply.tsr", "-text").stdout, tsa
                )
            reason = (result.stderr.strip().splitlines() or ["no output"])[-1]
            failures.append(f"{tsa.name}: {reason}")
    raise VerifyError(
        "timestamp does not verify against any trusted TSA root (" + "; ".join(failures) + ")",
        "audit.timestamp.invalid",
    )


def _timestamp_info(text: str, tsa: TsaRoot) -> TimestampInfo:
    if "Status: Granted." not in text or "Hash Algorithm: sha256" not in text:
        raise VerifyError("timestamp is not a granted SHA-256 token", "audit.timestamp.invalid")
    gen, oid = _GEN_TIME.search(text), _POLICY_OID.search(text)
    if gen is None or oid is None:
        raise VerifyError("cannot read genTime and policy of the token", "audit.timestamp.invalid")
    when = datetime.strptime(f"{gen.group(1)} {gen.group(3)}", "%b %d %H:%M:%S %Y")
    micros = int((gen.group(2) or ".0")[1:7].ljust(6, "0"))
    if tsa.policy_oids and oid.group(1) not in tsa.policy_oids:
        raise VerifyError(f"TSA policy {oid.group(1)} is not allowed", "audit.timestamp.policy")
    return TimestampInfo(when.replace(microsecond=micros, tzinfo=UTC), oid.group(1), tsa.name)
