"""RFC 3161 time-stamp client: independent time for a hearing's final checkpoint.

The request is built and the reply checked by `openssl ts` (the same tool a clerk uses), in a
worker thread so the event loop never waits on a subprocess. The request asks for the TSA's
certificate in the token and carries a random nonce; the reply is accepted only if
`openssl ts -verify -queryfile` says it answers this very request (imprint and nonce), signed by
a certificate for the `timeStamping` purpose, chaining to the configured TSA root if any.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import subprocess
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import aiohttp

from vc_service.audit import AuditError

QUERY_TYPE = "application/timestamp-query"
REPLY_TYPE = "application/timestamp-reply"
MAX_REPLY_BYTES = 64 * 1024
TIMEOUT_SECONDS = 15
_GEN_TIME = re.compile(r"^Time stamp: (.+?)$", re.MULTILINE)


class TimestampError(AuditError):
    status = 502
    code = "audit.tsa.failed"


@dataclass(frozen=True)
class Timestamp:
    query: bytes  # DER TimeStampReq (.tsq)
    reply: bytes  # DER TimeStampResp (.tsr)
    gen_time: datetime


def _openssl(args: list[str]) -> str:
    done = subprocess.run(
        ["openssl", "ts", *args], capture_output=True, text=True, timeout=30, check=False
    )
    if done.returncode != 0:
        raise TimestampError(
            "audit.tsa.openssl",
            f"openssl ts {args[0]} failed: {(done.stderr or done.stdout).strip()[-500:]}",
        )
    return done.stdout


def build_query(data: bytes) -> bytes:
    """A DER TimeStampReq over SHA-256(data), with a nonce and a request for the TSA cert."""
    digest = hashlib.sha256(data).hexdigest()
    with tempfile.TemporaryDirectory(prefix="vc-tsq-") as tmp:
        out = Path(tmp) / "request.tsq"
        _openssl(["-query", "-digest", digest, "-sha256", "-cert", "-out", str(out)])
        return out.read_bytes()


def parse_gen_time(text: str) -> datetime:
    """`genTime` from `openssl ts -reply -text` ("Nov 23 09:35:14[.123] 2026 GMT")."""
    match = _GEN_TIME.search(text)
    if match is None:
        raise TimestampError("audit.tsa.reply", "the reply has no time stamp")
    value = match.group(1).strip()
    for pattern in ("%b %d %H:%M:%S.%f %Y GMT", "%b %d %H:%M:%S %Y GMT"):
        try:
            return datetime.strptime(value, pattern).replace(tzinfo=UTC)
        except ValueError:
            continue
    raise TimestampError("audit.tsa.reply", f"cannot read the time stamp {value!r}")


def _token_certificates(reply_path: Path, folder: Path) -> Path:
    """The certificates the token carries (we ask for the TSA's), as a PEM file."""
    token, certs = folder / "token.p7", folder / "token-certs.pem"
    _openssl(["-reply", "-in", str(reply_path), "-token_out", "-out", str(token)])
    done = subprocess.run(
        ["openssl", "pkcs7", "-inform", "DER", "-in", str(token), "-print_certs", "-out",
         str(certs)],
        capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip
    if done.returncode != 0 or b"BEGIN CERTIFICATE" not in certs.read_bytes():
        raise TimestampError("audit.tsa.reply", "the token carries no TSA certificate")
    return certs


def check_reply(query: bytes, reply: bytes, ca_file: Path | None) -> datetime:
    """Verify `reply` answers `query` (imprint, nonce, signature, timeStamping EKU) and chains
    to `ca_file`; returns its `genTime`. Without `ca_file` the token's own certificate is the
    anchor (`-partial_chain`): that proves the reply belongs to our request, while trust in the
    TSA is left to the verifier's policy, which must list the TSA root."""
    with tempfile.TemporaryDirectory(prefix="vc-tsr-") as tmp:
        query_path, reply_path = Path(tmp) / "request.tsq", Path(tmp) / "reply.tsr"
        query_path.write_bytes(query)
        reply_path.write_bytes(reply)
        text = _openssl(["-reply", "-in", str(reply_path), "-text"])
        if "Status: Granted" not in text:
            raise TimestampError("audit.tsa.rejected", "the TSA did not grant the time stamp")
        args = ["-verify", "-queryfile", str(query_path), "-in", str(reply_path)]
        if ca_file is None:
            args += ["-CAfile", str(_token_certificates(reply_path, Path(tmp))), "-partial_chain"]
        else:
            args += ["-CAfile", str(ca_file)]
        output = _openssl(args)
        if "Verification: OK" not in output:
            raise TimestampError("audit.tsa.unverified", f"openssl ts -verify said {output!r}")
        return parse_gen_time(text)


class TimestampClient:
    """Asks the TSA at `url` for a token and checks it (against the TSA root in `ca_file` when
    one is configured)."""

    def __init__(self, url: str, ca_file: Path | None = None) -> None:
        self.url = url
        self.ca_file = ca_file

    async def stamp(self, data: bytes) -> Timestamp:
        query = await asyncio.to_thread(build_query, data)
        timeout = aiohttp.ClientTimeout(total=TIMEOUT_SECONDS)
        try:
            async with (
                aiohttp.ClientSession(timeout=timeout) as http,
                http.post(
                    self.url,
                    data=query,
                    headers={"Content-Type": QUERY_TYPE, "Accept": REPLY_TYPE},
                ) as response,
            ):
                if response.status != 200:
                    raise TimestampError(
                        "audit.tsa.http", f"the TSA at {self.url} answered HTTP {response.status}"
                    )
                if response.content_type != REPLY_TYPE:
                    raise TimestampError(
                        "audit.tsa.http",
                        f"the TSA answered {response.content_type!r}, not {REPLY_TYPE}",
                    )
                reply = await response.content.read(MAX_REPLY_BYTES + 1)
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise TimestampError(
                "audit.tsa.unreachable", f"the TSA at {self.url} is unreachable: {exc}"
            ) from exc
        if len(reply) > MAX_REPLY_BYTES:
            raise TimestampError("audit.tsa.reply", "the TSA reply is too large")
        gen_time = await asyncio.to_thread(check_reply, query, reply, self.ca_file)
        return Timestamp(query, reply, gen_time)
