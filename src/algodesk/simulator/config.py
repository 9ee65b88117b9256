"""What one simulator run is told on its command line."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass
class SimulatorConfig:
    host: str = "127.0.0.1"
    port: int = 5001
    seed: int = 7
    # Demo credentials. The key carries `+` and `=` on purpose: a client that forgets
    # to URL-encode it in the login URL fails here as it would at ICICI.
    app_key: str = "algodesk+demo=key"
    app_secret: str = "algodesk-demo-secret"
    user_id: str = "DE123456"
    user_name: str = "DEMO TRADER"
    password: str = "demo1234"
    otp: str = "123456"
    redirect_url: str = "http://127.0.0.1:5000/icici/callback"
    contracts: Literal["small", "full"] = "small"
    market_hours: Literal["always", "exchange"] = "always"
    calls_per_minute: int = 100
    calls_per_day: int = 5000
    session_expiry: str = "00:00"  # IST wall-clock time at which sessions die each day
    timestamp_skew_seconds: int = 60
    starting_cash: int = 10_000_000  # rupees in the bank account
    # Stream ticks per second for each joined token; the market moves once a second, so
    # above 1 a token's ticks repeat that second's values (load, not new information).
    stream_rate: float = 1.0
    # A bench's probe: each tick's last-traded-quantity carries the instant it is written
    # to the socket (epoch microseconds) instead. ICICI's array layout is unchanged.
    stream_stamp: bool = False

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"
