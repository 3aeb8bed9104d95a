"""An OpenAI-compatible server on loopback that misbehaves on purpose.

    with FaultServer("drip").running() as url:
        llm = LLM(url, "m", timeout_s=1)   # must end within ~1 s, with a typed error

Each mode breaks one promise a server makes (see FAULT_MODES); "ok" keeps them all, so a
test can check that a client survives every mode and still works against a good server.
`token_s` makes it a latency-simulating endpoint: each answer takes that long per completion
token, `slots` answers at a time, and a request whose client goes away meanwhile is dropped
uncounted (as vLLM aborts it). `kill()` is a crash: the port closes, open connections break.
Replies are served by hand over asyncio streams, so a body can be cut, dripped or left
hanging exactly where a real failure would leave it. Loopback only: it binds 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import threading
from collections.abc import Iterator
from typing import Any

FAULT_MODES = {
    "ok": "a correct reply, with usage",
    "dead": "nothing listens on the port",
    "hang": "reads the request and never answers",
    "drip": "sends one byte of the body every 0.4 s, forever",
    "status_5xx": "answers 503 twice, then correctly",
    "status_4xx": "answers 400 with an error message",
    "cut_body": "promises a body and closes the connection halfway",
    "invalid_json": "200 with a body that is not JSON",
    "invalid_utf8": "200 with a body that is not UTF-8",
    "no_choices": "200 with an empty choices list",
    "null_message": "200 with message: null",
    "no_usage": "a correct reply without a usage block",
    "negative_usage": "a correct reply whose usage counts are negative",
    "float_usage": "a correct reply whose usage counts are not integers",
    "dropped_stream": "a stream that breaks after a few tokens once, then works",
}


class FaultServer:
    """Serves `mode` (one of FAULT_MODES) to every request; `requests` counts them."""

    def __init__(
        self,
        mode: str,
        *,
        model: str = "m",
        reply: str = "Paris is the capital",
        token_s: float = 0.0,
        slots: int | None = None,
    ) -> None:
        """`token_s`: seconds each completion token takes; `slots`: answers generated at once
        (None: any number), the rest wait their turn."""
        if mode not in FAULT_MODES:
            raise ValueError(f"unknown fault mode {mode!r}; modes: {', '.join(FAULT_MODES)}")
        self.mode = mode
        self.model = model
        self.reply = reply
        self.token_s = token_s
        self.slots = slots
        self.killed = False
        self.url = ""
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.Server | None = None
        self._open: set[asyncio.StreamWriter] = set()
        self._slots: asyncio.Semaphore | None = None
        self.requests = 0
        self.completions = 0  # chat requests answered in full (what a ledger may count)
        self.usage_sent = [0, 0]  # prompt, completion tokens reported in full answers
        self._failures_left = {"status_5xx": 2, "dropped_stream": 1}.get(mode, 0)
        self._stop: asyncio.Event | None = None

    # -- running --------------------------------------------------------------------------
    @contextlib.contextmanager
    def running(self, port: int = 0) -> Iterator[str]:
        """Serve from a background thread (on `port`, default a free one); yields the base
        URL. A killed server can be run again on its old port: it comes back."""
        if self.mode == "dead":
            yield f"http://127.0.0.1:{_closed_port()}"
            return
        ready = threading.Event()
        loop = asyncio.new_event_loop()
        bound: list[int] = []
        self.killed = False

        async def main() -> None:
            self._stop = asyncio.Event()
            self._slots = asyncio.Semaphore(self.slots) if self.slots else None
            server = await asyncio.start_server(self._handle, "127.0.0.1", port)
            self._server = server
            bound.append(server.sockets[0].getsockname()[1])
            ready.set()
            async with server:
                await self._stop.wait()

        thread = threading.Thread(target=loop.run_until_complete, args=(main(),), daemon=True)
        self._loop = loop
        thread.start()
        ready.wait(10)
        self.url = f"http://127.0.0.1:{bound[0]}"
        try:
            yield self.url
        finally:
            if self._stop is not None:
                loop.call_soon_threadsafe(self._stop.set)
            thread.join(10)

    def kill(self) -> None:
        """Crash: stop listening and break every open connection; nothing more is counted."""
        done = threading.Event()

        def crash() -> None:
            self.killed = True
            if self._server is not None:
                self._server.close()
            for writer in list(self._open):
                writer.transport.abort()
            done.set()

        if self._loop is not None:
            self._loop.call_soon_threadsafe(crash)
            done.wait(10)

    # -- one connection -------------------------------------------------------------------
    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._open.add(writer)
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            path = lines[0].split(" ")[1]
            length = next(
                (int(h.split(":")[1]) for h in lines if h.lower().startswith("content-length")),
                0,
            )
            body = json.loads(await reader.readexactly(length)) if length else {}
            self.requests += 1
            if path.endswith("/models"):
                models = {"data": [{"id": self.model, "max_model_len": 4096}]}
                await _send(writer, 200, json.dumps(models).encode())
            elif await self._generate(reader):
                await self._chat(writer, body)
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
            pass
        finally:
            self._open.discard(writer)
            with contextlib.suppress(Exception):
                writer.close()

    async def _generate(self, reader: asyncio.StreamReader) -> bool:
        """Take `token_s` per reply token in a slot; False when the client left meanwhile
        (or the server was killed), so the request is dropped and not counted."""
        if self.token_s <= 0:
            return not self.killed
        async with self._slots or contextlib.nullcontext():
            gone = asyncio.ensure_future(reader.read(1))  # b"" when the client closes
            try:
                finished, _ = await asyncio.wait({gone}, timeout=self.token_s * self._tokens())
            finally:
                gone.cancel()
        return not finished and not self.killed

    def _tokens(self) -> int:
        return len(self.reply.split())

    async def _chat(self, writer: asyncio.StreamWriter, body: dict[str, Any]) -> None:
        mode = self.mode
        if mode == "hang":
            await asyncio.sleep(3600)
        if mode == "drip":
            return await _drip(writer)
        if mode == "status_4xx":
            return await _send(writer, 400, b'{"error": {"message": "bad request (on purpose)"}}')
        if mode == "status_5xx" and self._failures_left > 0:
            self._failures_left -= 1
            return await _send(writer, 503, b'{"error": {"message": "busy (on purpose)"}}')
        prompt = sum(len(m.get("content", "").split()) + 4 for m in body.get("messages", []))
        usage: dict[str, Any] | None = {
            "prompt_tokens": prompt,
            "completion_tokens": self._tokens(),
        }
        if mode == "no_usage":
            usage = None
        elif mode == "negative_usage":
            usage = {"prompt_tokens": -prompt, "completion_tokens": -5}
        elif mode == "float_usage":
            usage = {"prompt_tokens": prompt + 0.5, "completion_tokens": "many"}
        if body.get("stream"):
            return await self._stream(writer, usage)
        message: Any = {"role": "assistant", "content": self.reply}
        payload: dict[str, Any] = {"choices": [{"message": message, "finish_reason": "stop"}]}
        if mode == "no_choices":
            payload["choices"] = []
        if mode == "null_message":
            payload["choices"][0]["message"] = None
        if usage is not None:
            payload["usage"] = usage
        data = json.dumps(payload).encode()
        if mode == "invalid_json":
            data = data[: len(data) // 2]
        elif mode == "invalid_utf8":
            data = data.replace(b"Paris", b"Pa\xff\xferis")
        if mode == "cut_body":
            return await _send(writer, 200, data, cut=True)
        self._count(usage)
        await _send(writer, 200, data)

    async def _stream(self, writer: asyncio.StreamWriter, usage: dict[str, Any] | None) -> None:
        mode = self.mode
        writer.write(b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n")
        writer.write(b"connection: close\r\n\r\n")
        events: list[bytes] = []
        for i, word in enumerate(self.reply.split(" ")):
            delta: Any = {"content": word if i == 0 else " " + word}
            choices: list[Any] = [{"index": 0, "delta": delta, "finish_reason": None}]
            if mode == "null_message":
                choices[0]["delta"] = None
            events.append(json.dumps({"choices": [] if mode == "no_choices" else choices}).encode())
        if mode not in ("no_choices", "null_message"):
            end = {"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
            events.append(json.dumps(end).encode())
        if usage is not None:
            events.append(json.dumps({"choices": [], "usage": usage}).encode())
        if mode == "invalid_json":
            events[1] = events[1][:10]
        elif mode == "invalid_utf8":
            events[0] = events[0].replace(b"Paris", b"Pa\xff\xferis")
        breaks = mode == "cut_body" or (mode == "dropped_stream" and self._failures_left > 0)
        for i, event in enumerate(events):
            if breaks and i == 2:
                self._failures_left -= 1
                writer.transport.abort()  # the connection breaks mid-answer
                return
            writer.write(b"data: " + event + b"\n\n")
            await writer.drain()
        writer.write(b"data: [DONE]\n\n")
        await writer.drain()
        self._count(usage)

    def _count(self, usage: dict[str, Any] | None) -> None:
        self.completions += 1
        if usage is not None and all(isinstance(v, int) and v >= 0 for v in usage.values()):
            self.usage_sent[0] += usage["prompt_tokens"]
            self.usage_sent[1] += usage["completion_tokens"]


async def _send(writer: asyncio.StreamWriter, status: int, data: bytes, cut: bool = False) -> None:
    head = f"HTTP/1.1 {status} X\r\ncontent-type: application/json\r\n"
    writer.write(f"{head}content-length: {len(data)}\r\nconnection: close\r\n\r\n".encode())
    writer.write(data[: len(data) // 2] if cut else data)
    await writer.drain()
    if cut:
        writer.transport.abort()


async def _drip(writer: asyncio.StreamWriter) -> None:
    writer.write(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n")
    writer.write(b"content-length: 100000\r\nconnection: close\r\n\r\n")
    for _ in range(150):  # bounded: a minute at most
        writer.write(b" ")
        await writer.drain()
        await asyncio.sleep(0.4)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
