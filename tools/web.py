"""`web_search` and `web_fetch`: the web through a pluggable backend.

A backend is anything with `search(query, k)` and `fetch(url)` (the WebBackend protocol):
a search API, a cache of pages, or the default HttpBackend, plain HTTP GETs with httpx,
which works whenever the machine is online and says so clearly when it is not. Pages come
back as text (HTML stripped, PDFs extracted), capped to the observation budget.
"""

from __future__ import annotations

import html
import io
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Protocol
from urllib.parse import parse_qs, quote_plus, urljoin, urlparse

import httpx

from agentkit.tools.tool import Tool

MAX_BYTES = 5 << 20
USER_AGENT = "agentkit/0.1 (+https://github.com/agentkit)"
DDG_HTML = "https://html.duckduckgo.com/html/?q={query}"


@dataclass(frozen=True)
class WebResult:
    title: str
    url: str
    snippet: str = ""


class WebBackend(Protocol):
    async def search(self, query: str, k: int) -> list[WebResult]: ...

    async def fetch(self, url: str) -> str: ...


class WebError(RuntimeError):
    """The web could not be reached, or a page could not be read (the message says which)."""


class HttpBackend:
    """Plain HTTP: `fetch` GETs a page; `search` GETs `search_url` ({query} filled in, by
    default DuckDuckGo's HTML page) and reads the result links off it."""

    def __init__(self, search_url: str = DDG_HTML, *, timeout_s: float = 15.0) -> None:
        self.search_url = search_url
        self.timeout_s = timeout_s

    async def search(self, query: str, k: int) -> list[WebResult]:
        url = self.search_url.format(query=quote_plus(query))
        body, _ = await self._get(url)
        return result_links(body.decode("utf-8", "replace"), url)[:k]

    async def fetch(self, url: str) -> str:
        if urlparse(url).scheme not in ("http", "https"):
            raise WebError(f"only http(s) URLs can be fetched, not {url!r}")
        body, kind = await self._get(url)
        if "pdf" in kind or body[:5] == b"%PDF-":
            from pypdf import PdfReader

            return "\n".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(body)).pages)
        text = body.decode("utf-8", "replace")
        return html_text(text) if "html" in kind or "<html" in text[:1000].lower() else text

    async def _get(self, url: str) -> tuple[bytes, str]:
        headers = {"User-Agent": USER_AGENT}
        try:
            async with (
                httpx.AsyncClient(
                    timeout=self.timeout_s, follow_redirects=True, headers=headers
                ) as client,
                client.stream("GET", url) as resp,
            ):
                body = bytearray()
                async for chunk in resp.aiter_bytes():
                    body += chunk
                    if len(body) > MAX_BYTES:
                        break
        except httpx.TimeoutException as exc:
            raise WebError(f"{_host(url)} did not answer within {self.timeout_s:g} s") from exc
        except httpx.TransportError as exc:
            raise WebError(f"cannot reach {_host(url)} (offline?): {exc}") from exc
        if resp.status_code >= 400:
            raise WebError(f"{url} answered HTTP {resp.status_code}")
        return bytes(body), resp.headers.get("content-type", "").lower()


def web_tools(
    backend: WebBackend | None = None, *, k: int = 5, max_tokens: int = 1500
) -> list[Tool]:
    """[web_search, web_fetch] over `backend` (default: HttpBackend())."""
    web = backend or HttpBackend()

    async def web_search(query: str) -> str:
        """Search the web.

        Args:
            query: keywords
        """
        hits = await web.search(query, k)
        if not hits:
            return "No results; try other keywords."
        return "\n".join(
            f"{h.title} <{h.url}>" + (f": {h.snippet}" if h.snippet else "") for h in hits
        )

    async def web_fetch(url: str) -> str:
        """Read a web page as text.

        Args:
            url: the page's http(s) URL
        """
        text = await web.fetch(url.strip().strip("<>"))
        return text if text.strip() else f"{url} has no text"

    return [
        Tool(web_search, description="search the web: titles, URLs and snippets", max_tokens=600),
        Tool(web_fetch, description="read a web page (or PDF) as text", max_tokens=max_tokens),
    ]


def _host(url: str) -> str:
    return urlparse(url).netloc or url


_SKIP = {"script", "style", "noscript", "template", "svg", "head"}
_BLOCK = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "section"}


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0
        self.links: list[tuple[str, str]] = []
        self._href: str | None = None
        self._anchor: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self.skip += 1
        elif tag in _BLOCK:
            self.parts.append("\n")
        if tag == "a":
            self._href, self._anchor = dict(attrs).get("href"), []

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skip = max(0, self.skip - 1)
        elif tag in _BLOCK:
            self.parts.append("\n")
        if tag == "a" and self._href:
            self.links.append((self._href, " ".join("".join(self._anchor).split())))
            self._href = None

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)
            if self._href is not None:
                self._anchor.append(data)


def html_text(page: str) -> str:
    """Visible text of an HTML page, one block per line."""
    parser = _Text()
    parser.feed(page)
    lines = (" ".join(line.split()) for line in "".join(parser.parts).splitlines())
    return "\n".join(line for line in lines if line)


def result_links(page: str, base: str) -> list[WebResult]:
    """Outbound links of a results page, in order, deduplicated (redirect links such as
    DuckDuckGo's /l/?uddg=... are unwrapped)."""
    parser = _Text()
    parser.feed(page)
    own = urlparse(base).netloc
    seen: set[str] = set()
    out = []
    for href, title in parser.links:
        url = urljoin(base, html.unescape(href))
        target = parse_qs(urlparse(url).query).get("uddg")
        url = target[0] if target else url
        parsed = urlparse(url)
        if parsed.scheme not in ("http", "https") or parsed.netloc == own or not title:
            continue
        if url not in seen:
            seen.add(url)
            out.append(WebResult(title=title, url=url))
    return out
