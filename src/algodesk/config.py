"""Settings from the environment and `.env`.

The `.env` is read exactly as ICICI's setup guide writes it, spaces and quotes included
(`BROKER_API_KEY = 'your_api_key_here'`): python-dotenv, behind pydantic-settings, accepts
that form. Every Breeze endpoint is a setting whose default is ICICI's real URL, so the
platform can be pointed at any Breeze-protocol server (the bundled simulator in demo mode
and in tests).
"""

from __future__ import annotations

import ipaddress
import re
from functools import lru_cache
from typing import Literal

from pydantic import Field, SecretStr, field_validator
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

    # Where the platform listens. Anything but a loopback HOST also needs
    # ALLOW_REMOTE_ACCESS, because the pages and the API then face the network.
    host: str = "127.0.0.1"
    port: int = Field(default=5000, ge=1, le=65535)
    allow_remote_access: bool = False
    # Proxies (comma-separated addresses) whose X-Forwarded-For/-Proto are believed.
    # Empty: none, so a local process cannot fake its address to dodge rate limits.
    trusted_proxies: str = ""
    websocket_port: int = Field(default=8765, ge=1, le=65535)
    # The OpenAlgo WebSocket feed: instruments one connection may subscribe (per mode),
    # and how long a new connection may take to authenticate.
    websocket_max_subscriptions: int = Field(default=1000, ge=1)
    websocket_auth_grace_seconds: float = Field(default=15.0, gt=0)
    # A client that has read nothing for this long while frames wait is closed (1008).
    websocket_slow_client_seconds: float = Field(default=10.0, gt=0)
    # The broker feed is dropped and made again when it is connected but silent this
    # long while instruments are subscribed during their market's hours (the platform's
    # calendar; doubling for each silent one in a row).
    feed_watchdog_seconds: float = Field(default=30.0, gt=0)
    # While the broker feed has brought nothing this long during market hours (lost,
    # refused, silent), the subscribed instruments are served by REST quotes, at most
    # one every FEED_FALLBACK_SECONDS (slower when the call budget is low).
    feed_fallback_after_seconds: float = Field(default=10.0, gt=0)
    feed_fallback_seconds: float = Field(default=2.0, gt=0)
    # Whose hours the watchdog and the fallback keep: the exchanges' trading calendar
    # ("calendar"), or "always" for a broker whose market never shuts (the simulator's
    # default; demo mode sets it).
    feed_market_hours: Literal["calendar", "always"] = "calendar"
    # The broker's order notifications: pushed to WebSocket clients (subscribe_orders)
    # and refreshing the cached order books. False: neither; the books poll.
    order_updates_enabled: bool = True
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
    # ICICI's call limits per session; the platform paces and caches to stay inside them.
    breeze_calls_per_minute: int = Field(default=100, ge=1)
    breeze_calls_per_day: int = Field(default=5000, ge=1)

    # Master contract (SecurityMaster.zip): refreshed once per trading day after this
    # IST time, and at start-up when the stored one is older than the last such time.
    contracts_refresh_time: str = Field(default="08:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    contracts_auto_refresh: bool = True
    # A failed download is tried again after this many seconds, doubling after each
    # failure up to the cap: a master missing at start-up must not wait a quarter hour.
    contracts_retry_seconds: float = Field(default=5.0, gt=0)
    contracts_retry_max_seconds: float = Field(default=240.0, gt=0)
    contracts_download_timeout_seconds: float = Field(default=120.0, gt=0)
    # Share of a member file's rows that may be malformed and skipped (at least 5 rows);
    # more fails the refresh and keeps the previous master.
    contracts_bad_row_tolerance: float = Field(default=0.001, ge=0, le=1)
    # IST wall-clock time at which ICICI ends every session (HH:MM or HH:MM:SS).
    broker_session_expiry: str = "00:00"

    # Orders. Breeze forbids its intraday (margin) product for API orders, so equity MIS
    # is refused unless this routes it as delivery (cash), squared off by the platform.
    equity_mis_as_cash: bool = False
    # IST time (HH:MM or HH:MM:SS), daily, when the platform cancels working MIS orders
    # and squares off MIS positions (F&O MIS, and equity MIS routed as cash).
    mis_squareoff_time: str = Field(default="15:15",
                                    pattern=r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$")

    # Analyzer mode (paper trading): the paper account's starting capital (₹), and the
    # leverage of each kind of position (margin = quantity × price ÷ leverage).
    analyzer_capital: float = Field(default=10_000_000, gt=0)
    analyzer_leverage_equity_mis: float = Field(default=5, gt=0)
    analyzer_leverage_equity_cnc: float = Field(default=1, gt=0)
    analyzer_leverage_futures: float = Field(default=10, gt=0)
    analyzer_leverage_option_buy: float = Field(default=1, gt=0)
    analyzer_leverage_option_sell: float = Field(default=1, gt=0)
    # When the paper account starts again at its capital by itself: never (OpenAlgo's
    # default), `daily HH:MM`, or a day and time (`MON 09:00`), IST.
    analyzer_reset_schedule: str = "never"
    # Paper MIS square-off, per exchange (IST); new MIS entries are refused after it.
    analyzer_squareoff_times: str = Field(
        default="NSE=15:15,BSE=15:15,NFO=15:15,BFO=15:15,CDS=16:45,BCD=16:45,MCX=23:30",
        pattern=r"^\s*[A-Z_]+\s*=\s*([01]\d|2[0-3]):[0-5]\d\s*(,\s*[A-Z_]+\s*=\s*"
                r"([01]\d|2[0-3]):[0-5]\d\s*)*$")

    # Annual interest rate (percent) for option Greeks when a request gives none.
    options_interest_rate: float = Field(default=0.0, ge=0, le=100)

    # Console and DATA_DIR/logs/algodesk.log (rotated); secrets are always redacted.
    log_level: str = "INFO"
    # An access line for every /api/ call too (pages always get one; order actions are
    # logged by the order service either way).
    api_access_log: bool = False

    # Demo mode: the bundled simulator plays ICICI Direct on this loopback port.
    simulator_port: int = Field(default=5001, ge=1, le=65535)
    simulator_seed: int = 7

    @field_validator("broker_session_expiry")
    @classmethod
    def _clock_time(cls, value: str) -> str:
        value = value.strip()
        match = re.fullmatch(r"(\d{1,2}):(\d{2})(?::(\d{2}))?", value)
        if not match or int(match[1]) > 23 or int(match[2]) > 59 or int(match[3] or 0) > 59:
            raise ValueError(f"must be an IST time HH:MM or HH:MM:SS, got {value!r}")
        return value

    @field_validator("analyzer_reset_schedule")
    @classmethod
    def _reset_schedule(cls, value: str) -> str:
        spelled = " ".join(value.split()).upper()
        if spelled not in ("", "NEVER") and not re.fullmatch(
                r"(DAILY|MON|TUE|WED|THU|FRI|SAT|SUN) ([01]\d|2[0-3]):[0-5]\d", spelled):
            raise ValueError(f"must be never, daily HH:MM or a day MON..SUN and HH:MM, "
                             f"got {value!r}")
        return value

    @field_validator("log_level")
    @classmethod
    def _level(cls, value: str) -> str:
        level = value.strip().upper()
        if level not in ("DEBUG", "INFO", "WARNING", "ERROR"):
            raise ValueError("must be DEBUG, INFO, WARNING or ERROR")
        return level

    @property
    def host_is_loopback(self) -> bool:
        if self.host.strip().lower() == "localhost":
            return True
        try:
            return ipaddress.ip_address(self.host.strip()).is_loopback
        except ValueError:
            return False

    @property
    def public_base_url(self) -> str:
        """How a browser on this machine reaches the platform (a wildcard bind address
        is not something to type into a browser)."""
        host = self.host.strip()
        if host in ("0.0.0.0", "::", ""):
            host = "127.0.0.1"
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}"

    @property
    def demo_mode(self) -> bool:
        """No broker key configured: the bundled simulator plays the broker."""
        return not self.broker_api_key.get_secret_value().strip()


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
