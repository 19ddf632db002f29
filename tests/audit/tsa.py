"""A local RFC 3161 time-stamping authority run with `openssl ts`, for tests only."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

TSA_POLICY = "1.3.6.1.4.1.99999.1"

_CONFIG = """\
[ tsa ]
default_tsa = tsa_config
[ tsa_config ]
dir = {dir}
serial = $dir/serial
crypto_device = builtin
signer_cert = $dir/tsa.pem
signer_key = $dir/tsa.key
signer_digest = sha256
default_policy = {policy}
digests = sha256
accuracy = secs:1
ordering = no
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
"""


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


class LocalTsa:
    """A root CA and a TSA certificate (critical EKU timeStamping) under `directory`."""

    def __init__(self, directory: Path, label: str = "Test TSA") -> None:
        self.dir = directory
        directory.mkdir(parents=True, exist_ok=True)
        now = datetime.now(UTC)
        root_key = ec.generate_private_key(ec.SECP256R1())
        root = (
            x509.CertificateBuilder()
            .subject_name(_name(f"{label} root"))
            .issuer_name(_name(f"{label} root"))
            .public_key(root_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(False, False, False, False, False, True, True, False, False),
                critical=True,
            )
            .sign(root_key, hashes.SHA256())
        )
        tsa_key = ec.generate_private_key(ec.SECP256R1())
        tsa = (
            x509.CertificateBuilder()
            .subject_name(_name(label))
            .issuer_name(root.subject)
            .public_key(tsa_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(
                x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True
            )
            .sign(root_key, hashes.SHA256())
        )
        self.root_pem = root.public_bytes(serialization.Encoding.PEM)
        (directory / "root.pem").write_bytes(self.root_pem)
        (directory / "tsa.pem").write_bytes(tsa.public_bytes(serialization.Encoding.PEM))
        (directory / "tsa.key").write_bytes(
            tsa_key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        (directory / "serial").write_text("01\n")
        (directory / "ts.cnf").write_text(_CONFIG.format(dir=directory, policy=TSA_POLICY))

    def stamp(self, data: bytes) -> bytes:
        """A DER TimeStampResp over SHA-256(data), carrying the TSA certificate."""
        (self.dir / "data").write_bytes(data)
        query, reply = self.dir / "query.tsq", self.dir / "reply.tsr"
        for args in (
            [
                "ts",
                "-query",
                "-data",
                str(self.dir / "data"),
                "-sha256",
                "-cert",
                "-out",
                str(query),
            ],
            [
                "ts",
                "-reply",
                "-config",
                str(self.dir / "ts.cnf"),
                "-queryfile",
                str(query),
                "-out",
                str(reply),
            ],
        ):
            subprocess.run(["openssl", *args], check=True, capture_output=True)
        return reply.read_bytes()
