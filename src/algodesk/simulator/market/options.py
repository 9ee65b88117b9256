"""Black-Scholes prices on numpy arrays, with a mild volatility smile.

No dividend or foreign-rate yield is modelled, so put-call parity reads
C - P = S - K·exp(-rT). The normal CDF is built to satisfy N(x) + N(-x) = 1 exactly,
which makes parity hold to float precision before rounding to ticks.
"""

from __future__ import annotations

import numpy as np

from .hashing import F64

_SQRT_HALF = 0.5**0.5


def _erfc(x: F64) -> F64:
    """erfc for x >= 0 by the classic Chebyshev fit (fractional error below 1.2e-7)."""
    t = 1.0 / (1.0 + 0.5 * x)
    poly = -1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (
        -0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (
            -0.82215223 + t * 0.17087277))))))))
    return t * np.exp(-x * x + poly)


def norm_cdf(x: F64) -> F64:
    tail = 0.5 * _erfc(np.abs(x) * _SQRT_HALF)  # N(-|x|)
    return np.where(x >= 0, 1.0 - tail, tail)


def smile(atm_vol: float, log_moneyness: F64) -> F64:
    """Implied volatility: a skew that prices low strikes higher, and a gentle smile.

    With m = ln(K/S): vol = atm·(1 - 0.8m + 6m²), clipped to [0.5, 3]·atm. At 10% below
    spot this adds about 14% to the at-the-money volatility, at 10% above about -2%.
    """
    m = log_moneyness
    return atm_vol * np.clip(1.0 - 0.8 * m + 6.0 * m * m, 0.5, 3.0)


def black_scholes(spot: F64, strike: float, years: F64, rate: float, vol: F64 | float,
                  call: bool, log_moneyness: F64 | None = None) -> F64:
    """European option value; at or after expiry (years <= 0) the intrinsic value."""
    m = np.log(strike / spot) if log_moneyness is None else log_moneyness
    t = np.maximum(years, 0.0)
    spread = vol * np.sqrt(t)
    live = spread > 1e-12
    safe = np.where(live, spread, 1.0)
    d1 = ((rate + 0.5 * vol * vol) * t - m) / safe
    d2 = d1 - safe
    discounted = strike * np.exp(-rate * t)
    if call:
        value = spot * norm_cdf(d1) - discounted * norm_cdf(d2)
        intrinsic = np.maximum(spot - strike, 0.0)
    else:
        value = discounted * norm_cdf(-d2) - spot * norm_cdf(-d1)
        intrinsic = np.maximum(strike - spot, 0.0)
    return np.where(live, np.maximum(value, 0.0), intrinsic)


def option_value(spot: F64, strike: float, years: F64, rate: float, atm_vol: float,
                 call: bool) -> F64:
    """Black-Scholes with the smile's volatility at each spot."""
    m = np.log(strike / spot)
    return black_scholes(spot, strike, years, rate, smile(atm_vol, m), call, m)


def forward(spot: F64, years: F64, rate: float) -> F64:
    """Futures fair value by cost of carry: S·exp(rT), T floored at zero after expiry."""
    return spot * np.exp(rate * np.maximum(years, 0.0))
