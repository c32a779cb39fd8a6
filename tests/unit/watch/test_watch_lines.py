"""How the hub reads a watch's body: one JSON event per line, whatever the chunking, with a cap
on a line's length (the body comes from the network)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.kubectl.errors import ClusterError
from bot.watch import hub


class Body:
    """What urllib3's response offers the reader: the chunks as they arrive."""

    def __init__(self, *chunks: bytes) -> None:
        self.chunks = chunks

    def stream(self, amt: int | None = None, decode_content: bool = False) -> Iterator[bytes]:
        yield from self.chunks


def test_events_are_split_on_newlines_across_and_within_chunks() -> None:
    body = Body(
        b'{"type":"ADDED","object":{"metadata":{"name":"a"}}}\n{"type":"MOD',
        b'IFIED","object":{"metadata":{"name":"a"}}}\n',
        b"\n",  # a blank line is no event
        b'{"type":"DELETED","object":{"metadata":{"name":"a"}}}',  # the last, unterminated
    )
    assert [(e["type"], e["object"]["metadata"]["name"]) for e in hub._events(body)] == [
        ("ADDED", "a"),
        ("MODIFIED", "a"),
        ("DELETED", "a"),
    ]


def test_a_line_that_is_not_json_ends_the_watch_with_a_bad_response() -> None:
    with pytest.raises(ClusterError) as error:
        list(hub._events(Body(b"<html>proxy error</html>\n")))
    assert error.value.reason == "BadResponse"


def test_a_line_longer_than_any_object_ends_the_watch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hub, "_MAX_EVENT_BYTES", 1024)
    endless = Body(*(b"x" * 512 for _ in range(10)))
    with pytest.raises(ClusterError) as error:
        list(hub._events(endless))
    assert error.value.reason == "BadResponse" and "too long" in error.value.message


def test_namespace_names_are_dns_labels() -> None:
    assert hub._is_namespace("ws-u1aaa") and hub._is_namespace("a" * 63)
    for bad in ("", "-a", "a-", "A", "a_b", "a.b", "a" * 64, "ws/u1", "ws\u0131"):
        assert not hub._is_namespace(bad), bad
