"""The web tools over a local HTTP server (no internet), and their errors when offline."""

import asyncio
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from agentkit.tools.web import HttpBackend, WebResult, html_text, web_tools

PAGES = {
    "/article": ("text/html", b"<html><head><title>t</title><script>var x=1;</script></head>"
                 b"<body><h1>Kestrel</h1><p>The kestrel hovers.</p><p>Wings: 70 cm.</p>"
                 b"</body></html>"),
    "/plain": ("text/plain", b"just text"),
    "/search": ("text/html", b"<html><body>"
                b"<a href='/about'>About this engine</a>"
                b"<a class='result__a' href='//duck.example/l/?uddg=http%3A%2F%2Flocalhost%3A{port}"
                b"%2Farticle&rut=x'>Kestrel facts</a>"
                b"<a href='http://localhost:{port}/plain'>Plain page</a>"
                b"<a href='http://localhost:{port}/plain'>Plain page again</a></body></html>"),
}  # fmt: skip


@pytest.fixture(scope="module")
def server():
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            path = self.path.split("?")[0]
            if path not in PAGES:
                self.send_error(404)
                return
            kind, body = PAGES[path]
            body = body.replace(b"{port}", str(self.server.server_port).encode())
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()


def tools_for(base, **kw):
    search, fetch = web_tools(HttpBackend(f"{base}/search?q={{query}}", **kw))
    return search, fetch


def test_fetch_html_and_text(server):
    _, fetch = tools_for(server)
    obs = asyncio.run(fetch(f"{server}/article"))
    assert obs.ok and obs.text == "Kestrel\nThe kestrel hovers.\nWings: 70 cm."
    assert asyncio.run(fetch(f"<{server}/plain>")).text == "just text"


def test_search_reads_result_links(server):
    search, _ = tools_for(server)
    obs = asyncio.run(search("kestrel wings"))
    port = server.rsplit(":", 1)[1]
    assert obs.text.splitlines() == [
        f"Kestrel facts <http://localhost:{port}/article>",
        f"Plain page <http://localhost:{port}/plain>",
    ]


def test_errors_are_clear(server):
    _, fetch = tools_for(server)
    assert "HTTP 404" in asyncio.run(fetch(f"{server}/missing")).text
    assert "only http(s)" in asyncio.run(fetch("file:///etc/passwd")).text
    with socket.socket() as s:  # a port nothing listens on: what offline looks like
        s.bind(("127.0.0.1", 0))
        dead = s.getsockname()[1]
    obs = asyncio.run(fetch(f"http://127.0.0.1:{dead}/x"))
    assert not obs.ok and "cannot reach 127.0.0.1" in obs.text and "offline" in obs.text


def test_timeout(server):
    with socket.socket() as s:  # accepts the connection, never answers
        s.bind(("127.0.0.1", 0))
        s.listen()
        _, fetch = web_tools(HttpBackend(timeout_s=0.3))
        obs = asyncio.run(fetch(f"http://127.0.0.1:{s.getsockname()[1]}/"))
    assert not obs.ok and "did not answer within 0.3 s" in obs.text


def test_pluggable_backend():
    class Canned:
        async def search(self, query, k):
            return [WebResult("A", "http://a", "snippet")][:k]

        async def fetch(self, url):
            return f"page {url}"

    search, fetch = web_tools(Canned())
    assert asyncio.run(search("q")).text == "A <http://a>: snippet"
    assert asyncio.run(fetch("http://b")).text == "page http://b"


def test_html_text_skips_scripts():
    assert html_text("<div>a<style>x{}</style><p>b &amp; c</p></div>") == "a\nb & c"
