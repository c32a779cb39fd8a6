"""The shared namespace streams (`Watches`), done as client-go's reflector and informer do them.

One stream per (namespace, kind), shared by every subscriber, started on the first subscribe and
stopped a little after the last one leaves (`linger`, so a `get -w` that ends and starts again
does not reconnect). Each stream LISTs, remembers the list's resourceVersion and WATCHes from it
with bookmarks and a jittered server-side timeout; when the server ends the watch it watches again
from the last version it saw (no re-list); on `410 Gone` it re-lists and tells subscribers the
differences, so nobody misses a change made during the gap; on any other error it backs off
(exponential, jittered, capped) and resumes from where it was.

Threads: the official client blocks, so each stream's I/O runs in its own daemon thread that only
sends requests and reads the answers. Everything it reads is handed to the event loop with
`call_soon_threadsafe`; the cache, the differences and the calls to subscribers all happen on the
loop thread, so no lock guards the cache. `close()` sets every stream's stop flag and shuts down
the socket its thread is blocked on.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import json
import logging
import random
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

import urllib3
from kubernetes import client
from kubernetes.client.exceptions import ApiException

from bot.kubectl.errors import ClusterError
from bot.kubectl.gateway import _ENDPOINTS, _api_error, _json_of, _transport_error
from bot.kubectl.redact import cap_lines, redact_text
from bot.metrics import Metrics
from bot.watch.cache import (
    Backoff,
    Obj,
    by_name,
    differences,
    must_relist,
    name_of,
    version_of,
    watch_seconds,
)
from bot.watch.ports import (
    WATCHABLE,
    Change,
    ChangeType,
    OnChange,
    Snapshot,
    WatchesOff,
)

log = logging.getLogger(__name__)

# A watch whose server sends nothing (not even the bookmark it sends before closing) for this
# much longer than the timeout it asked for is dead: the read gives up and the stream resumes.
_READ_SLACK = 30.0
# A watch the server ends sooner than this without a single event is not healthy (a server or a
# proxy closing at once): the stream backs off instead of reconnecting in a tight loop.
_SHORTEST_HEALTHY_WATCH = 1.0
_MAX_LOGGED = 500  # characters of an API server's error message in the log
_MAX_EVENT_BYTES = 8 * 1024 * 1024
_NAMESPACE_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-")


# What a stream's thread hands to the loop ------------------------------------------------------


@dataclass(frozen=True)
class _Listed:
    items: list[dict[str, Any]]
    version: str


@dataclass(frozen=True)
class _Event:
    type: ChangeType
    obj: dict[str, Any]


@dataclass(frozen=True)
class _Bookmark:
    version: str


@dataclass(frozen=True)
class _Expired:
    """The version the stream watched from is gone (410): it re-lists next."""


@dataclass(frozen=True)
class _Failed:
    error: ClusterError
    during: Literal["list", "watch"]


@dataclass(frozen=True)
class _Request:
    verb: Literal["list", "watch"]
    outcome: str


_Message = _Listed | _Event | _Bookmark | _Expired | _Failed | _Request


@dataclass
class _Subscriber:
    on_change: OnChange
    replay: bool
    # Waiting for its replay (the stream's first list, or the loop's next turn): changes before
    # that are part of what it will be replayed, so they are not sent on their own.
    pending: bool


class _Subscription:
    def __init__(self, stream: _Stream, token: int) -> None:
        self._stream = stream
        self._token = token

    def cancel(self) -> None:
        self._stream.unsubscribe(self._token)


@dataclass(frozen=True)
class _Tuning:
    """What tests shorten; production uses the defaults."""

    request_timeout: float
    linger: float
    backoff_first: float
    backoff_cap: float
    watch_seconds: Callable[[], int]


class _Stream:
    """One namespace and kind. Cache and subscribers: loop thread only. `_run`: its own thread."""

    def __init__(
        self,
        hub: WatchHub,
        namespace: str,
        kind: str,
        loop: asyncio.AbstractEventLoop,
        api: Any,
        tuning: _Tuning,
    ) -> None:
        self.hub, self.namespace, self.kind, self.loop = hub, namespace, kind, loop
        endpoint = _ENDPOINTS[kind]
        self._list_call = getattr(api, f"list_namespaced_{endpoint.stem}")
        self._item_kind, self._api_version = endpoint.list_kind, endpoint.api_version
        self._tuning = tuning
        # Loop thread only.
        self.cache: dict[str, Obj] = {}
        self.version = ""
        self.synced = False
        self.error: ClusterError | None = None  # the last failure, until a list succeeds
        self._failing: str | None = None  # the reason being retried, logged once
        self.trouble: ClusterError | None = None  # what it is retrying after, while it does
        self._subscribers: dict[int, _Subscriber] = {}
        self._next_token = 0
        self._waiters: list[asyncio.Future[None]] = []
        self._linger: asyncio.TimerHandle | None = None
        self.retired = False
        # Shared with the thread: a flag and the response it is blocked on.
        self._stop = threading.Event()
        self._response: urllib3.BaseHTTPResponse | None = None
        self.thread = threading.Thread(
            target=self._run, name=f"watch-{namespace}-{kind}", daemon=True
        )

    # Loop thread -------------------------------------------------------------------------------

    def start(self) -> None:
        log.debug("watch %s/%s: starting", self.namespace, self.kind)
        self.thread.start()

    def subscribe(self, on_change: OnChange, replay: bool) -> _Subscription:
        if self._linger is not None:
            self._linger.cancel()
            self._linger = None
        token = self._next_token
        self._next_token += 1
        subscriber = _Subscriber(on_change, replay, pending=replay)
        self._subscribers[token] = subscriber
        if replay and self.synced:
            # Not from inside subscribe(): the caller holds no Subscription yet.
            self.loop.call_soon(self._replay, token)
        return _Subscription(self, token)

    def unsubscribe(self, token: int) -> None:
        if self._subscribers.pop(token, None) is not None and not self._subscribers:
            self.linger()

    def linger(self) -> None:
        """Stop after the linger unless someone subscribes meanwhile."""
        if self._linger is None and not self.retired:
            self._linger = self.loop.call_later(self._tuning.linger, self._idle)

    def _idle(self) -> None:
        self._linger = None
        if self._waiters and not self._subscribers:
            self.linger()  # a snapshot still waits for the first list: not yet
        elif not self._subscribers:
            self.hub._retire(self)

    def _replay(self, token: int) -> None:
        subscriber = self._subscribers.get(token)
        if subscriber is None or not subscriber.pending:
            return
        subscriber.pending = False
        for name in sorted(self.cache):
            self._tell(subscriber, Change("ADDED", self.namespace, self.kind, self.cache[name]))

    def stop(self) -> None:
        """Ask the thread to end and unblock it: its current read fails at once."""
        self.retired = True
        if self._linger is not None:
            self._linger.cancel()
            self._linger = None
        self._stop.set()
        response = self._response
        if response is not None:
            _shut(response)
        self._wake()

    async def wait_listed(self, deadline: float) -> None:
        while not self.synced:
            if self.retired:
                raise WatchesOff("Podium is shutting down.")
            if self.error is not None:
                raise self.error
            remaining = deadline - self.loop.time()
            if remaining <= 0:
                raise TimeoutError(f"{self.kind} in {self.namespace} were not listed in time")
            waiter = self.loop.create_future()
            self._waiters.append(waiter)
            try:
                await asyncio.wait_for(waiter, remaining)
            except TimeoutError:
                raise TimeoutError(
                    f"{self.kind} in {self.namespace} were not listed in time"
                ) from None
            finally:
                if waiter in self._waiters:
                    self._waiters.remove(waiter)

    def snapshot(self) -> Snapshot:
        objects = tuple(self.cache[name] for name in sorted(self.cache))
        return Snapshot(self.namespace, self.kind, objects, self.version)

    def receive(self, message: _Message) -> None:
        """What the thread read, applied on the loop thread."""
        if self.retired and not isinstance(message, _Request):
            return
        if isinstance(message, _Request):
            self.hub._count_request(message.verb, message.outcome)
            if message.outcome == "ok" and not self.retired:
                self._recovered()  # connected again, whether or not anything changes
        elif isinstance(message, _Event):
            self._apply(message)
        elif isinstance(message, _Bookmark):
            self.version = message.version
        elif isinstance(message, _Listed):
            self._listed(message)
        elif isinstance(message, _Expired):
            self.hub._count_relist()
            log.info(
                "watch %s/%s: resourceVersion %s expired, listing again",
                self.namespace,
                self.kind,
                self.version,
            )
        else:
            self._failed(message)

    def _apply(self, event: _Event) -> None:
        self.hub._count_event(event.type)
        self._recovered()
        obj = event.obj
        obj.setdefault("kind", self._item_kind)
        obj.setdefault("apiVersion", self._api_version)
        name = name_of(obj)
        if not name:
            return
        self.version = version_of(obj) or self.version
        if event.type == "DELETED":
            self.cache.pop(name, None)
        else:
            self.cache[name] = obj
        self._fan_out(Change(event.type, self.namespace, self.kind, obj))

    def _listed(self, listed: _Listed) -> None:
        for item in listed.items:
            item.setdefault("kind", self._item_kind)
            item.setdefault("apiVersion", self._api_version)
        fresh = by_name(list(listed.items))
        old, first = self.cache, not self.synced
        self.cache, self.version, self.synced, self.error = fresh, listed.version, True, None
        self._recovered()
        if first:
            log.debug("watch %s/%s: listed %d", self.namespace, self.kind, len(fresh))
            for token, subscriber in list(self._subscribers.items()):
                if subscriber.pending:
                    self._replay(token)
        else:
            for change_type, obj in differences(old, fresh):
                self._fan_out(Change(change_type, self.namespace, self.kind, obj))
        self._wake()

    def _failed(self, failed: _Failed) -> None:
        error = failed.error
        if not self.synced:
            self.error = error
            self._wake()
        self.trouble = error
        state = f"{failed.during}:{error.reason}"
        if state != self._failing:  # once per change of state, not once per retry
            self._failing = state
            log.warning(
                "watch %s/%s: %s failed (%s: %s); retrying with back-off",
                self.namespace,
                self.kind,
                failed.during,
                error.reason,
                redact_text(cap_lines(error.message[:_MAX_LOGGED])[0])[0],
            )

    def _recovered(self) -> None:
        self.trouble = None
        if self._failing is not None:
            log.info("watch %s/%s: streaming again", self.namespace, self.kind)
            self._failing = None

    def _fan_out(self, change: Change) -> None:
        # A copy: a callback may subscribe or cancel; one cancelled meanwhile hears no more.
        for token, subscriber in list(self._subscribers.items()):
            if not subscriber.pending and token in self._subscribers:
                self._tell(subscriber, change)

    def _tell(self, subscriber: _Subscriber, change: Change) -> None:
        try:
            subscriber.on_change(change)
        except Exception:  # one subscriber's bug must not stop the stream or the others
            log.exception(
                "a subscriber to %s/%s failed on a %s change",
                self.namespace,
                self.kind,
                change.type,
            )

    def _wake(self) -> None:
        for waiter in self._waiters:
            if not waiter.done():
                waiter.set_result(None)
        self._waiters.clear()

    # The stream's own thread: I/O only -------------------------------------------------------

    def _post(self, message: _Message) -> None:
        try:
            self.loop.call_soon_threadsafe(self.receive, message)
        except RuntimeError:  # the loop is closed: nobody is listening any more
            self._stop.set()

    def _run(self) -> None:
        backoff = Backoff(self._tuning.backoff_first, self._tuning.backoff_cap)
        version: str | None = None
        while not self._stop.is_set():
            during: Literal["list", "watch"] = "list"
            try:
                if version is None:
                    version = self._list()
                during = "watch"
                version, healthy = self._watch(version)
                if healthy:
                    backoff.reset()
                    continue
                if version is None:
                    continue  # 410: list again at once, as client-go does
                delay = backoff.next_delay()
            except ClusterError as error:
                if self._stop.is_set():
                    break
                if during == "watch" and must_relist(error.status, error.message):
                    # An API server may answer a watch 410 (or "too large") outright.
                    self._post(_Expired())
                    version = None
                    continue
                self._post(_Failed(error, during))
                delay = backoff.next_delay()
            except Exception as error:  # noqa: BLE001 - the thread must not die: report, back off, resume
                if self._stop.is_set():
                    break
                self._post(_Failed(ClusterError("InternalError", type(error).__name__), during))
                delay = backoff.next_delay()
            self._stop.wait(delay)
        log.debug("watch %s/%s: stopped", self.namespace, self.kind)

    def _list(self) -> str:
        def request() -> Any:
            return self._list_call(
                self.namespace,
                _preload_content=False,
                _request_timeout=self._tuning.request_timeout,
            )

        try:
            body = _json_of(request)
        except ClusterError as error:
            self._post(_Request("list", error.reason))
            raise
        self._post(_Request("list", "ok"))
        items = [item for item in body.get("items") or [] if isinstance(item, dict)]
        version = str((body.get("metadata") or {}).get("resourceVersion") or "")
        self._post(_Listed(items, version))
        return version

    def _watch(self, version: str) -> tuple[str | None, bool]:
        """One watch from `version`, until the server ends it. Returns the version to resume
        from (None: it expired, list again) and whether the watch was healthy."""
        seconds = self._tuning.watch_seconds()
        started = time.monotonic()
        try:
            response = self._list_call(
                self.namespace,
                watch=True,
                resource_version=version,
                allow_watch_bookmarks=True,
                timeout_seconds=seconds,
                _preload_content=False,
                _request_timeout=(self._tuning.request_timeout, seconds + _READ_SLACK),
            )
        except ApiException as exc:
            error = _api_error(exc)
            self._post(_Request("watch", error.reason))
            raise error from None
        except urllib3.exceptions.HTTPError as exc:
            error = _transport_error(exc)
            self._post(_Request("watch", error.reason))
            raise error from None
        self._post(_Request("watch", "ok"))
        self._response = response
        events = 0
        try:
            if self._stop.is_set():  # stop() ran before the response was there to shut
                return version, False
            for event in _events(response):
                kind = event.get("type")
                obj = event.get("object")
                if not isinstance(obj, dict):
                    continue
                if kind == "ERROR":
                    code = obj.get("code") if isinstance(obj.get("code"), int) else 0
                    message = str(obj.get("message") or "the watch ended with an error")
                    if must_relist(code, message):
                        self._post(_Expired())
                        return None, False
                    raise ClusterError(str(obj.get("reason") or "InternalError"), message, code)
                events += 1
                version = version_of(obj) or version
                if kind == "BOOKMARK":
                    self._post(_Bookmark(version))
                elif kind in ("ADDED", "MODIFIED", "DELETED"):
                    self._post(_Event(kind, obj))
                if self._stop.is_set():
                    break
        except urllib3.exceptions.HTTPError as exc:
            if self._stop.is_set():
                return version, False
            raise _transport_error(exc) from None
        except OSError:
            if self._stop.is_set():
                return version, False
            raise ClusterError("Unreachable", "the watch connection broke") from None
        finally:
            self._response = None
            response.close()
            response.release_conn()
        healthy = events > 0 or time.monotonic() - started >= _SHORTEST_HEALTHY_WATCH
        return version, healthy


def _lines(response: Any) -> Iterator[bytes]:
    """The watch's lines (one JSON event each) as the chunks arrive; a line longer than
    `_MAX_EVENT_BYTES` (no object is: etcd refuses values over 1.5 MiB) ends the watch."""
    buffer = bytearray()
    for chunk in response.stream(amt=None, decode_content=False):
        start = len(buffer)
        buffer.extend(chunk)
        newline = buffer.find(b"\n", start)
        while newline != -1:
            yield bytes(buffer[:newline])
            del buffer[: newline + 1]
            newline = buffer.find(b"\n")
        if len(buffer) > _MAX_EVENT_BYTES:
            raise ClusterError("BadResponse", "the API server sent a watch event that is too long")
    if buffer.strip():
        yield bytes(buffer)


def _events(response: Any) -> Iterator[dict[str, Any]]:
    for line in _lines(response):
        if not line.strip():
            continue
        try:
            event = json.loads(line)
        except ValueError:
            raise ClusterError(
                "BadResponse", "the API server sent a watch event that is not JSON"
            ) from None
        if isinstance(event, dict):
            yield event


def _shut(response: urllib3.BaseHTTPResponse) -> None:
    """Unblock the thread reading `response`: shut the socket down under it."""
    # Already closed or released: the thread is not blocked on it.
    with contextlib.suppress(OSError, RuntimeError, ValueError, AttributeError):
        response.shutdown()


class WatchHub:
    """`Watches` over the official client: one list+watch stream per namespace and kind.

    `subscribe`, `snapshot` and `close` are called on the event loop. Counters for metrics and
    the bench: `requests_made` (`list_requests`, `watch_requests`), `events_received`,
    `relists` (after 410 Gone) and `streams` (running now)."""

    def __init__(
        self,
        api_client: client.ApiClient,
        *,
        enabled: bool = True,
        request_timeout: float = 10.0,
        linger: float = 30.0,
        backoff_first: float = 0.5,
        backoff_cap: float = 30.0,
        watch_seconds: Callable[[], int] | None = None,
        metrics: Metrics | None = None,
        max_streams: int = 2000,
        max_connections: int = 1024,
    ) -> None:
        self.enabled = enabled
        # A bound on threads and open watches whatever the features ask for: 200 participants
        # with pods, events, deployments and jobs each are 800.
        self.max_streams = max_streams
        # Its own client on a copy of the gateway's configuration: each stream holds one pooled
        # connection for as long as it runs, so the pool is sized for every stream at once
        # (the gateway's small pool would warn and discard connections all day).
        configuration = copy.deepcopy(api_client.configuration)
        configuration.connection_pool_maxsize = max(
            int(configuration.connection_pool_maxsize or 0), max_connections
        )
        self._api_client = client.ApiClient(configuration)
        self._apis: dict[str, Any] = {
            "core": client.CoreV1Api(self._api_client),
            "apps": client.AppsV1Api(self._api_client),
            "batch": client.BatchV1Api(self._api_client),
            "discovery": client.DiscoveryV1Api(self._api_client),
        }
        rng = random.Random()
        self._tuning = _Tuning(
            request_timeout=request_timeout,
            linger=linger,
            backoff_first=backoff_first,
            backoff_cap=backoff_cap,
            watch_seconds=watch_seconds or (lambda: _jittered(rng)),
        )
        self._metrics = metrics
        self._streams: dict[tuple[str, str], _Stream] = {}
        self._retired: list[_Stream] = []
        self._closed = False
        self.list_requests = 0
        self.watch_requests = 0
        self.events_received = 0
        self.relists = 0

    # Watches ---------------------------------------------------------------------------------

    def subscribe(
        self, namespace: str, kind: str, on_change: OnChange, *, replay: bool = False
    ) -> _Subscription:
        return self._stream(namespace, kind).subscribe(on_change, replay)

    async def snapshot(self, namespace: str, kind: str, *, timeout: float) -> Snapshot:
        stream = self._stream(namespace, kind)
        if not stream._subscribers:
            stream.linger()  # a look without a subscriber: the stream stops after the linger
        await stream.wait_listed(stream.loop.time() + timeout)
        return stream.snapshot()

    # Counters --------------------------------------------------------------------------------

    @property
    def requests_made(self) -> int:
        return self.list_requests + self.watch_requests

    @property
    def streams(self) -> int:
        return len(self._streams)

    def resource_version(self, namespace: str, kind: str) -> str | None:
        """Where the stream is (None: no stream): for tests and the bench."""
        stream = self._streams.get((namespace, kind))
        return stream.version if stream is not None else None

    def trouble(self, namespace: str, kind: str) -> ClusterError | None:
        """What the stream is retrying after (its changes may be late), or None when it streams
        (or does not exist): lets a feature say "reconnecting" instead of looking stuck."""
        stream = self._streams.get((namespace, kind))
        return stream.trouble if stream is not None else None

    # Lifecycle -------------------------------------------------------------------------------

    async def close(self, *, join_within: float = 5.0) -> None:
        """Stop every stream and wait (up to `join_within` seconds) for their threads to end."""
        self._closed = True
        for stream in list(self._streams.values()):
            self._retire(stream)
        threads = [s.thread for s in self._retired if s.thread.is_alive()]
        self._retired.clear()
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, _join, threads, join_within)
        await loop.run_in_executor(None, self._api_client.close)

    def _stream(self, namespace: str, kind: str) -> _Stream:
        if not self.enabled:
            raise WatchesOff(
                "Watching the cluster is off (PODIUM_WATCH=off); ask again to see the objects now."
            )
        if self._closed:
            raise WatchesOff("Podium is shutting down.")
        if kind not in WATCHABLE or kind not in _ENDPOINTS:
            raise ValueError(f"Podium does not watch {kind}")
        if not _is_namespace(namespace):
            raise ValueError(f"{namespace!r} is not a namespace name")
        stream = self._streams.get((namespace, kind))
        if stream is None:
            if len(self._streams) >= self.max_streams:
                raise WatchesOff(
                    f"Podium already watches {len(self._streams)} namespace streams, its limit; "
                    "ask again in a while to see the objects now."
                )
            loop = asyncio.get_running_loop()
            stream = _Stream(
                self, namespace, kind, loop, self._apis[_ENDPOINTS[kind].api], self._tuning
            )
            self._streams[(namespace, kind)] = stream
            self._gauge()
            stream.start()
        return stream

    def _retire(self, stream: _Stream) -> None:
        if self._streams.get((stream.namespace, stream.kind)) is stream:
            del self._streams[(stream.namespace, stream.kind)]
            self._gauge()
        stream.stop()
        # Keep what is still running to join at close; forget what has ended.
        self._retired = [s for s in self._retired if s.thread.is_alive()]
        self._retired.append(stream)
        log.debug("watch %s/%s: stopping", stream.namespace, stream.kind)

    def _count_request(self, verb: Literal["list", "watch"], outcome: str) -> None:
        if verb == "list":
            self.list_requests += 1
        else:
            self.watch_requests += 1
        if self._metrics is not None:
            self._metrics.watch_request(verb, outcome)

    def _count_event(self, change_type: str) -> None:
        self.events_received += 1
        if self._metrics is not None:
            self._metrics.watch_event(change_type)

    def _count_relist(self) -> None:
        self.relists += 1
        if self._metrics is not None:
            self._metrics.watch_relists.inc()

    def _gauge(self) -> None:
        if self._metrics is not None:
            self._metrics.watch_streams.set(len(self._streams))


def _jittered(rng: random.Random) -> int:
    return watch_seconds(rng)


def _join(threads: list[threading.Thread], within: float) -> None:
    deadline = time.monotonic() + within
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))


def _is_namespace(name: str) -> bool:
    """A DNS label (RFC 1123), checked without a regex: 1-63 of a-z, 0-9, '-', not at the ends."""
    return (
        0 < len(name) <= 63 and set(name) <= _NAMESPACE_CHARS and name[0] != "-" and name[-1] != "-"
    )
