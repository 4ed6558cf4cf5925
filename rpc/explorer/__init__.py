"""The block explorer: static pages the gateway serves at ``/explorer/``.

Everything is in ``static/``: plain HTML, CSS and JavaScript modules, no build step and
nothing from elsewhere (charts are small SVG drawings of our own). The pages call the
gateway's JSON-RPC methods on the same origin and follow new blocks over its WebSocket.

Files are answered with ``Cache-Control: no-cache`` and a ``Last-Modified`` date: browsers
keep them but ask again each time (a 304 when unchanged), so an upgraded gateway never serves
a page with yesterday's modules. ``modules.json`` names the module accounts (treasury,
escrow, reserve) by address, so the pages can say "escrow" where a transfer pays into it.
"""

from __future__ import annotations

import json
from pathlib import Path

from aiohttp import web

from app.crypto import module_address, to_bech32

STATIC = Path(__file__).resolve().parent / "static"
PREFIX = "/explorer/"
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
}
HEADERS = {
    "Cache-Control": "no-cache",
    "X-Content-Type-Options": "nosniff",
    # Same origin only: the pages talk to this gateway (HTTP and WebSocket) and nothing else.
    "Content-Security-Policy": "default-src 'self'; connect-src 'self'; img-src 'self' data:; "
                               "base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
    "Referrer-Policy": "no-referrer",
}


# The keyless module accounts, named on the pages instead of shown as bare addresses.
MODULES = ("treasury", "escrow", "reserve")
MODULES_JSON = json.dumps({to_bech32(module_address(m)): m for m in MODULES})


def _file(rel: str) -> Path | None:
    """The static file for a request path, or None (unknown type, outside the folder)."""
    path = (STATIC / (rel or "index.html")).resolve()
    if not path.is_relative_to(STATIC) or not path.is_file():
        return None
    return path if path.suffix in CONTENT_TYPES else None


async def serve_file(request: web.Request) -> web.StreamResponse:
    path = _file(request.match_info["path"])
    if path is None:
        raise web.HTTPNotFound(text="not found", content_type="text/plain")
    headers = {**HEADERS, "Content-Type": CONTENT_TYPES[path.suffix]}
    return web.FileResponse(path, headers=headers)


async def modules(_: web.Request) -> web.Response:
    return web.Response(text=MODULES_JSON, content_type="application/json",
                        headers={"Cache-Control": "max-age=86400",
                                 "X-Content-Type-Options": "nosniff"})


async def redirect(_: web.Request) -> web.StreamResponse:
    raise web.HTTPPermanentRedirect(PREFIX)


def add_routes(app: web.Application) -> None:
    app.router.add_get("/explorer", redirect)
    app.router.add_get(PREFIX + "modules.json", modules)
    app.router.add_get(PREFIX + "{path:.*}", serve_file)


def url(gateway_url: str) -> str:
    """The explorer's address for a gateway's base URL."""
    return gateway_url.rstrip("/") + PREFIX
