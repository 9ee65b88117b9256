"""Settings from the environment and `.env`.

The `.env` is read exactly as ICICI's setup guide writes it, spaces and quotes included
(`BROKER_API_KEY = 'your_api_key_here'`): python-dotenv, behind pydantic-settings, accepts
that form. Every Breeze endpoint is a setting whose default is ICICI's real URL, so the
platform can be pointed at any Breeze-protocol server (the bundled simulator in demo mode
and in tests).
"""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

ICICI_API_URL = "https://api.icicidirect.com/breezeapi/api/v1/"
ICICI_HISTORY_URL = "https://breezeapi.icicidirect.com/api/v2/"
ICICI_LOGIN_URL = "https://api.icicidirect.com/apiuser/login"
ICICI_LIVESTREAM_URL = "https://livestream.icicidirect.com"
ICICI_LIVEFEEDS_URL = "https://livefeeds.icicidirect.com"
ICICI_OHLCV_URL = "https://breezeapi.icicidirect.com"
ICICI_SECURITY_MASTER_URL = (
    "https://directlink.icicidirect.com/MotherAppMaster/SecurityMaster.zip"
)


class Settings(BaseSettings):
    """Everything the platform reads from its environment."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=False
    )

    # The three lines of ICICI's setup guide.
    broker_api_key: SecretStr = SecretStr("")
    broker_api_secret: SecretStr = SecretStr("")
    redirect_url: str = "http://127.0.0.1:5000/icici/callback"

    # Where the platform listens.
    host: str = "127.0.0.1"
    port: int = Field(default=5000, ge=1, le=65535)
    websocket_port: int = Field(default=8765, ge=1, le=65535)
    data_dir: str = "data"
    # Empty: a SQLite file in DATA_DIR. Any SQLAlchemy URL works.
    database_url: str = ""

    # Breeze endpoints: ICICI's real hosts unless pointed elsewhere.
    breeze_api_url: str = ICICI_API_URL
    breeze_history_url: str = ICICI_HISTORY_URL
    breeze_login_url: str = ICICI_LOGIN_URL
    breeze_livestream_url: str = ICICI_LIVESTREAM_URL
    breeze_livefeeds_url: str = ICICI_LIVEFEEDS_URL
    breeze_ohlcv_url: str = ICICI_OHLCV_URL
    security_master_url: str = ICICI_SECURITY_MASTER_URL
    breeze_timeout_seconds: float = Field(default=10.0, gt=0)

    # Demo mode: the bundled simulator plays ICICI Direct on this loopback port.
    simulator_port: int = Field(default=5001, ge=1, le=65535)
    simulator_seed: int = 7

    @property
    def demo_mode(self) -> bool:
        """No broker key configured: the bundled simulator plays the broker."""
        return not self.broker_api_key.get_secret_value().strip()


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
