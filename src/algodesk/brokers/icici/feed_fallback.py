"""REST quotes for the subscribed instruments while the tick stream is down.

When the livestream has brought nothing for `after_seconds` (FEED_FALLBACK_AFTER_SECONDS,
10) while instruments are subscribed, the broker session is live and the market is in
session (the connection is lost, refused, or connected but silent), the feed reads REST
quotes for them, one instrument at a time, round robin, and delivers each as a tick
marked `polled`. The ticks go through the feed's per-instrument order, so none arrives
twice or out of order, and a streamed tick that is not later than the last polled one is
dropped. It stops as soon as the stream brings data again.

The pace is modest and never at the expense of order actions:

- a quote every `every_seconds` (FEED_FALLBACK_SECONDS, 2), never faster than
  `CallBudget.polling_interval` allows (half of what is left of today's reads, spread
  over the rest of the session);
- a turn is skipped while the minute window has fewer than the order reserve plus
  `MINUTE_HEADROOM` calls left: order actions and the API's own reads come first (and
  each read is admitted by the budget like any other: the daily order reserve stays);
- a round of all instruments that brought nothing new doubles the wait, up to
  `max_seconds` (10 minutes): a market that is quiet costs little.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable

from ...background import stop_tasks
from ...domain.market import Quote
from ...domain.stream import Tick
from ..base import BrokerFailure, BrokerUnavailable
from .budget import CallBudget
from .formats import IST

log = logging.getLogger(__name__)

CHECK_SECONDS = 1.0  # how often a resting fallback looks at the stream
MINUTE_HEADROOM = 20  # calls of the minute window left to others beyond the order reserve


def tick_of(quote: Quote) -> Tick | None:
    """A REST quote as a polled tick; None without the last trade's time (it could
    not be placed among the streamed ticks)."""
    if quote.at is None:
        return None
    return Tick(quote.symbol, quote.exchange, quote.last_price, quote.last_quantity,
                quote.volume, quote.at, open_interest=quote.open_interest, open=quote.open,
                high=quote.high, low=quote.low, previous_close=quote.previous_close,
                bid=quote.bid, bid_quantity=quote.bid_quantity, ask=quote.ask,
                ask_quantity=quote.ask_quantity, upper_circuit=quote.upper_circuit,
                lower_circuit=quote.lower_circuit, polled=True)


class QuoteFallback:
    """One task reading REST quotes while the stream is down (see the module)."""

    def __init__(self, *, read: Callable[[str, str], Awaitable[Quote]],
                 wanted: Callable[[], list[tuple[str, str]]],
                 quiet_for: Callable[[], float], session_live: Callable[[], bool],
                 deliver: Callable[[Tick], bool], budget: CallBudget | None,
                 after_seconds: float = 10.0, every_seconds: float = 2.0,
                 max_seconds: float = 600.0) -> None:
        self.read = read
        self.wanted = wanted  # (symbol, exchange) of every instrument subscribed
        self.quiet_for = quiet_for  # seconds the stream has brought nothing it should have
        self.session_live = session_live
        self.deliver = deliver  # True when the tick was news and went out
        self.budget = budget
        self.after_seconds = after_seconds
        self.every_seconds = every_seconds
        self.max_seconds = max_seconds
        self.active = False
        self.failures = 0
        self._day = _ist_day()
        self._polled = 0
        self._task: asyncio.Task[None] | None = None

    def polled_today(self) -> int:
        self._roll_day()
        return self._polled

    def _roll_day(self) -> None:
        today = _ist_day()
        if today != self._day:
            self._day, self._polled = today, 0

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run(),
                                                            name="feed-rest-fallback")

    async def stop(self) -> None:
        await stop_tasks(self._task)
        self._task = None

    def needed(self) -> bool:
        return (self.quiet_for() >= self.after_seconds and self.session_live()
                and bool(self.wanted()))

    async def _run(self) -> None:
        while True:
            try:
                await self._serve()
            except asyncio.CancelledError:
                raise
            except Exception:  # a bug must not end the fallback for good
                log.exception("feed: the REST quote fallback failed; starting it again")
                self.active = False
                await asyncio.sleep(CHECK_SECONDS)

    async def _serve(self) -> None:
        pending: deque[tuple[str, str]] = deque()
        started = False  # a round has begun since the stream went down
        quiet_rounds = 0  # whole rounds in a row that brought nothing new
        news = False  # this round brought a new tick
        while True:
            if not self.needed():
                if self.active:
                    log.info("feed: ticks again; REST quotes stopped")
                self.active, started, quiet_rounds = False, False, 0
                pending.clear()
                await asyncio.sleep(CHECK_SECONDS)
                continue
            if not self.active:
                self.active = True
                log.warning("feed: no ticks for %.0f s; reading REST quotes for the "
                            "subscribed instruments until they resume", self.quiet_for())
            if not pending:
                if started:
                    quiet_rounds = 0 if news else quiet_rounds + 1
                started, news = True, False
                pending.extend(self.wanted())
            if self._budget_tight():
                await self._rest(self.every_seconds)
                continue
            symbol, exchange = pending.popleft()
            news = await self._poll(symbol, exchange) or news
            await self._rest(self._interval(quiet_rounds))

    async def _poll(self, symbol: str, exchange: str) -> bool:
        try:
            quote = await self.read(symbol, exchange)
        except (BrokerFailure, BrokerUnavailable) as exc:
            self.failures += 1
            if self.failures == 1 or self.failures % 100 == 0:
                log.warning("feed: REST quote of %s failed (%d so far): %s", symbol,
                            self.failures, exc)
            return False
        self._roll_day()
        self._polled += 1
        tick = tick_of(quote)
        return tick is not None and self.deliver(tick)

    def _budget_tight(self) -> bool:
        budget = self.budget
        return budget is not None and budget.seconds_until_free(
            budget.reserve_per_minute + MINUTE_HEADROOM) > 0

    def _interval(self, quiet_rounds: int) -> float:
        seconds = self.every_seconds
        if self.budget is not None:
            seconds = max(seconds, self.budget.polling_interval(1))
        return min(self.max_seconds, seconds * 2 ** min(quiet_rounds, 16))

    async def _rest(self, seconds: float) -> None:
        """Wait `seconds`, or less once the fallback is not needed any more."""
        deadline = time.monotonic() + seconds
        # Waiting on time passing and on the stream's silence, not on an event.
        while (left := deadline - time.monotonic()) > 0 and self.needed():  # noqa: ASYNC110
            await asyncio.sleep(min(left, CHECK_SECONDS))


def _ist_day() -> dt.date:
    return dt.datetime.now(IST).date()


__all__ = ["MINUTE_HEADROOM", "QuoteFallback", "tick_of"]
