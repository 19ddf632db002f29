"""Settings from environment variables (`VC_*`) and an optional TOML file.

Precedence: environment variable > TOML file (`VC_CONFIG`, or `--config` on the CLI) > default.
Every setting is validated once at start-up; a bad value raises `ConfigError` naming the setting, so
the service refuses to start instead of running half-configured. `docs/configuration.md` lists them.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import os
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from vc_service.errors import ConfigError


def _parse_bool(name: str, raw: object) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in {"1", "true", "yes", "on"}:
        return True
    if text in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"{name} must be true or false, got {raw!r}", details={"setting": name})


def _parse_int(name: str, raw: object, lo: int, hi: int) -> int:
    try:
        value = int(str(raw).strip())
    except ValueError:
        raise ConfigError(
            f"{name} must be an integer, got {raw!r}", details={"setting": name}
        ) from None
    if not lo <= value <= hi:
        raise ConfigError(
            f"{name} must be between {lo} and {hi}, got {value}", details={"setting": name}
        )
    return value


def _parse_list(raw: object) -> tuple[str, ...]:
    if isinstance(raw, list | tuple):
        return tuple(str(item).strip() for item in raw if str(item).strip())
    return tuple(part.strip() for part in str(raw).split(",") if part.strip())


def parse_bind(name: str, raw: str) -> tuple[str, int]:
    host, sep, port_text = raw.rpartition(":")
    if not sep or not host:
        raise ConfigError(f"{name} must be HOST:PORT, got {raw!r}", details={"setting": name})
    host = host.strip("[]")
    try:
        ipaddress.ip_address(host)
    except ValueError:
        if host != "localhost":
            raise ConfigError(
                f"{name} host must be an IP address or localhost, got {host!r}",
                details={"setting": name},
            ) from None
    return host, _parse_int(name, port_text, 0, 65535)


@dataclass(frozen=True)
class Settings:
    """The validated configuration. Build it with `load_settings()`."""

    data_dir: Path = Path("var")
    database_url: str = ""
    bind: str = "127.0.0.1:8080"
    public_url: str = ""
    secret_key_file: Path = Path()
    tls_cert_file: Path | None = None
    tls_key_file: Path | None = None
    log_level: str = "INFO"
    log_format: str = "json"
    max_body_bytes: int = 1_048_576
    session_idle_minutes: int = 30
    session_max_hours: int = 12
    login_max_failures: int = 5
    login_lockout_seconds: int = 60
    audit_origin_domain: str = "vc.localhost"
    redis_url: str = ""
    allowed_origins: tuple[str, ...] = ()
    ice_servers: tuple[str, ...] = ()
    turn_secret_file: Path | None = None
    turn_ttl_seconds: int = 3600
    reconnect_grace_seconds: int = 60
    ws_heartbeat_seconds: int = 10
    ws_max_messages_per_second: int = 50
    invitation_lead_minutes: int = 60
    code_max_failures: int = 3
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_user: str = ""
    smtp_password_file: Path | None = None
    smtp_from: str = ""
    tsa_url: str = ""
    tsa_ca_file: Path | None = None
    audit_checkpoint_events: int = 256
    audit_checkpoint_seconds: int = 30
    legal_profiles_dir: Path | None = None
    default_working_hours: str = "08:00-18:00"
    # Tests and rehearsals: the process's clock starts at this instant (see vc_service.clock).
    clock_start: datetime | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def bind_host(self) -> str:
        return parse_bind("VC_BIND", self.bind)[0]

    @property
    def bind_port(self) -> int:
        return parse_bind("VC_BIND", self.bind)[1]

    @property
    def tls_enabled(self) -> bool:
        return self.tls_cert_file is not None or self.public_url.startswith("https://")

    @property
    def base_url(self) -> str:
        if self.public_url:
            return self.public_url.rstrip("/")
        scheme = "https" if self.tls_cert_file else "http"
        host = self.bind_host
        if ":" in host:
            host = f"[{host}]"
        return f"{scheme}://{host}:{self.bind_port}"

    @property
    def origins(self) -> tuple[str, ...]:
        """Origins allowed for state-changing requests and WebSockets."""
        return self.allowed_origins or (self.base_url,)


# name in Settings -> (environment variable, parser)
_Parser = Callable[[str, Any], Any]


def _path(_: str, raw: Any) -> Path:
    return Path(str(raw)).expanduser()


def _str(_: str, raw: Any) -> str:
    return str(raw).strip()


def _instant(name: str, raw: Any) -> datetime:
    text = str(raw).strip()
    try:
        instant = datetime.fromisoformat(text)
    except ValueError:
        instant = None
    if instant is None or instant.tzinfo is None:
        raise ConfigError(
            f"{name} must be an instant with its offset, e.g. 2026-03-11T09:00:00Z, got {text!r}",
            details={"setting": name},
        )
    return instant


def _int_between(lo: int, hi: int) -> _Parser:
    return lambda name, raw: _parse_int(name, raw, lo, hi)


def _list(_: str, raw: Any) -> tuple[str, ...]:
    return _parse_list(raw)


_FIELDS: dict[str, _Parser] = {
    "data_dir": _path,
    "database_url": _str,
    "bind": _str,
    "public_url": _str,
    "secret_key_file": _path,
    "tls_cert_file": _path,
    "tls_key_file": _path,
    "log_level": _str,
    "log_format": _str,
    "max_body_bytes": _int_between(1024, 1_073_741_824),
    "session_idle_minutes": _int_between(1, 24 * 60),
    "session_max_hours": _int_between(1, 24 * 7),
    "login_max_failures": _int_between(1, 100),
    "login_lockout_seconds": _int_between(1, 86_400),
    "audit_origin_domain": _str,
    "redis_url": _str,
    "allowed_origins": _list,
    "clock_start": _instant,
    "ice_servers": _list,
    "turn_secret_file": _path,
    "turn_ttl_seconds": _int_between(60, 86_400),
    "reconnect_grace_seconds": _int_between(1, 3600),
    # At least 5 s, so the pong may take 2.5 s on a poor mobile link; at most 30 s, so a proxy's
    # idle timeout (60 s in nginx and most load balancers) never cuts a quiet socket.
    "ws_heartbeat_seconds": _int_between(5, 30),
    "ws_max_messages_per_second": _int_between(1, 10_000),
    "invitation_lead_minutes": _int_between(0, 7 * 24 * 60),
    "code_max_failures": _int_between(1, 20),
    "smtp_host": _str,
    "smtp_port": _int_between(1, 65535),
    "smtp_user": _str,
    "smtp_password_file": _path,
    "smtp_from": _str,
    "tsa_url": _str,
    "tsa_ca_file": _path,
    "audit_checkpoint_events": _int_between(1, 1_000_000),
    "audit_checkpoint_seconds": _int_between(1, 86_400),
    "legal_profiles_dir": _path,
    "default_working_hours": _str,
}


def env_name(setting: str) -> str:
    return "VC_" + setting.upper()


def load_settings(
    environ: Mapping[str, str] | None = None, config_file: Path | None = None
) -> Settings:
    """Merge defaults, the TOML file and the environment, then validate everything."""
    env = dict(os.environ if environ is None else environ)
    path = config_file or (Path(env["VC_CONFIG"]) if env.get("VC_CONFIG") else None)
    from_file: dict[str, Any] = {}
    if path is not None:
        try:
            from_file = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(
                f"VC_CONFIG: file {path} does not exist", details={"setting": "VC_CONFIG"}
            ) from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(
                f"VC_CONFIG: {path} is not valid TOML: {exc}", details={"setting": "VC_CONFIG"}
            ) from None
        unknown = sorted(set(from_file) - set(_FIELDS))
        if unknown:
            raise ConfigError(
                f"{path}: unknown setting(s) {', '.join(unknown)}",
                details={"setting": unknown[0]},
            )
    values: dict[str, Any] = {}
    for name, parser in _FIELDS.items():
        var = env_name(name)
        if env.get(var, "") != "":
            values[name] = parser(var, env[var])
        elif name in from_file:
            values[name] = parser(f"{name} (in {path})", from_file[name])
    settings = Settings(**values)
    return _complete(settings)


def _complete(settings: Settings) -> Settings:
    """Fill defaults that depend on other settings and check cross-field rules."""
    data_dir = settings.data_dir
    updates: dict[str, Any] = {}
    if not settings.database_url:
        updates["database_url"] = f"sqlite+aiosqlite:///{(data_dir / 'vc.sqlite3').as_posix()}"
    if settings.secret_key_file == Path():
        updates["secret_key_file"] = data_dir / "secret.key"
    settings = dataclasses.replace(settings, **updates)

    parse_bind("VC_BIND", settings.bind)
    url = settings.database_url
    if not url.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
        raise ConfigError(
            "VC_DATABASE_URL must start with sqlite+aiosqlite:// or postgresql+asyncpg://, "
            f"got {url.split('://')[0]!r}",
            details={"setting": "VC_DATABASE_URL"},
        )
    if settings.log_level.upper() not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
        raise ConfigError(
            f"VC_LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR, got {settings.log_level!r}",
            details={"setting": "VC_LOG_LEVEL"},
        )
    if settings.log_format not in {"json", "text"}:
        raise ConfigError(
            f"VC_LOG_FORMAT must be json or text, got {settings.log_format!r}",
            details={"setting": "VC_LOG_FORMAT"},
        )
    if (settings.tls_cert_file is None) != (settings.tls_key_file is None):
        raise ConfigError(
            "VC_TLS_CERT_FILE and VC_TLS_KEY_FILE must be set together",
            details={"setting": "VC_TLS_CERT_FILE"},
        )
    for name in ("public_url", "redis_url", "tsa_url"):
        value = getattr(settings, name)
        if value and not urlsplit(value).scheme:
            raise ConfigError(
                f"{env_name(name)} must be an absolute URL, got {value!r}",
                details={"setting": env_name(name)},
            )
    for origin in settings.allowed_origins:
        parts = urlsplit(origin)
        if parts.scheme not in {"http", "https"} or not parts.netloc or parts.path:
            raise ConfigError(
                f"VC_ALLOWED_ORIGINS entries must look like https://host[:port], got {origin!r}",
                details={"setting": "VC_ALLOWED_ORIGINS"},
            )
    for server in settings.ice_servers:
        if not server.startswith(("stun:", "turn:", "turns:")):
            raise ConfigError(
                f"VC_ICE_SERVERS entries must be stun:, turn: or turns: URLs, got {server!r}",
                details={"setting": "VC_ICE_SERVERS"},
            )
    # A silent drop is noticed by the heartbeat within 1.5 heartbeats (a ping, then half a
    # heartbeat for the pong); the seat must outlast that (signaling.config.detection_seconds).
    if settings.reconnect_grace_seconds <= 1.5 * settings.ws_heartbeat_seconds:
        raise ConfigError(
            f"VC_RECONNECT_GRACE_SECONDS ({settings.reconnect_grace_seconds}) must be longer than "
            f"the time VC_WS_HEARTBEAT_SECONDS ({settings.ws_heartbeat_seconds}) takes to notice "
            "a dropped connection (1.5 heartbeats)",
            details={"setting": "VC_RECONNECT_GRACE_SECONDS"},
        )
    _check_hours(settings.default_working_hours)
    return settings


def _check_hours(text: str) -> None:
    start, sep, end = text.partition("-")
    try:
        if not sep:
            raise ValueError(text)
        h1, m1 = (int(x) for x in start.split(":"))
        h2, m2 = (int(x) for x in end.split(":"))
        if not (0 <= h1 < 24 and 0 <= m1 < 60 and 0 <= h2 <= 24 and 0 <= m2 < 60):
            raise ValueError(text)
        if (h1, m1) >= (h2, m2):
            raise ValueError(text)
    except ValueError:
        raise ConfigError(
            f"VC_DEFAULT_WORKING_HOURS must look like 08:00-18:00, got {text!r}",
            details={"setting": "VC_DEFAULT_WORKING_HOURS"},
        ) from None


def setting_names() -> list[str]:
    return [env_name(name) for name in _FIELDS]


def prepare_data_dir(data_dir: Path) -> None:
    """Create the data folder for the service's user alone (0700), and tighten one that exists:
    it holds the database (password hashes, encrypted secrets, personal data), the service key,
    the minutes and the recordings, whatever mode each file inside was given."""
    try:
        data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        data_dir.chmod(0o700)
    except OSError as exc:
        raise ConfigError(
            f"VC_DATA_DIR: cannot make {data_dir} a private folder (0700): {exc.strerror}",
            details={"setting": "VC_DATA_DIR"},
        ) from None
