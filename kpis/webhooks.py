"""Sending one webhook request: the signature, the address check, the HTTP request itself.

No Django here: callers pass `allow_private` (settings.WEBHOOKS_ALLOW_PRIVATE).

A webhook is a request from the server to an address an admin typed, so it must not reach
the server's own neighbourhood (DESIGN.md §8): only http(s) URLs, https unless private
addresses are allowed, and every address the host name resolves to must be public. The
name is resolved at each delivery and the connection goes to the address that was checked,
so a name that later resolves to 127.0.0.1 is refused rather than followed. Redirects are
not followed, timeouts are short and at most `MAX_RESPONSE_BYTES` of the answer are read.

Signature: the header `Bearing-Signature: t=<unix time>,v1=<hex HMAC-SHA256>` where the
HMAC, keyed with the webhook's secret, is over `"<unix time>." + body` (README: Webhooks).
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import ipaddress
import secrets
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

SIGNATURE_HEADER = "Bearing-Signature"
CONNECT_TIMEOUT = 5.0  # seconds, for connecting and for each read
MAX_RESPONSE_BYTES = 64 * 1024
USER_AGENT = "Bearing-Webhooks/1"


class WebhookRefused(ValueError):
    """The address may not be called; the message says why, in plain words."""


def new_secret() -> str:
    return secrets.token_hex(32)


def signature(*, secret: str, timestamp: int, body: bytes) -> str:
    """The signature header's value for this body sent at this time."""
    digest = hmac.new(
        secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256
    ).hexdigest()
    return f"t={timestamp},v1={digest}"


def url_refusal(url: str, *, allow_private: bool) -> str | None:
    """Why the URL may not be a webhook's address (scheme, host and a literal IP checked,
    no name resolved), or None."""
    try:
        parts = urlsplit(url)
        _port(parts)  # a port that is not a number raises ValueError
    except ValueError:
        return "Enter a valid web address."
    if parts.scheme not in {"http", "https"}:
        return "A webhook's address must start with https://."
    if parts.scheme == "http" and not allow_private:
        return "A webhook's address must use https://, not http://."
    if not parts.hostname:
        return "Enter a valid web address with a host name."
    if parts.username or parts.password:
        return "A webhook's address may not contain a user name or password."
    try:
        literal = ipaddress.ip_address(parts.hostname)
    except ValueError:
        if parts.hostname.lower() == "localhost" and not allow_private:
            return _PRIVATE
        return None
    return None if allow_private or _is_public(literal) else _PRIVATE


_PRIVATE = (
    "A webhook may not call a loopback, private or link-local address; "
    "use the receiver's public address."
)


def _is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


def resolve(url: str, *, allow_private: bool) -> str:
    """The address to connect to for the URL, checked now; WebhookRefused when the URL or any
    address its host resolves to may not be called."""
    refusal = url_refusal(url, allow_private=allow_private)
    if refusal is not None:
        raise WebhookRefused(refusal)
    parts = urlsplit(url)
    try:
        found = socket.getaddrinfo(parts.hostname, _port(parts), type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise WebhookRefused(f"The host {parts.hostname} could not be resolved.") from error
    addresses = [str(info[4][0]) for info in found]
    if not allow_private and not all(_is_public(ipaddress.ip_address(a)) for a in addresses):
        raise WebhookRefused(_PRIVATE)
    return addresses[0]


def _port(parts: SplitResult) -> int:
    return parts.port or (443 if parts.scheme == "https" else 80)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to an address already checked, verifying the certificate for the host name."""

    def __init__(self, host: str, port: int, *, address: str, timeout: float) -> None:
        self._tls = ssl.create_default_context()
        super().__init__(host, port, timeout=timeout, context=self._tls)
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._tls.wrap_socket(sock, server_hostname=self.host)


@dataclass(frozen=True)
class Response:
    status: int

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


def post(*, url: str, body: bytes, headers: dict[str, str], allow_private: bool) -> Response:
    """POST the body to the URL once, at the address resolved and checked now.

    Raises WebhookRefused for an address that may not be called and OSError (timeouts
    included) or http.client.HTTPException when the receiver cannot be reached or answers
    nonsense. A redirect is an answer like any other: its status is returned, not followed.
    """
    address = resolve(url, allow_private=allow_private)
    parts = urlsplit(url)
    hostname = parts.hostname or ""  # resolve() refused a URL without one
    port = _port(parts)
    connection: http.client.HTTPConnection
    if parts.scheme == "https":
        connection = _PinnedHTTPSConnection(
            hostname, port, address=address, timeout=CONNECT_TIMEOUT
        )
    else:
        connection = http.client.HTTPConnection(address, port, timeout=CONNECT_TIMEOUT)
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    host = hostname if parts.port is None else f"{hostname}:{parts.port}"
    try:
        connection.request(
            "POST",
            path,
            body=body,
            headers={
                "Host": host,
                "User-Agent": USER_AGENT,
                "Content-Type": "application/json",
                **headers,
            },
        )
        answer = connection.getresponse()
        answer.read(MAX_RESPONSE_BYTES)  # bounded: the rest is dropped with the connection
        return Response(status=answer.status)
    finally:
        connection.close()
