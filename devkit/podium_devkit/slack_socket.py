"""Socket Mode side of the Slack stand-in: the WebSocket endpoint `apps.connections.open` hands out.

Protocol (as Slack speaks it): the client connects with a one-time ticket, Slack sends `hello`, then
pushes envelopes `{envelope_id, type, payload, accepts_response_payload, retry_attempt, retry_reason}`;
the client acks each with `{envelope_id, payload?}`. `{"type": "disconnect"}` asks the client to
reconnect on a fresh URL. Each envelope goes to exactly one open connection (round robin here).
"""

from __future__ import annotations

import asyncio
import json
import secrets
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web


@dataclass
class SocketConnection:
    """One open Socket Mode WebSocket."""

    id: int
    ws: web.WebSocketResponse
    ticket: str
    connected_at: float
    received: list[dict[str, Any]] = field(default_factory=list)  # everything the client sent us

    @property
    def open(self) -> bool:
        return not self.ws.closed


@dataclass(frozen=True)
class SocketAck:
    """One acked envelope: what was pushed, what came back, how long the client took."""

    envelope: dict[str, Any]
    ack: dict[str, Any]
    elapsed_seconds: float
    connection_id: int


class SocketModeHub:
    """Tickets, open connections and envelope/ack bookkeeping for the stand-in's ws endpoint."""

    def __init__(self, app_id: str) -> None:
        self.app_id = app_id
        self._tickets: set[str] = set()
        self._connections: list[SocketConnection] = []
        self._next_id = 0
        self._rr = 0  # round-robin cursor
        self._pending: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self._changed = asyncio.Condition()
        self.acks: list[SocketAck] = []
        self.connections_opened = 0
        self.refusing = False  # an outage: the websocket endpoint refuses new connections

    # -- tickets (apps.connections.open) -------------------------------------------------------

    def issue_ticket(self) -> str:
        ticket = str(uuid.uuid4())
        self._tickets.add(ticket)
        return ticket

    # -- the ws endpoint -----------------------------------------------------------------------

    async def handle(self, request: web.Request) -> web.StreamResponse:
        if (
            self.refusing
        ):  # an outage in front of Slack: the handshake never reaches the ticket check
            return web.json_response({"ok": False, "error": "service_unavailable"}, status=503)
        ticket = request.query.get("ticket", "")
        # Tickets are single use, as on Slack: a reconnect must call apps.connections.open again.
        if ticket not in self._tickets:
            return web.json_response({"ok": False, "error": "invalid_ticket"}, status=401)
        self._tickets.discard(ticket)

        # autoping answers the client's pings with pongs (slack_sdk checks them to detect stale links).
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self._next_id += 1
        conn = SocketConnection(id=self._next_id, ws=ws, ticket=ticket, connected_at=time.time())
        self._connections.append(conn)
        self.connections_opened += 1
        await ws.send_str(
            json.dumps(
                {
                    "type": "hello",
                    "num_connections": len(self.open_connections()),
                    "debug_info": {
                        "host": "applink-podium-standin",
                        "build_number": 1,
                        "approximate_connection_time": 18060,
                    },
                    "connection_info": {"app_id": self.app_id},
                }
            )
        )
        await self._notify()
        try:
            async for msg in ws:
                if msg.type == WSMsgType.TEXT:
                    self._on_text(conn, msg.data)
        finally:
            await self._notify()
        return ws

    def _on_text(self, conn: SocketConnection, data: str) -> None:
        try:
            message = json.loads(data)
        except json.JSONDecodeError:
            return  # Slack ignores garbage from clients too
        conn.received.append(message)
        future = self._pending.get(message.get("envelope_id", ""))
        if future is not None and not future.done():
            future.set_result(message)

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    # -- used by the stand-in --------------------------------------------------------------------

    def open_connections(self) -> list[SocketConnection]:
        return [c for c in self._connections if c.open]

    async def wait_for_client(self, timeout: float = 10.0, *, count: int = 1) -> SocketConnection:
        """Wait until at least `count` clients are connected; return the newest."""
        async with self._changed:
            await asyncio.wait_for(
                self._changed.wait_for(lambda: len(self.open_connections()) >= count), timeout
            )
        return self.open_connections()[-1]

    async def wait_for_new_connection(self, after: int, timeout: float = 10.0) -> SocketConnection:
        """Wait for a connection opened after `connections_opened` was `after` (reconnect tests)."""
        async with self._changed:
            await asyncio.wait_for(
                self._changed.wait_for(
                    lambda: self.connections_opened > after and bool(self.open_connections())
                ),
                timeout,
            )
        return self.open_connections()[-1]

    async def send(
        self,
        type: str,
        payload: dict[str, Any],
        *,
        accepts_response_payload: bool = False,
        retry_attempt: int = 0,
        retry_reason: str = "",
        timeout: float = 10.0,
    ) -> SocketAck:
        """Push one envelope to one open connection and wait for its ack."""
        conn = await self._pick(timeout)
        envelope_id = str(uuid.uuid4())
        envelope = {
            "envelope_id": envelope_id,
            "type": type,
            "payload": payload,
            "accepts_response_payload": accepts_response_payload,
            "retry_attempt": retry_attempt,
            "retry_reason": retry_reason,
        }
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._pending[envelope_id] = future
        started = time.perf_counter()
        try:
            await conn.ws.send_str(json.dumps(envelope))
            try:
                ack = await asyncio.wait_for(future, timeout)
            except TimeoutError:
                raise TimeoutError(
                    f"no ack for {type} envelope {envelope_id} within {timeout}s"
                ) from None
        finally:
            self._pending.pop(envelope_id, None)
        result = SocketAck(
            envelope=envelope,
            ack=ack,
            elapsed_seconds=time.perf_counter() - started,
            connection_id=conn.id,
        )
        self.acks.append(result)
        return result

    async def _pick(self, timeout: float) -> SocketConnection:
        if not self.open_connections():
            await self.wait_for_client(timeout)
        conns = self.open_connections()
        self._rr = (self._rr + 1) % len(conns)
        return conns[self._rr]

    async def disconnect(
        self, reason: str = "refresh_requested", *, connection_id: int | None = None
    ) -> None:
        """Send Slack's `disconnect` message (the client should reconnect on a new URL)."""
        message = json.dumps(
            {
                "type": "disconnect",
                "reason": reason,
                "debug_info": {"host": "applink-podium-standin"},
            }
        )
        for conn in self.open_connections():
            if connection_id is None or conn.id == connection_id:
                await conn.ws.send_str(message)

    async def drop(self, *, connection_id: int | None = None) -> None:
        """Close connections from the server side without warning (network loss / Slack restart)."""
        for conn in self.open_connections():
            if connection_id is None or conn.id == connection_id:
                await conn.ws.close(code=1011, message=b"standin drop")

    async def outage(self, *, down: bool = True) -> None:
        """Slack's socket endpoint goes away (`down=True`: open connections are dropped and new
        ones refused) or comes back (`down=False`)."""
        self.refusing = down
        if down:
            await self.drop()

    async def close(self) -> None:
        for conn in self.open_connections():
            await conn.ws.close(code=1001, message=b"standin shutting down")
        for future in self._pending.values():
            if not future.done():
                future.cancel()


def new_ticket_url(base_ws_url: str, ticket: str, app_id: str) -> str:
    """The URL shape Slack returns (`wss://wss-primary.slack.com/link/?ticket=...&app_id=...`)."""
    return f"{base_ws_url}?ticket={ticket}&app_id={app_id}&nonce={secrets.token_hex(4)}"
