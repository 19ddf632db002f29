"""A local RFC 3161 time-stamping authority for tests, run with `openssl ts`.

A CA generated at test time issues a TSA certificate (EKU timeStamping, critical). The TSA
answers directly (`stamp`, for bundles built in a test) or over HTTP on 127.0.0.1 (`serve`, for
the service's `TimestampClient`), where a test can count requests or make it replay a reply.
Both `tests/audit` and `tests/audit_store` use this one.
"""

from __future__ import annotations

import asyncio
import subprocess
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from aiohttp import web
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

POLICY_OID = "1.3.6.1.4.1.99999.1"

_CONFIG = """\
[ tsa ]
default_tsa = tsa_config
[ tsa_config ]
serial = {dir}/serial
crypto_device = builtin
signer_cert = {dir}/tsa.pem
signer_key = {dir}/tsa.key
signer_digest = sha256
default_policy = {policy}
digests = sha256
accuracy = secs:1
ordering = no
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
"""


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _usage(*, sign: bool, ca: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=sign,
        content_commitment=sign,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=ca,
        crl_sign=ca,
        encipher_only=False,
        decipher_only=False,
    )


def _openssl(*args: str, data: bytes) -> bytes:
    done = subprocess.run(
        ["openssl", *args], input=data, capture_output=True, check=True, timeout=30
    )
    return done.stdout


class LocalTsa:
    """ca.pem, tsa.pem, tsa.key, serial and ts.cnf under `folder`."""

    def __init__(self, folder: Path, label: str = "Test TSA") -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        now = datetime.now(UTC)
        ca_key = ec.generate_private_key(ec.SECP256R1())
        ca = (
            x509.CertificateBuilder()
            .subject_name(_name(f"{label} root"))
            .issuer_name(_name(f"{label} root"))
            .public_key(ca_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(_usage(sign=False, ca=True), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False)
            .sign(ca_key, hashes.SHA256())
        )
        tsa_key = ec.generate_private_key(ec.SECP256R1())
        tsa = (
            x509.CertificateBuilder()
            .subject_name(_name(label))
            .issuer_name(ca.subject)
            .public_key(tsa_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(
                x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True
            )
            .add_extension(_usage(sign=True, ca=False), critical=True)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
            )
            .sign(ca_key, hashes.SHA256())
        )
        self.root_pem = ca.public_bytes(serialization.Encoding.PEM)
        self.ca_file = folder / "ca.pem"
        self.ca_file.write_bytes(self.root_pem)
        (folder / "tsa.pem").write_bytes(tsa.public_bytes(serialization.Encoding.PEM))
        (folder / "tsa.key").write_bytes(
            tsa_key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        (folder / "serial").write_text("01\n")
        (folder / "ts.cnf").write_text(_CONFIG.format(dir=folder, policy=POLICY_OID))
        # Set by `serve`.
        self.url = ""
        self.requests = 0
        self.replay: bytes | None = None  # when set, HTTP requests are answered with these bytes

    def reply(self, query: bytes) -> bytes:
        """The DER TimeStampResp to a DER TimeStampReq."""
        config = str(self.folder / "ts.cnf")
        return _openssl(
            "ts", "-reply", "-config", config, "-queryfile", "/dev/stdin", "-out", "/dev/stdout",
            data=query,
        )  # fmt: skip

    def stamp(self, data: bytes) -> bytes:
        """A DER TimeStampResp over SHA-256(data), carrying the TSA certificate."""
        query = _openssl(
            "ts", "-query", "-data", "/dev/stdin", "-sha256", "-cert", "-out", "/dev/stdout",
            data=data,
        )  # fmt: skip
        return self.reply(query)

    @asynccontextmanager
    async def serve(self) -> AsyncIterator[LocalTsa]:
        """Answer `application/timestamp-query` POSTs at `self.url` while inside."""

        async def answer(request: web.Request) -> web.Response:
            if request.content_type != "application/timestamp-query":
                return web.Response(status=415)
            self.requests += 1
            reply = self.replay or await asyncio.to_thread(self.reply, await request.read())
            return web.Response(body=reply, content_type="application/timestamp-reply")

        app = web.Application()
        app.router.add_post("/tsa", answer)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"http://127.0.0.1:{runner.addresses[0][1]}/tsa"
        try:
            yield self
        finally:
            await runner.cleanup()
            self.url = ""


@asynccontextmanager
async def local_tsa(folder: Path) -> AsyncIterator[LocalTsa]:
    """A new TSA under `folder`, served over HTTP."""
    async with LocalTsa(folder).serve() as tsa:
        yield tsa


def make_ca(folder: Path, label: str = "Test TSA") -> Path:
    """Another TSA's root (ca.pem under `folder`), to show a token does not chain to it."""
    return LocalTsa(folder, label).ca_file
