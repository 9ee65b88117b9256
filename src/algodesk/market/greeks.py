"""Black-76 option values, Greeks and implied volatility (pure functions, no I/O).

Why Black-76 and not Black-Scholes on the spot: Indian index options are priced off the
future, and a forward taken from put-call parity carries the market's own cost of
carry (rates, dividends) without the platform having to know them. With a forward of
S·e^(rT) the two models give the same numbers, so Black-Scholes users lose nothing.

Conventions (those of OpenAlgo's option Greeks, openalgo-api.md §3.7.4): time in years
of 365 days, `theta` per calendar day, `vega` and `rho` per one percentage point,
`delta` with respect to the forward, discounted.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

SQRT_2 = math.sqrt(2.0)
SQRT_2PI = math.sqrt(2.0 * math.pi)
YEAR_SECONDS = 365.0 * 86_400.0
# Volatility bracket searched by the solver (0.01% to 1,000% a year).
MIN_VOL, MAX_VOL = 1e-4, 10.0


def norm_cdf(x: float) -> float:
    # erfc keeps full relative precision in the far tails, where 1 - erf does not.
    return 0.5 * math.erfc(-x / SQRT_2)


def norm_pdf(x: float) -> float:
    return math.exp(-0.5 * x * x) / SQRT_2PI


@dataclass(frozen=True, slots=True)
class Greeks:
    implied_volatility: float  # a fraction (0.156 = 15.6%)
    delta: float
    gamma: float
    theta: float  # per calendar day
    vega: float  # per 1 percentage point of volatility
    rho: float  # per 1 percentage point of the rate


def black76_price(forward: float, strike: float, years: float, rate: float, vol: float,
                  call: bool) -> float:
    discount = math.exp(-rate * years)
    if years <= 0 or vol <= 0:
        intrinsic = forward - strike if call else strike - forward
        return discount * max(intrinsic, 0.0)
    spread = vol * math.sqrt(years)
    d1 = (math.log(forward / strike) + 0.5 * spread * spread) / spread
    d2 = d1 - spread
    if call:
        return discount * (forward * norm_cdf(d1) - strike * norm_cdf(d2))
    return discount * (strike * norm_cdf(-d2) - forward * norm_cdf(-d1))


def greeks_at(forward: float, strike: float, years: float, rate: float, vol: float,
              call: bool) -> Greeks:
    """The Greeks at a known volatility (years > 0, vol > 0)."""
    discount = math.exp(-rate * years)
    root = math.sqrt(years)
    spread = vol * root
    d1 = (math.log(forward / strike) + 0.5 * spread * spread) / spread
    density = norm_pdf(d1)
    value = black76_price(forward, strike, years, rate, vol, call)
    delta = discount * (norm_cdf(d1) if call else norm_cdf(d1) - 1.0)
    gamma = discount * density / (forward * spread)
    # -dV/dT: the time decay of the undiscounted value plus the discount's own drift.
    theta_year = rate * value - discount * forward * density * vol / (2.0 * root)
    vega = discount * forward * density * root
    rho = -years * value  # Black-76 holds the forward fixed, so only the discount moves
    return Greeks(vol, delta, gamma, theta_year / 365.0, vega / 100.0, rho / 100.0)


def no_time_value(forward: float, strike: float, call: bool, discount: float = 1.0) -> Greeks:
    """What OpenAlgo answers for a price at or below intrinsic value: no volatility,
    delta ±1 in the money (0 out of it; Black-76 discounts it, so ±e^(-rT) when a rate
    is given), every other Greek 0."""
    in_money = forward > strike if call else forward < strike
    delta = (discount if call else -discount) if in_money else 0.0
    return Greeks(0.0, delta, 0.0, 0.0, 0.0, 0.0)


class VolatilityError(ValueError):
    """No volatility reproduces the price (above the model's upper bound)."""


def implied_volatility(price: float, forward: float, strike: float, years: float,
                       rate: float, call: bool, *, tolerance: float = 1e-12) -> float | None:
    """The Black-76 volatility whose value equals `price`; None when the price holds no
    time value. Newton steps inside a shrinking bracket, bisecting whenever Newton
    would leave it, so deep out-of-the-money options (vega near zero) still converge.
    """
    if years <= 0 or forward <= 0 or strike <= 0:
        return None
    discount = math.exp(-rate * years)
    target = price / discount
    intrinsic = max(forward - strike, 0.0) if call else max(strike - forward, 0.0)
    ceiling = forward if call else strike
    if target <= intrinsic + 1e-12 * max(1.0, target):
        return None
    if target >= ceiling:
        raise VolatilityError(f"price {price} is above what any volatility gives ({ceiling})")
    root = math.sqrt(years)
    low, high = MIN_VOL, MAX_VOL
    # Brenner-Subrahmanyam's at-the-money estimate is a good start almost everywhere.
    vol = min(max(SQRT_2PI * target / (forward * root), 0.05), 2.0)
    log_moneyness = math.log(forward / strike)
    for _ in range(200):
        spread = vol * root
        d1 = (log_moneyness + 0.5 * spread * spread) / spread
        d2 = d1 - spread
        if call:
            value = forward * norm_cdf(d1) - strike * norm_cdf(d2)
        else:
            value = strike * norm_cdf(-d2) - forward * norm_cdf(-d1)
        error = value - target
        if abs(error) <= tolerance * max(1.0, target):
            return vol
        if error > 0:
            high = vol
        else:
            low = vol
        slope = forward * norm_pdf(d1) * root
        step = error / slope if slope > 0 else math.inf
        candidate = vol - step
        if not (low < candidate < high):
            candidate = 0.5 * (low + high)
        if abs(candidate - vol) <= 1e-15 * max(1.0, vol):
            return candidate
        vol = candidate
    return vol


def option_greeks(price: float, forward: float, strike: float, years: float, rate: float,
                  call: bool) -> Greeks:
    """Implied volatility and Greeks of one option price."""
    vol = implied_volatility(price, forward, strike, years, rate, call)
    if vol is None:
        return no_time_value(forward, strike, call, math.exp(-rate * max(years, 0.0)))
    return greeks_at(forward, strike, years, rate, vol, call)


def parity_forward(strike: float, call_price: float, put_price: float, years: float,
                   rate: float) -> float:
    """The forward implied by a call and a put at one strike: C - P = e^(-rT)(F - K)."""
    return strike + (call_price - put_price) * math.exp(rate * years)


__all__ = [
    "YEAR_SECONDS",
    "Greeks",
    "VolatilityError",
    "black76_price",
    "greeks_at",
    "implied_volatility",
    "no_time_value",
    "norm_cdf",
    "option_greeks",
    "parity_forward",
]
