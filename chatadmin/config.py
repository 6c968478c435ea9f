"""Settings: command-line flags over ``CHATADMIN_*`` environment variables over the config file."""

from __future__ import annotations

from pathlib import Path

import platformdirs
from pydantic import Field
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from chatadmin.waiting import WaitThresholds

APP_NAME = "chatadmin"


def data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def config_dir() -> Path:
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def config_file() -> Path:
    return config_dir() / "config.toml"


def default_db_path() -> Path:
    return data_dir() / "chatadmin.sqlite3"


def demo_db_path() -> Path:
    return data_dir() / "demo.sqlite3"


class Settings(BaseSettings):
    """Every setting, with the environment variable that sets it (``CHATADMIN_`` + name)."""

    model_config = SettingsConfigDict(env_prefix="CHATADMIN_", extra="ignore", populate_by_name=True)

    db: str | None = Field(None, description="SQLAlchemy URL or SQLite file path of the local store")
    remote: str | None = Field(None, description="URL of a `chatadmin serve` server (instead of --db)")
    token: str | None = Field(None, description="bearer token for --remote")
    now: str | None = Field(None, description="fixed 'now' (ISO 8601 with offset) for reproducible numbers")
    tz: str | None = Field(None, description="reporting time zone (IANA name); default: the machine's")
    acting_as: str | None = Field(
        None, alias="as", validation_alias="CHATADMIN_AS", description="acting user's agent id (local store)"
    )
    refresh_seconds: float = Field(5.0, gt=0, description="console: seconds between live refreshes")
    thresholds: dict[str, WaitThresholds] = Field(
        default_factory=dict,
        description="console: when the time without response turns a chat amber and red, per group id: "
        '[thresholds.sales] warn = "5m" breach = "15m"; [thresholds."*"] for the other groups (default 5m, 15m)',
    )
    keymap: dict[str, str] = Field(
        default_factory=dict,
        description="console: other keys by binding id, e.g. [keymap] \"table.down\" = \"n,down\" (ids: chatadmin keys)",
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls, toml_file=config_file()))
