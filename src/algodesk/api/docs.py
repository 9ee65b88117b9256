"""The API's documentation: the OpenAPI document at /openapi.json and a page at /docs.

The page is rendered here from the OpenAPI document, not by Swagger UI: the platform's
pages run no scripts (the content security policy forbids them) and must work without
internet access, and Swagger UI is a script from a CDN. Only `/api/v1` is documented;
the web pages are not an API.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse, JSONResponse
from jinja2 import Environment, PackageLoader, select_autoescape
from markdown_it import MarkdownIt
from markupsafe import Markup

from .schemas import API_DESCRIPTION

# Descriptions are written in a small Markdown subset (paragraphs, lists, `code`,
# *emphasis*): rendered with raw HTML off, so any markup in a description is escaped.
_markdown = MarkdownIt("zero", {"html": False}).enable(["emphasis", "backticks", "list",
                                                       "escape"])


def markdown(text: str) -> Markup:
    """`text` (Markdown) as safe HTML: paragraphs and lists."""
    return Markup(_markdown.render(text or ""))


def markdown_inline(text: str) -> Markup:
    """`text` (Markdown) as safe inline HTML, for a table cell."""
    return Markup(_markdown.renderInline(text or ""))


_templates = Environment(loader=PackageLoader("algodesk.api", "templates"),
                         autoescape=select_autoescape(["html"]))
_templates.filters["markdown"] = markdown
_templates.filters["markdown_inline"] = markdown_inline


def openapi_document(app: FastAPI) -> dict[str, Any]:
    if app.openapi_schema is None:
        # Web pages and health checks are registered with include_in_schema=False.
        document = get_openapi(title="algodesk — OpenAlgo API", version=app.version,
                               description=API_DESCRIPTION, routes=app.routes)
        for methods in document.get("paths", {}).values():
            for operation in methods.values():
                # Validation errors are OpenAlgo's 400 (declared with the other errors,
                # `responses.py`), never FastAPI's 422.
                operation.get("responses", {}).pop("422", None)
        components = document.get("components", {}).get("schemas", {})
        text = json.dumps(document.get("paths", {}))
        for name in ("HTTPValidationError", "ValidationError"):  # the 422's body
            if f'"#/components/schemas/{name}"' not in text:
                components.pop(name, None)
        app.openapi_schema = document
    return app.openapi_schema


def _type_of(schema: dict[str, Any], components: dict[str, Any]) -> str:
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    if "enum" in schema:
        return " | ".join(str(v) for v in schema["enum"])
    if "anyOf" in schema:
        return " or ".join(_type_of(s, components) for s in schema["anyOf"])
    if schema.get("type") == "array":
        return f"list of {_type_of(schema.get('items', {}), components)}"
    return str(schema.get("type", "any"))


def _fields(name: str, components: dict[str, Any]) -> list[dict[str, Any]]:
    schema = components.get(name, {})
    required = set(schema.get("required", []))
    rows = []
    for field, spec in schema.get("properties", {}).items():
        rows.append({"name": field, "type": _type_of(spec, components),
                     "required": field in required,
                     "default": spec.get("default", ""),
                     "description": spec.get("description", "")})
    return rows


def _models(document: dict[str, Any]) -> list[dict[str, Any]]:
    components = document.get("components", {}).get("schemas", {})
    return [{"name": name, "fields": _fields(name, components)}
            for name in sorted(components) if components[name].get("properties")]


def _endpoints(document: dict[str, Any]) -> list[dict[str, Any]]:
    endpoints = []
    for path, methods in document.get("paths", {}).items():
        for method, operation in methods.items():
            body = (operation.get("requestBody", {}).get("content", {})
                    .get("application/json", {}).get("schema", {}))
            reply = (operation.get("responses", {}).get("200", {}).get("content", {})
                     .get("application/json", {}).get("schema", {}))
            endpoints.append({
                "method": method.upper(), "path": path,
                "tag": (operation.get("tags") or ["api"])[0],
                "summary": operation.get("summary", ""),
                "description": operation.get("description", ""),
                "request": _type_of(body, {}) if body else "",
                "query": [p["name"] for p in operation.get("parameters", [])],
                "reply": _type_of(reply, {}) if reply else "",
                "statuses": [{"code": code, "description": answer.get("description", "")}
                             for code, answer in sorted(operation.get("responses", {}).items())
                             if code != "200"],
            })
    return sorted(endpoints, key=lambda e: (e["tag"], e["path"]))


def build_docs_router(app: FastAPI) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/openapi.json")
    async def openapi_json() -> JSONResponse:
        return JSONResponse(openapi_document(app))

    @router.get("/docs", response_class=HTMLResponse)
    async def docs(request: Request) -> HTMLResponse:
        document = openapi_document(app)
        page = _templates.get_template("docs.html").render(
            title=document["info"]["title"], version=document["info"]["version"],
            description=document["info"].get("description", ""),
            endpoints=_endpoints(document), models=_models(document))
        return HTMLResponse(page)

    return router


__all__ = ["build_docs_router", "markdown", "markdown_inline", "openapi_document"]
