"""The trader's pages: setup, login, dashboard, broker connection, API key, two-factor."""

from fastapi import APIRouter

from . import auth, broker, pages
from .common import STATIC


def build_web_router() -> APIRouter:
    router = APIRouter(include_in_schema=False)
    router.include_router(auth.router)
    router.include_router(broker.router)
    router.include_router(pages.router)
    return router


__all__ = ["STATIC", "build_web_router"]
