"""Settings read from the environment and checked at start-up (dashboard/core/config.py), no server."""

import pytest

from dashboard.core.config import ConfigError, Settings


def test_settings_from_the_environment_are_checked(tmp_path):
    good = {"SECRET_KEY": "x" * 40, "FIELDOPS_DATA_DIR": str(tmp_path)}
    assert Settings.from_env(good).timezone == "Europe/Helsinki"
    for bad in (
        {"FIELDOPS_TIMEZONE": "Mars/Olympus"},
        {"FIELDOPS_LANGUAGE": "fr"},
        {"FIELDOPS_OFFLINE_AFTER_S": "ten"},
        {"SECRET_KEY": "short"},
        {"FIELDOPS_MAP_REFRESH_MS": "5000"},
    ):
        with pytest.raises(ConfigError):
            Settings.from_env({**good, **bad})


def test_the_ingest_port_is_a_port_or_off(tmp_path):
    good = {"SECRET_KEY": "x" * 40, "FIELDOPS_DATA_DIR": str(tmp_path)}
    assert Settings.from_env(good).ingest_port == 8060
    assert Settings.from_env({**good, "FIELDOPS_INGEST_PORT": "8061"}).ingest_port == 8061
    assert Settings.from_env({**good, "FIELDOPS_INGEST_PORT": "off"}).ingest_port is None
    assert Settings.from_env({**good, "FIELDOPS_INGEST_PORT": "0"}).ingest_port is None
    with pytest.raises(ConfigError):
        Settings.from_env({**good, "FIELDOPS_INGEST_PORT": "70000"})
