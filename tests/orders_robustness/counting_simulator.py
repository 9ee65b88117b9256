"""The real Breeze simulator in its own process, with a call counter in front of it.

The platform's own counter cannot be the witness of its own thrift, so the tests count
at the far side of the wire. This runs exactly the app `algodesk simulator` runs
(`algodesk.simulator.app.build_app`) behind a small ASGI layer that notes every request
to the Breeze API (v1 and v2) as it arrives — time, method, endpoint, a digest of the
session token (so that the tests' own direct reads can be told apart from the
platform's) and, once answered, the HTTP status — and answers
`GET /_calls?since=<epoch seconds>` with that list.

    python -m tests.orders_robustness.counting_simulator --port 5001 [simulator options]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import time
from typing import Any

BREEZE_PREFIXES = ("/breezeapi/api/v1/", "/api/v2/")


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()[:12] if token else ""


class CallCounter:
    def __init__(self, app: Any) -> None:
        self.app = app
        self.calls: list[list[Any]] = []  # at, method, endpoint, session, HTTP status

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            path = scope["path"]
            if path == "/_calls":
                await self._report(scope, send)
                return
            if path.startswith(BREEZE_PREFIXES):
                headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
                call: list[Any] = [time.time(), scope["method"], path.rsplit("/", 1)[-1],
                                   token_digest(headers.get("x-sessiontoken", "")), None]
                self.calls.append(call)

                async def noting_status(message: dict[str, Any]) -> None:
                    if message["type"] == "http.response.start":
                        call[4] = message["status"]
                    await send(message)

                await self.app(scope, receive, noting_status)
                return
        await self.app(scope, receive, send)

    async def _report(self, scope: dict[str, Any], send: Any) -> None:
        query = dict(part.split("=", 1) for part in scope["query_string"].decode().split("&")
                     if "=" in part)
        since = float(query.get("since", 0))
        body = json.dumps([c for c in self.calls if c[0] >= since]).encode()
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})


def main() -> None:
    import uvicorn

    from algodesk.simulator.app import build_app
    from algodesk.simulator.config import SimulatorConfig

    parser = argparse.ArgumentParser()
    for name in ("--app-key", "--app-secret", "--user-id", "--password", "--otp",
                 "--redirect-url", "--contracts", "--host"):
        parser.add_argument(name)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--calls-per-minute", type=int, default=100)
    parser.add_argument("--calls-per-day", type=int, default=5000)
    args = parser.parse_args()
    given = {k: v for k, v in vars(args).items() if v is not None}
    config = SimulatorConfig(**given)
    app = CallCounter(build_app(config))
    uvicorn.run(app, host=config.host, port=config.port, log_level="warning",
                access_log=False, lifespan="on")


if __name__ == "__main__":
    main()
