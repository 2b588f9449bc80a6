"""The HTTP client every remote importer shares (GitHub, GitLab, PagerDuty).

One place decides how brag talks to a web API, so each importer only says
what to fetch:

- timeouts on every request; 5xx answers, timeouts and dropped connections are
  retried with exponential backoff;
- rate limits (403/429 with ``Retry-After``, or ``X-RateLimit-Remaining: 0``
  with ``X-RateLimit-Reset``): a short wait is waited out (and said on the
  progress line); a long one stops the import with the time to come back;
- pagination by ``Link: <…>; rel="next"``, GitLab's ``X-Next-Page``, and
  PagerDuty's ``offset``/``limit``/``more``;
- a body that is not the JSON the API promises, a 401, a 404: one clear
  :class:`~brag.errors.ImportSourceError` line, raised before the runner has
  committed anything;
- the token goes only into the request header: every message that leaves this
  module has it masked, and pagination links pointing at another host are
  refused so the token is never sent anywhere the user did not name;
- :func:`check_api_url` decides where a token may go at all: the service's
  default host, a host this machine approved (``approved_hosts`` in the
  machine settings, never synced), or one named with ``--api-url`` on the
  command line for that run; https except on loopback. A host named only in
  the journal's ``brag.toml`` (a synced, untrusted file) is refused until
  approved.

httpx is imported when the first client is created, never at ``brag`` start-up.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import os
import random
import re
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

from . import secrets as _secrets
from .errors import ImportSourceError
from .secrets import mask as redact_url_credentials

if TYPE_CHECKING:
    import httpx

    from .importing import Progress

# Waits up to this many seconds for a rate limit to reset before giving up;
# ``max_wait`` in an importer's brag.toml section or BRAG_HTTP_MAX_WAIT override it.
DEFAULT_MAX_WAIT = 60.0
# First retry delay for a 5xx or a timeout; doubles each time (BRAG_HTTP_BACKOFF).
DEFAULT_BACKOFF = 1.0
DEFAULT_RETRIES = 4
# A rate-limit answer that does not say how long to wait.
UNSPECIFIED_RATE_LIMIT_WAIT = 60.0
# A server that keeps answering "wait" is not waited on forever.
MAX_RATE_LIMIT_WAITS = 10
DEFAULT_TIMEOUT = 30.0
USER_AGENT = "brag-journal (+https://pypi.org/project/brag-journal/)"

_MASK = "***"


class HttpError(ImportSourceError):
    """A remote API could not be used; the message is already safe to show."""


class RateLimited(HttpError):
    """The API asked us to wait longer than the configured maximum."""


class AuthError(HttpError):
    """The API rejected the token (401)."""


@dataclass
class Response:
    status: int
    url: str
    headers: Mapping[str, str]
    data: Any
    links: dict[str, str]


def env_float(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return max(0.0, float(raw))
    except ValueError:
        raise HttpError(f"{name}={raw!r} is not a number of seconds") from None


def _short(seconds: float) -> str:
    seconds = int(round(seconds))
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} min"
    return f"{seconds // 3600} h {seconds % 3600 // 60} min"


def pause(seconds: float) -> None:
    """How a :class:`Client` waits unless given its own ``sleep``: really."""
    time.sleep(seconds)


class Client:
    """A small JSON-over-HTTPS client bound to one API root and one token.

    ``service`` names the API in messages ("GitHub"); ``token_hint`` tells the
    user where the token came from and how to replace it (for a 401).
    """

    def __init__(
        self,
        base_url: str,
        *,
        service: str,
        headers: Mapping[str, str] | None = None,
        secrets: tuple[str, ...] = (),
        token_hint: str = "",
        progress: Progress | None = None,
        max_wait: float | None = None,
        backoff: float | None = None,
        retries: int = DEFAULT_RETRIES,
        timeout: float = DEFAULT_TIMEOUT,
        sleep: Callable[[float], None] | None = None,
        clock: Callable[[], float] | None = None,
    ):
        import httpx

        from .importing import Progress

        self.base_url = base_url.rstrip("/") + "/"
        parts = urlsplit(self.base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise HttpError(
                f"{service}: api_url {redact_url_credentials(base_url)!r} is not an http(s) URL"
            )
        self.origin = _origin(self.base_url)
        self.service = service
        self.secrets = tuple(s for s in secrets if s)
        for secret in self.secrets:  # masked in every message brag prints, not only ours
            _secrets.register(secret)
        self.token_hint = token_hint
        self.progress = progress or Progress()
        self.max_wait = (
            max_wait if max_wait is not None else env_float("BRAG_HTTP_MAX_WAIT", DEFAULT_MAX_WAIT)
        )
        self.backoff = (
            backoff if backoff is not None else env_float("BRAG_HTTP_BACKOFF", DEFAULT_BACKOFF)
        )
        self.retries = retries
        # Injected in tests, which then assert the waits asked for instead of waiting.
        self.sleep = sleep if sleep is not None else pause
        self.clock = clock if clock is not None else time.time
        self.requests = 0
        self._http = httpx.Client(
            headers={"User-Agent": USER_AGENT, "Accept": "application/json", **(headers or {})},
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            # httpx drops the Authorization header on a redirect to another origin.
            follow_redirects=True,
        )

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    # -- safety -------------------------------------------------------------------

    def redact(self, text: str) -> str:
        """``text`` with every secret and any ``user:pass@`` in a URL masked."""
        for secret in self.secrets:
            text = text.replace(secret, _MASK)
        return redact_url_credentials(text)

    def fail(self, message: str, cls: type[HttpError] = HttpError) -> HttpError:
        return cls(self.redact(f"{self.service}: {message}"))

    def _display(self, url: str) -> str:
        """A URL short enough for a message: path and query, no host."""
        parts = urlsplit(url)
        shown = parts.path + (f"?{parts.query}" if parts.query else "")
        return self.redact(shown if len(shown) <= 160 else shown[:159] + "…")

    def url_for(self, path_or_url: str) -> str:
        if re.match(r"^[a-z][a-z0-9+.-]*://", path_or_url, re.IGNORECASE):
            return path_or_url
        return urljoin(self.base_url, path_or_url.lstrip("/"))

    def _check_same_origin(self, url: str) -> None:
        parts = urlsplit(url)
        if _origin(url) != self.origin:
            raise self.fail(
                f"refusing to follow a link to {parts.scheme}://{parts.hostname}: it is not "
                "the API you configured, and the token must not be sent there"
            )

    # -- requests -----------------------------------------------------------------

    def get(self, path_or_url: str, params: Mapping[str, Any] | None = None) -> Response:
        """GET and decode JSON, with retries, rate-limit waits and clear errors."""
        import httpx

        url = self.url_for(path_or_url)
        self._check_same_origin(url)
        shown = self._display(str(httpx.URL(url, params=params)) if params else url)
        attempt = 0
        waits = 0
        while True:
            attempt += 1
            try:
                self.requests += 1
                reply = self._http.get(url, params=params)
            except httpx.TimeoutException:
                problem = "timed out"
            except httpx.TransportError as exc:
                problem = f"connection failed ({type(exc).__name__})"
            else:
                problem = ""
                wait = self._rate_limit_wait(reply)
                if wait is not None:
                    waits += 1
                    if waits > MAX_RATE_LIMIT_WAITS:
                        raise self.fail(
                            f"still rate limited after {MAX_RATE_LIMIT_WAITS} waits; nothing "
                            "was imported, try again later",
                            RateLimited,
                        )
                    self._wait_for_rate_limit(wait, reply)
                    attempt -= 1  # a rate-limit wait is not a failed attempt
                    continue
                if reply.status_code >= 500 or reply.status_code == 429:
                    problem = f"answered HTTP {reply.status_code}"
                else:
                    return self._decode(reply)
            if attempt > self.retries:
                raise self.fail(
                    f"{shown} {problem}, {attempt} attempts; nothing was imported, try again later"
                )
            delay = self.backoff * 2 ** (attempt - 1)
            delay += random.uniform(0, delay / 4)
            self.progress.log(
                self.redact(f"{self.service}: {shown} {problem}; retrying in {delay:.1f} s")
            )
            self.sleep(delay)

    def _rate_limit_wait(self, reply: httpx.Response) -> float | None:
        """Seconds to wait if ``reply`` is a rate-limit answer, else None."""
        if reply.status_code not in (403, 429):
            return None
        headers = reply.headers
        retry_after = headers.get("retry-after")
        if retry_after is not None:
            seconds = _parse_retry_after(retry_after, self.clock())
            if seconds is not None:
                return seconds
        remaining = headers.get("x-ratelimit-remaining", headers.get("ratelimit-remaining"))
        reset = headers.get("x-ratelimit-reset", headers.get("ratelimit-reset"))
        if remaining is not None and remaining.strip() == "0" and reset is not None:
            try:
                value = float(reset)
            except ValueError:
                return None
            # GitHub and GitLab send an epoch time; small numbers are seconds from now.
            if value > 1_000_000_000:
                return max(0.0, value - self.clock()) + 1.0
            return max(0.0, value)
        if "rate limit" in _error_detail(reply).lower():
            # GitHub: a secondary rate limit without headers means "wait at least a minute".
            return UNSPECIFIED_RATE_LIMIT_WAIT
        return None

    def _wait_for_rate_limit(self, seconds: float, reply: httpx.Response) -> None:
        if seconds > self.max_wait:
            until = dt.datetime.fromtimestamp(self.clock() + seconds, dt.UTC)
            raise self.fail(
                f"rate limit reached (HTTP {reply.status_code}); it resets in {_short(seconds)} "
                f"(at {until:%H:%M} UTC). Nothing was imported; run the import again then "
                f"(or raise max_wait, now {_short(self.max_wait)})",
                RateLimited,
            )
        self.progress.log(
            f"{self.service}: rate limited (HTTP {reply.status_code}); waiting {_short(seconds)}"
        )
        self.sleep(seconds)

    def _decode(self, reply: httpx.Response) -> Response:
        url = str(reply.url)
        status = reply.status_code
        if status == 401:
            hint = f"; {self.token_hint}" if self.token_hint else ""
            raise self.fail(
                f"the token was rejected (HTTP 401): token revoked or invalid{hint}", AuthError
            )
        if status >= 400:
            detail = _error_detail(reply)
            what = {403: "access denied", 404: "not found"}.get(status, "request refused")
            suffix = f": {detail}" if detail else ""
            raise self.fail(f"{what} (HTTP {status}) for {self._display(url)}{suffix}")
        if status == 204 or not reply.content:
            data: Any = None
        else:
            try:
                data = reply.json()
            except ValueError:
                raise self.fail(
                    f"{self._display(url)} answered HTTP {status} with a body that is not "
                    "valid JSON; nothing was imported"
                ) from None
        links = {}
        for rel, link in reply.links.items():
            target = link.get("url")
            if isinstance(rel, str) and target:
                links[rel] = urljoin(url, target)
        return Response(status=status, url=url, headers=reply.headers, data=data, links=links)

    def malformed(self, response: Response, what: str) -> HttpError:
        """The error for a JSON body whose shape is not what the API documents."""
        return self.fail(
            f"{self._display(response.url)} answered with unexpected JSON ({what}); "
            "nothing was imported"
        )

    # -- pagination -------------------------------------------------------------

    def pages(
        self,
        path: str,
        params: Mapping[str, Any] | None = None,
        *,
        gitlab_next_page: bool = False,
        first: Response | None = None,
    ) -> Iterator[Response]:
        """Every page of a list, following ``Link: rel="next"`` (and, for GitLab,
        ``X-Next-Page``) until there is none. ``first`` is the first page when the
        caller already fetched it."""
        response = first or self.get(path, params)
        seen: set[str] = {response.url}
        while True:
            yield response
            next_url = response.links.get("next")
            if not next_url and gitlab_next_page:
                page = (response.headers.get("x-next-page") or "").strip()
                if page:
                    if not page.isdigit():
                        raise self.malformed(response, f"X-Next-Page is {page!r}")
                    next_url = self._with_page(response.url, page)
            if not next_url:
                return
            if next_url in seen:
                raise self.malformed(response, "the next page link points to a page already read")
            seen.add(next_url)
            response = self.get(next_url)

    def _with_page(self, url: str, page: str) -> str:
        import httpx

        return str(httpx.URL(url).copy_set_param("page", page))

    def offset_pages(
        self,
        path: str,
        key: str,
        params: Mapping[str, Any] | None = None,
        *,
        limit: int = 100,
    ) -> Iterator[list[Any]]:
        """PagerDuty-style pages: ``offset``/``limit`` until ``more`` is false.

        A page that says ``more: true`` but holds no items ends the listing
        (with a note): asking again would only loop forever.
        """
        offset = 0
        while True:
            response = self.get(path, {**(params or {}), "offset": offset, "limit": limit})
            data = response.data
            if not isinstance(data, dict) or not isinstance(data.get(key), list):
                raise self.malformed(response, f"no '{key}' list")
            items = data[key]
            yield items
            more = data.get("more")
            if not more:
                return
            if not items:
                self.progress.log(
                    f"{self.service}: {self._display(response.url)} said there were more "
                    f"results but sent none; stopping there"
                )
                return
            offset += len(items)


LOOPBACK_NAMES = ("localhost",)


def is_loopback(host: str) -> bool:
    """127.0.0.0/8, ::1 or localhost: this machine, where plain http is acceptable."""
    import ipaddress

    host = host.strip("[]").lower().rstrip(".")
    if host in LOOPBACK_NAMES or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_api_url(
    url: str,
    *,
    service: str,
    default_url: str,
    approved: list[str] | tuple[str, ...] = (),
    from_command_line: bool = False,
    setting: str = "api_url",
) -> str:
    """``url`` (stripped) when a token may be sent there; else one clear HttpError.

    Allowed: the host of ``default_url``; a host in ``approved`` (``host`` or
    ``host:port``); any host when ``from_command_line`` (the user typed it for
    this run). Refused: a URL that does not parse, that carries credentials, a
    plain-http URL to anything but loopback, and a host named only in brag.toml
    (``setting``) that this machine has not approved, loopback included.
    """
    from .links import has_credentials

    text = url.strip()
    shown = redact_url_credentials(text)
    try:
        parts = urlsplit(text)
        port = parts.port
        host = (parts.hostname or "").lower()
    except ValueError as exc:
        raise HttpError(f"{service}: {setting} {shown!r} is not a valid URL ({exc})") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not host:
        raise HttpError(f"{service}: {setting} {shown!r} is not an http(s) URL")
    if has_credentials(text):
        raise HttpError(
            f"{service}: {setting} {shown!r} holds a user name or password: remove it; "
            "the token comes from the environment"
        )
    if scheme == "http" and not is_loopback(host):
        raise HttpError(
            f"{service}: {setting} {shown!r} uses plain http: the token would cross the "
            "network unencrypted; use https"
        )
    default_host = (urlsplit(default_url).hostname or "").lower()
    if from_command_line or host == default_host:
        return text
    bracketed = f"[{host}]" if ":" in host else host
    names = {host, bracketed}
    if port is not None:
        names |= {f"{host}:{port}", f"{bracketed}:{port}"}
    if names & {_approved_name(a) for a in approved}:
        return text
    raise HttpError(
        f"{service}: brag.toml sends your token to {bracketed}, which this machine has not "
        f"approved; if you trust it, run: brag config --machine approved_hosts {bracketed} "
        "(or pass --api-url for one run)"
    )


def _approved_name(entry: object) -> str:
    """An ``approved_hosts`` item as ``host`` or ``host:port`` (a full URL is accepted)."""
    text = str(entry).strip().lower()
    if "://" in text:
        text = urlsplit(text).netloc.rpartition("@")[2]
    return text.rstrip("/")


def _origin(url: str) -> tuple[str, str, int]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    return scheme, parts.hostname or "", port or (443 if scheme == "https" else 80)


def _parse_retry_after(value: str, now: float) -> float | None:
    value = value.strip()
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, when.timestamp() - now)


def _error_detail(reply: httpx.Response) -> str:
    """The API's own one-line explanation of an error, if it gave one."""
    try:
        data = reply.json()
    except ValueError:
        return ""
    message: Any = None
    if isinstance(data, dict):
        message = data.get("message")
        error = data.get("error")
        if message is None and isinstance(error, dict):
            message = error.get("message")
            errors = error.get("errors")
            if isinstance(errors, list) and errors:
                message = f"{message}: {'; '.join(map(str, errors))}"
        elif message is None and isinstance(error, str):
            message = error
        if isinstance(message, dict):  # GitLab validation errors
            message = "; ".join(f"{k} {v}" for k, v in message.items())
        details = data.get("errors")  # GitHub: "Validation Failed" + the reasons
        if isinstance(message, str) and isinstance(details, list):
            reasons = [
                d["message"]
                for d in details
                if isinstance(d, dict) and isinstance(d.get("message"), str)
            ]
            if reasons:
                message = f"{message}: {'; '.join(reasons)}"
    if not isinstance(message, str):
        return ""
    flat = " ".join(message.split())
    return flat if len(flat) <= 200 else flat[:199] + "…"
