from __future__ import annotations

from pathlib import Path

import pytest

from vc_service.config import load_settings, setting_names
from vc_service.errors import ConfigError


def test_defaults_are_safe(tmp_path: Path) -> None:
    settings = load_settings(environ={"VC_DATA_DIR": str(tmp_path)})
    assert settings.bind == "127.0.0.1:8080"
    assert settings.database_url == f"sqlite+aiosqlite:///{tmp_path.as_posix()}/vc.sqlite3"
    assert settings.secret_key_file == tmp_path / "secret.key"
    assert settings.origins == ("http://127.0.0.1:8080",)
    assert not settings.tls_enabled


def test_environment_overrides_file(tmp_path: Path) -> None:
    config = tmp_path / "vc.toml"
    config.write_text('bind = "127.0.0.1:9000"\nsession_idle_minutes = 10\n')
    settings = load_settings(environ={"VC_BIND": "127.0.0.1:9100"}, config_file=config)
    assert settings.bind == "127.0.0.1:9100"
    assert settings.session_idle_minutes == 10


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"VC_BIND": "nonsense"}, "VC_BIND"),
        ({"VC_BIND": "example.org:80"}, "VC_BIND"),
        ({"VC_BIND": "127.0.0.1:99999"}, "VC_BIND"),
        ({"VC_DATABASE_URL": "mysql://x"}, "VC_DATABASE_URL"),
        ({"VC_SESSION_IDLE_MINUTES": "ten"}, "VC_SESSION_IDLE_MINUTES"),
        ({"VC_SESSION_IDLE_MINUTES": "0"}, "VC_SESSION_IDLE_MINUTES"),
        ({"VC_LOG_LEVEL": "LOUD"}, "VC_LOG_LEVEL"),
        ({"VC_TLS_CERT_FILE": "/x.pem"}, "VC_TLS_CERT_FILE"),
        ({"VC_ALLOWED_ORIGINS": "ftp://x"}, "VC_ALLOWED_ORIGINS"),
        ({"VC_ICE_SERVERS": "http://x"}, "VC_ICE_SERVERS"),
        ({"VC_DEFAULT_WORKING_HOURS": "18:00-08:00"}, "VC_DEFAULT_WORKING_HOURS"),
        ({"VC_REDIS_URL": "localhost"}, "VC_REDIS_URL"),
    ],
)
def test_invalid_setting_is_named(env: dict[str, str], named: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(environ=env)
    assert named in caught.value.message
    assert caught.value.details["setting"] == named


def test_bad_config_file_is_named(tmp_path: Path) -> None:
    config = tmp_path / "vc.toml"
    config.write_text("bind = \n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(environ={}, config_file=config)
    config.write_text('bnid = "127.0.0.1:1"\n')
    with pytest.raises(ConfigError, match="unknown setting"):
        load_settings(environ={}, config_file=config)
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings(environ={}, config_file=tmp_path / "missing.toml")


def test_every_setting_is_documented() -> None:
    doc = (Path(__file__).parents[2] / "docs" / "configuration.md").read_text()
    missing = [name for name in setting_names() if f"`{name}`" not in doc]
    assert not missing, f"undocumented settings: {missing}"
