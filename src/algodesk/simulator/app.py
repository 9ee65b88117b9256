"""The simulator's HTTP application: ICICI's URL paths on one loopback port.

Paths mirror ICICI's hosts so that a client only swaps scheme and host:
`/apiuser/login`, `/breezeapi/api/v1/<endpoint>`, `/api/v2/historicalcharts`,
`/MotherAppMaster/SecurityMaster.zip` and `/NewSecurityMaster/SecurityMaster.zip`.
A small admin API under `/admin/` (loopback clients only) moves the clock, injects
faults and changes limits at run time.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp

from .auth import AuthError, CustomerDetailsError, Gatekeeper
from .clock import Clock
from .config import SimulatorConfig
from .endpoints import MAX_CANDLES, EmptyResult, Endpoints, exchange_of
from .exchange import Exchange
from .faults import FaultPlan
from .gtt import GttBook
from .gtt_endpoints import GttEndpoints
from .market import Market
from .pages import error_page, login_page, redirect_page
from .rows import candle_v2_row
from .streams.hub import StreamHub
from .wire import (
    BadRequest,
    failure,
    gateway_failure,
    json_response,
    parse_datetime,
    success,
)

log = logging.getLogger("algodesk.simulator")

_MAINTENANCE = (
    "<html><head><title>Maintenance</title></head><body><h1>Service temporarily "
    "unavailable</h1><p>We are upgrading our systems. Please try after some time.</p>"
    "</body></html>"
)


class Simulator:
    """All the state of one simulated ICICI Direct: market, account, sessions, faults."""

    def __init__(self, config: SimulatorConfig, market: Market | None = None) -> None:
        self.config = config
        self.clock = Clock()
        self.market = market or Market(seed=config.seed, size=config.contracts,
                                       hours=config.market_hours)
        self.gate = Gatekeeper(config, self.clock)
        self.exchange = Exchange(self.market, self.clock, config.starting_cash)
        self.endpoints = Endpoints(self.market, self.exchange, self.clock.now)
        self.gtts = GttBook(self.market, self.exchange, self.clock)
        self.endpoints.table.update(GttEndpoints(self.endpoints, self.gtts).table)
        self.faults = FaultPlan(config.seed)
        self.streams = StreamHub(market=self.market, clock=self.clock,
                                 exchange=self.exchange, gate=self.gate,
                                 user_id=config.user_id,
                                 ticks_per_second=config.stream_rate,
                                 stamp=config.stream_stamp)

    def reset(self) -> None:
        # GTTs act on their own as the clock moves: none outlives a reset.
        self.gtts.reset()
        self.faults.reset()
        self.streams.reset()
        self.clock.offset_seconds = 0.0
        self.gate.calls_per_minute = self.config.calls_per_minute
        self.gate.calls_per_day = self.config.calls_per_day

    # -- fault handling around every API answer -------------------------------------

    async def _misbehave_before(self) -> Response | None:
        faults = self.faults.faults
        if faults.expire_sessions:
            self.gate.expire_all()
            faults.expire_sessions = False
        if faults.latency_ms:
            await asyncio.sleep(faults.latency_ms / 1000)
        if self.faults.strikes(faults.html_rate):
            return HTMLResponse(_MAINTENANCE, status_code=503)
        if self.faults.strikes(faults.error_rate):
            return failure(FaultPlan.OUTAGE)
        return None

    async def _misbehave_after(self, request: Request, response: Response) -> Response:
        faults = self.faults.faults
        if self.faults.strikes(faults.timeout_rate):
            # The work is done (an order may now exist), but the answer never comes.
            for _ in range(3000):
                if await request.is_disconnected():
                    break
                await asyncio.sleep(0.1)
            return PlainTextResponse("", status_code=504)
        if self.faults.strikes(faults.malformed_rate):
            body = bytes(response.body)
            return Response(body[: max(len(body) // 2, 1)], media_type="application/json")
        return response

    async def guarded(self, request: Request,
                      handler: Callable[[], Awaitable[Response]]) -> Response:
        early = await self._misbehave_before()
        if early is not None:
            return early
        response = await handler()
        return await self._misbehave_after(request, response)

    # -- handlers -------------------------------------------------------------------

    async def v1(self, request: Request) -> Response:
        endpoint = request.path_params["endpoint"]
        method = request.method
        if endpoint == "customerdetails":
            return await self.guarded(request, lambda: self._customer_details(request))
        action = self.endpoints.table.get((endpoint, method))
        if action is None:
            known = any(name == endpoint for name, _ in self.endpoints.table)
            if known:
                return json_response({"Success": None, "Status": 405,
                                      "Error": "Method Not Allowed"}, 405)
            return json_response({"Success": None, "Status": 404, "Error": "Not Found"}, 404)

        async def answer() -> Response:
            body = await request.body()
            headers = {k.lower(): v for k, v in request.headers.items()}
            try:
                self.gate.verify_signed(headers, body)
            except AuthError as exc:
                return gateway_failure(str(exc))
            try:
                payload = json.loads(body or b"{}")
            except ValueError:
                return failure("Request body is not valid JSON")
            if not isinstance(payload, dict):
                return failure("Request body should be a JSON object")
            if endpoint in ("order", "squareoff", "gttorder") \
                    and method in ("POST", "PUT", "DELETE"):
                rejection = self.faults.take_order_rejection()
                if rejection:
                    return failure(rejection)
            try:
                return success(action(payload))
            except EmptyResult as exc:
                return json_response({"Success": None, "Status": 200, "Error": str(exc)})
            except BadRequest as exc:
                return failure(str(exc))

        return await self.guarded(request, answer)

    async def _customer_details(self, request: Request) -> Response:
        if request.method != "GET":
            return json_response({"Success": None, "Status": 405,
                                  "Error": "Method Not Allowed"}, 405)
        try:
            payload = json.loads(await request.body() or b"{}")
            api_session = str(payload.get("SessionToken") or "")
            app_key = str(payload.get("AppKey") or "")
        except (ValueError, AttributeError):
            return failure("Request body is not valid JSON")
        if not api_session:
            return failure("Invalid session.")
        try:
            session = self.gate.customer_details(app_key, api_session)
        except CustomerDetailsError as exc:
            return failure(str(exc))
        today = self.clock.now_ist()
        trade_date = today.strftime("%d-%b-%Y")
        return success({
            "exg_trade_date": {"NSE": trade_date, "BSE": trade_date, "FNO": trade_date,
                               "NDX": trade_date},
            "exg_status": {"NSE": "O", "BSE": "O", "FNO": "Y", "NDX": "X"},
            "segments_allowed": {"Trading": "Y", "Equity": "Y", "Derivatives": "Y",
                                 "Currency": "Z"},
            "idirect_userid": session.user_id,
            "session_token": session.token,
            "idirect_user_name": self.config.user_name,
            "idirect_ORD_TYP": "N",
            "idirect_lastlogin_time": today.strftime("%d-%b-%Y %H:%M:%S"),
            "mf_holding_mode_popup_flg": "N",
            "commodity_exchange_status": "Y",
            "commodity_trade_date": trade_date,
            "commodity_allowed": "O",
        })

    async def history_v2(self, request: Request) -> Response:
        async def answer() -> Response:
            headers = {k.lower(): v for k, v in request.headers.items()}
            try:
                self.gate.verify_history_v2(headers)
            except AuthError as exc:
                return gateway_failure(str(exc))
            try:
                rows = self._history_v2_rows(dict(request.query_params))
            except BadRequest as exc:
                return json_response({"Error": str(exc), "Status": 500, "Success": None},
                                     sort_keys=True)
            return json_response({"Error": None, "Status": 200, "Success": rows},
                                 sort_keys=True)

        return await self.guarded(request, answer)

    def _history_v2_rows(self, query: dict[str, str]) -> list[dict[str, Any]]:
        interval = (query.get("interval") or "").strip()
        if not interval:
            raise BadRequest("Interval cannot be empty")
        if interval not in ("1second", "1minute", "5minute", "30minute", "1day"):
            raise BadRequest("Interval should be either '1second','1minute', '5minute', "
                             "'30minute', or '1day'")
        body = dict(query)
        body["exchange_code"] = query.get("exch_code", "")
        exchange_code = exchange_of(body)
        start = parse_datetime(query.get("from_date") or "", "From-Date") \
            if query.get("from_date") else None
        end = parse_datetime(query.get("to_date") or "", "To-Date") \
            if query.get("to_date") else None
        if start is None:
            raise BadRequest("From-Date cannot be empty")
        if end is None:
            raise BadRequest("To-Date cannot be empty")
        product = (query.get("product_type") or "cash").lower()
        try:
            inst = self.endpoints.instrument(body, exchange_code, product)
        except BadRequest as exc:
            if "cannot be empty" in str(exc) or "should be" in str(exc):
                raise
            return []
        candles = self.market.candles(inst, interval, start, end, now=self.clock.now(),
                                      limit=MAX_CANDLES)
        return [candle_v2_row(inst, c) for c in candles[:MAX_CANDLES]]

    async def login_form(self, request: Request) -> Response:
        api_key = request.query_params.get("api_key", "")
        if api_key != self.config.app_key:
            return HTMLResponse(error_page(
                "Invalid API key: no app is registered with this key. Check the key in "
                "your app settings."), status_code=400)
        return HTMLResponse(login_page(api_key))

    async def login_submit(self, request: Request) -> Response:
        form = await request.form()
        api_key = str(form.get("api_key", ""))
        if api_key != self.config.app_key:
            return HTMLResponse(error_page("Invalid API key."), status_code=400)
        if not self.gate.check_credentials(str(form.get("user_id", "")),
                                           str(form.get("password", "")),
                                           str(form.get("otp", ""))):
            return HTMLResponse(login_page(api_key, "Invalid User ID, password or OTP."),
                                status_code=401)
        api_session = self.gate.issue_api_session()
        return HTMLResponse(redirect_page(self.config.redirect_url, api_session))

    async def security_master(self, request: Request) -> Response:
        data = await asyncio.to_thread(self.market.security_master_zip)
        return Response(data, media_type="application/zip", headers={
            "Content-Disposition": "attachment; filename=SecurityMaster.zip"})

    async def home(self, request: Request) -> Response:
        return PlainTextResponse(
            "Breeze simulator: ICICI Direct's Breeze API on loopback.\n"
            f"Login: {self.config.base_url}/apiuser/login?api_key=<app key>\n"
            f"REST: {self.config.base_url}/breezeapi/api/v1/\n")

    # -- admin ----------------------------------------------------------------------

    async def admin(self, request: Request) -> Response:
        client = request.client.host if request.client else ""
        if client not in ("127.0.0.1", "::1", "localhost"):
            return json_response({"error": "admin is for loopback clients only"}, 403)
        action = request.path_params["action"]
        try:
            payload = json.loads(await request.body() or b"{}")
            if not isinstance(payload, dict):
                raise ValueError("body must be a JSON object")
            if action == "streams" and request.method == "POST":
                # Dropping sockets is asynchronous, unlike every other admin action.
                await self.streams.admin(payload)
                result: dict[str, Any] | None = self._state()
            else:
                result = self._admin(action, request.method, payload)
        except (ValueError, TypeError, KeyError) as exc:
            return json_response({"error": str(exc)}, 400)
        if result is None:
            return json_response({"error": f"unknown admin action {action!r}"}, 404)
        return json_response(result)

    def _admin(self, action: str, method: str, payload: dict[str, Any]) -> dict[str, Any] | None:
        if action == "state" and method == "GET":
            return self._state()
        if method != "POST":
            return None
        if action == "api-session":
            return {"api_session": self.gate.issue_api_session()}
        if action == "faults":
            self.faults.faults.update(payload)
            if self.faults.faults.expire_sessions:
                self.gate.expire_all()
                self.faults.faults.expire_sessions = False
            return self._state()
        if action == "limits":
            for name in ("calls_per_minute", "calls_per_day"):
                if name in payload:
                    value = int(payload[name])
                    if value < 0:
                        raise ValueError(f"{name} must be >= 0")
                    setattr(self.gate, name, value)
            return self._state()
        if action == "clock":
            self.clock.offset_seconds = float(payload["offset_seconds"])
            return self._state()
        if action == "reset":
            self.reset()
            if payload.get("account"):
                self.exchange.reset()
            return self._state()
        return None

    def _state(self) -> dict[str, Any]:
        return {
            "now": self.clock.now(),
            "clock_offset_seconds": self.clock.offset_seconds,
            "faults": self.faults.faults.as_dict(),
            "limits": {"calls_per_minute": self.gate.calls_per_minute,
                       "calls_per_day": self.gate.calls_per_day},
            "sessions": len(self.gate.sessions),
            "orders": len(self.exchange.orders),
            "gtts": self.gtts.state(),
            "instruments": len(self.market.instruments),
            "streams": self.streams.state(),
        }


def build_app(config: SimulatorConfig, market: Market | None = None) -> ASGIApp:
    """The simulator's HTTP app with ICICI's socket.io streams in front of it."""
    sim = Simulator(config, market)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async def tick() -> None:
            # Fills happen on time even when nobody asks (the seam for streaming).
            while True:
                await asyncio.sleep(1.0)
                try:
                    sim.exchange.advance()
                except Exception:  # keep the market running; report the fault
                    log.exception("matching step failed")

        task = asyncio.create_task(tick())
        await sim.streams.start()
        try:
            yield
        finally:
            task.cancel()
            await sim.streams.stop()

    methods = ["GET", "POST", "PUT", "DELETE"]
    routes = [
        Route("/", sim.home),
        Route("/apiuser/login", sim.login_form, methods=["GET"]),
        Route("/apiuser/login", sim.login_submit, methods=["POST"]),
        Route("/breezeapi/api/v1/{endpoint}", sim.v1, methods=methods),
        Route("/api/v2/historicalcharts", sim.history_v2, methods=["GET"]),
        Route("/MotherAppMaster/SecurityMaster.zip", sim.security_master),
        Route("/NewSecurityMaster/SecurityMaster.zip", sim.security_master),
        Route("/admin/{action}", sim.admin, methods=["GET", "POST"]),
    ]
    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.simulator = sim
    return sim.streams.asgi(app)
