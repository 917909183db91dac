"""Who may use the dashboard: the person who started it, from a page it served.

Listening on 127.0.0.1 is not enough: any web page the user visits can send requests to
localhost, and a DNS-rebinding page can do so under its own host name. So every request
goes through `Guard`, an ASGI middleware in front of Solara's app, which refuses:
- a `Host` header other than the address the server was started on (DNS rebinding);
- a websocket whose `Origin` is not that same address (a cross-site page driving it);
- any request without the session's token: the token is in the URL printed at start (as
  Jupyter does); the first request that carries it gets a cookie (HttpOnly, SameSite=Strict,
  so other sites' pages never send it) and is redirected to the page without it.
A refusal is HTTP 403 with one line saying why (a websocket is closed before it opens).
"""

from __future__ import annotations

import hmac
import secrets
from http.cookies import SimpleCookie
from urllib.parse import parse_qs

COOKIE = "schoolsim_token"
LOCAL_NAMES = ("127.0.0.1", "localhost", "[::1]")


def new_token() -> str:
    return secrets.token_urlsafe(24)


def allowed_hosts(host: str, port: int) -> set[str]:
    """The `Host` header values the page may be reached by."""
    names = set(LOCAL_NAMES) if host in ("127.0.0.1", "localhost", "::1") else {host}
    return {f"{name}:{port}" for name in names}


class Guard:
    def __init__(self, app, *, token: str, hosts: set[str]):
        self.app, self.token, self.hosts = app, token, hosts

    async def __call__(self, scope, receive, send):
        if scope["type"] not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1")
                   for k, v in scope.get("headers", [])}
        host = headers.get("host", "")
        if host not in self.hosts:
            return await refuse(scope, receive, send, f"Host {host!r} is not this dashboard's address")
        if scope["type"] == "websocket" and headers.get("origin") != f"http://{host}":
            return await refuse(scope, receive, send, "websocket from another site")
        if self._has_cookie(headers):
            return await self.app(scope, receive, send)
        if scope["type"] == "http" and self._has_token_in_url(scope):
            return await self._set_cookie(scope, send)
        return await refuse(scope, receive, send, "no session token; open the URL that "
                                         "schoolsim-dashboard printed when it started")

    def _has_cookie(self, headers: dict) -> bool:
        cookie = SimpleCookie(headers.get("cookie", ""))
        return COOKIE in cookie and hmac.compare_digest(cookie[COOKIE].value, self.token)

    def _has_token_in_url(self, scope) -> bool:
        given = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("token", [""])
        return hmac.compare_digest(given[0], self.token)

    async def _set_cookie(self, scope, send) -> None:
        """Remember the token in a cookie and send the browser to the page without it."""
        await send({"type": "http.response.start", "status": 303, "headers": [
            (b"location", scope.get("path", "/").encode("latin-1") or b"/"),
            (b"set-cookie", f"{COOKIE}={self.token}; HttpOnly; SameSite=Strict; "
                            "Path=/".encode("latin-1")),
            (b"content-length", b"0")]})
        await send({"type": "http.response.body", "body": b""})


async def refuse(scope, receive, send, why: str) -> None:
    if scope["type"] == "websocket":
        await receive()  # the connect event, answered with a close: HTTP 403, never opened
        await send({"type": "websocket.close", "code": 1008, "reason": why[:120]})
        return
    body = f"schoolsim dashboard: refused: {why}\n".encode()
    await send({"type": "http.response.start", "status": 403, "headers": [
        (b"content-type", b"text/plain; charset=utf-8"),
        (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
