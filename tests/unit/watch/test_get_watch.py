"""`get -w`: the view a watch shows (pure), and the sessions against in-memory streams and a
recording Slack poster (real time, short watches; every wait polls with a deadline)."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.kubectl.grammar import parse
from bot.kubectl.policy import Policy, WatchRequest
from bot.kubectl.printers.registry import get_table
from bot.kubectl.printers.table import render_table
from bot.messages.limits import MAX_TEXT_OBJECT
from bot.watch.get_watch import (
    CHANGE_ROWS,
    Footer,
    GetWatches,
    WatchLimits,
    WatchView,
    render_watch,
)
from bot.watch.labels import parse_selector
from bot.watch.ports import Change
from tests.harness.k8s_objects import NOW, READY_CONDS, make_pod, running, waiting
from tests.harness.watches import FakeWatches

POLICY = Policy(("ws-u1", "sandbox"))


def watch_request(text: str = "get pods -w") -> WatchRequest:
    request = POLICY.decide(parse(text))
    assert isinstance(request, WatchRequest), request
    return request


def web_pod(name: str, *, labels: dict[str, str] | None = None, **kwargs: Any) -> dict[str, Any]:
    pod = make_pod(name, **kwargs)
    pod["metadata"]["namespace"] = "ws-u1"
    pod["metadata"]["labels"] = labels if labels is not None else {"app": "web"}
    return pod


def ready(name: str, **kwargs: Any) -> dict[str, Any]:
    return web_pod(name, statuses=[running()], conditions=READY_CONDS, **kwargs)


def terminating(name: str) -> dict[str, Any]:
    return web_pod(name, statuses=[running()], deleted=NOW.isoformat())


def pending(name: str) -> dict[str, Any]:
    return web_pod(name, phase="Pending", statuses=[waiting("ContainerCreating")])


def section_texts(message: dict[str, Any]) -> list[str]:
    return [b["text"]["text"] for b in message["blocks"] if b["type"] == "section"]


def context_texts(message: dict[str, Any]) -> list[str]:
    return [b["elements"][0]["text"] for b in message["blocks"] if b["type"] == "context"]


FOOTER = Footer("U1", 120, NOW + timedelta(minutes=2))


# --- the view --------------------------------------------------------------------------------


def test_the_table_is_what_kubectl_prints_now_with_the_footer():
    view = WatchView(watch_request())
    pods = [ready("web-a"), ready("web-b")]
    view.load(pods)
    message = render_watch(view, FOOTER, NOW)
    expected = render_table(get_table("pods", pods, now=NOW))
    assert section_texts(message) == [f"```\n{expected}\n```"]
    contexts = context_texts(message)
    assert contexts[0] == "`kubectl get pods -n ws-u1 -w`"
    assert contexts[-1] == "watching · updates for 2m (until 04:32 UTC) · started by <@U1>"
    assert message["text"] == "kubectl get pods -n ws-u1 -w (watching)"


def test_no_objects_reads_as_kubectl_says_it():
    view = WatchView(watch_request())
    view.load([])
    assert (
        "No resources found in ws-u1 namespace."
        in section_texts(render_watch(view, FOOTER, NOW))[0]
    )


def test_a_deleted_pod_and_its_replacement_show_as_kubectl_watch_rows():
    view = WatchView(watch_request())
    view.load([ready("web-a")])
    assert view.apply(Change("MODIFIED", "ws-u1", "pods", terminating("web-a")), NOW)
    assert view.apply(Change("ADDED", "ws-u1", "pods", pending("web-b")), NOW)
    assert view.apply(Change("DELETED", "ws-u1", "pods", terminating("web-a")), NOW)
    assert view.apply(Change("MODIFIED", "ws-u1", "pods", ready("web-b")), NOW)
    message = render_watch(view, FOOTER, NOW)
    table, changes = section_texts(message)
    assert "web-b" in table and "web-a" not in table
    rows = [line.split() for line in changes.strip("`\n").split("\n")]
    assert rows[0][:3] == ["EVENT", "NAME", "READY"]
    assert [(row[0], row[1], row[3]) for row in rows[1:]] == [
        ("MODIFIED", "web-a", "Terminating"),
        ("ADDED", "web-b", "ContainerCreating"),
        ("DELETED", "web-a", "Terminating"),
        ("MODIFIED", "web-b", "Running"),
    ]
    assert "Changes, newest last:" in context_texts(message)


def test_an_update_that_prints_the_same_row_is_not_a_change():
    view = WatchView(watch_request())
    view.load([ready("web-a")])
    assert view.apply(Change("MODIFIED", "ws-u1", "pods", ready("web-a")), NOW)
    assert not view.apply(Change("MODIFIED", "ws-u1", "pods", ready("web-a")), NOW)
    assert len(view.changes) == 1


def test_only_the_latest_change_rows_are_kept():
    view = WatchView(watch_request())
    view.load([])
    for number in range(CHANGE_ROWS + 5):
        view.apply(Change("ADDED", "ws-u1", "pods", pending(f"web-{number:02d}")), NOW)
    names = [row.cells[0] for row in view.changes]
    assert names == [f"web-{n:02d}" for n in range(5, CHANGE_ROWS + 5)]


def test_a_selector_and_names_narrow_the_watch_locally():
    request = watch_request("get pods -l app=web -w")
    view = WatchView(request, parse_selector(request.selector or ""))
    view.load([ready("web-a"), ready("db-0", labels={"app": "db"})])
    assert list(view.objects) == ["web-a"]
    assert not view.apply(
        Change("ADDED", "ws-u1", "pods", ready("db-1", labels={"app": "db"})), NOW
    )
    # Relabelled out of the selection: gone from this watch, like a deletion.
    assert view.apply(Change("MODIFIED", "ws-u1", "pods", ready("web-a", labels={"app": "x"})), NOW)
    assert view.objects == {} and view.changes[-1].event == "DELETED"
    named = WatchView(watch_request("get pod web-a -w"))
    named.load([ready("web-a"), ready("web-b")])
    assert list(named.objects) == ["web-a"]


def test_deployments_and_endpoints_use_their_own_tables():
    deployment = {
        "metadata": {"name": "web", "namespace": "ws-u1", "creationTimestamp": NOW.isoformat()},
        "spec": {
            "replicas": 2,
            "template": {"spec": {"containers": [{"name": "a", "image": "nginx"}]}},
        },
        "status": {"replicas": 2, "readyReplicas": 1, "updatedReplicas": 2, "availableReplicas": 1},
    }
    view = WatchView(watch_request("get deploy -w"))
    view.load([deployment])
    table = section_texts(render_watch(view, FOOTER, NOW))[0]
    assert table.split("\n")[1].split() == ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"]
    assert "1/2" in table
    endpoints = {
        "metadata": {"name": "web", "namespace": "ws-u1", "creationTimestamp": NOW.isoformat()},
        "subsets": [{"addresses": [{"ip": "10.0.0.5"}], "ports": [{"port": 80}]}],
    }
    ep_view = WatchView(watch_request("get ep -w"))
    ep_view.load([endpoints])
    assert "10.0.0.5:80" in section_texts(render_watch(ep_view, FOOTER, NOW))[0]


def test_cluster_strings_are_escaped_once_and_cannot_close_the_block():
    view = WatchView(watch_request("get pods --show-labels -w"))
    hostile = web_pod(
        "web-a",
        statuses=[waiting("<!channel> ```")],
        labels={"x": "<@U999>&"},
    )
    view.load([hostile])
    table = section_texts(render_watch(view, FOOTER, NOW))[0]
    assert "&lt;!channel&gt;" in table and "<!channel>" not in table
    assert "&lt;@U999&gt;&amp;" in table and "&amp;amp;" not in table
    assert table.count("```") == 2  # only the fence


def test_a_big_namespace_is_cut_to_fit_one_section_with_a_count():
    view = WatchView(watch_request())
    view.load([ready(f"web-{n:03d}-" + "x" * 40) for n in range(120)])
    message = render_watch(view, FOOTER, NOW)
    table = section_texts(message)[0]
    assert len(table) <= MAX_TEXT_OBJECT
    more = re.search(r"… (\d+) more rows \(narrow it with -l or a name", table)
    assert more is not None
    shown = table.count("web-")
    assert shown + int(more.group(1)) == 120


def test_the_stopped_footer_says_how_to_watch_again():
    view = WatchView(watch_request("get po -l app=web -w"))
    view.load([])
    stopped = Footer("U1", 120, NOW, stopped="")
    message = render_watch(view, stopped, NOW)
    assert context_texts(message)[-1] == (
        "stopped watching at 04:30 UTC · started by <@U1> · watch again with "
        "`/kubectl get po -n ws-u1 -l app=web -w`"
    )
    assert message["text"].endswith("(stopped watching)")
    why = render_watch(view, Footer("U1", 120, NOW, stopped="Podium is shutting down"), NOW)
    assert "stopped watching at 04:30 UTC: Podium is shutting down" in context_texts(why)[-1]


# --- the sessions --------------------------------------------------------------------------------


class Refused(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.response = {"error": code}


class RecordingPoster:
    """Slack as a watch sees it: posts and updates recorded; `outside` channels refuse posts."""

    def __init__(self, outside: set[str] | None = None) -> None:
        self.outside = outside or set()
        self.posts: list[tuple[str, str, dict[str, Any]]] = []
        self.updates: list[tuple[str, str, dict[str, Any]]] = []
        self.count = 0

    async def post(self, channel: str, message: dict[str, Any]) -> str:
        if channel in self.outside:
            raise Refused("channel_not_found")
        self.count += 1
        ts = f"100.{self.count:06d}"
        self.posts.append((channel, ts, message))
        return ts

    async def update(
        self,
        channel: str,
        ts: str,
        message: dict[str, Any] | Callable[[], dict[str, Any]],
        *,
        background: bool = False,
    ) -> None:
        self.updates.append((channel, ts, message() if callable(message) else message))

    async def post_dm(self, user_id: str, message: dict[str, Any]) -> tuple[str, str]:
        channel = f"D-{user_id}"
        return channel, await self.post(channel, message)

    def refusal_reason(self, error: Exception, channel: str) -> str | None:
        code = getattr(error, "response", {}).get("error")
        return (
            "Podium is not a member of this private channel"
            if code == "channel_not_found"
            else None
        )


async def eventually(predicate, what: str, timeout: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"not within {timeout}s: {what}")
        await asyncio.sleep(0.01)


def watches_of(poster: RecordingPoster, streams: FakeWatches, **limits: Any) -> GetWatches:
    settings = {"seconds": 30.0, "min_update_seconds": 0.05, **limits}
    return GetWatches(streams, poster, WatchLimits(**settings))


def last_footer(message: dict[str, Any]) -> str:
    return context_texts(message)[-1]


async def test_a_watch_posts_once_then_updates_the_same_message_until_its_time_is_up():
    streams, poster = FakeWatches(), RecordingPoster()
    streams.put("ws-u1", "pods", ready("web-a"))
    watches = watches_of(poster, streams, seconds=1.5)
    answer = await watches.start(watch_request(), user="U1", channel="C1", source="slash")
    assert answer.ok and "in this channel" in answer.body and answer.outcome == "ok"
    assert not answer.shareable  # where the watch is, not output to share
    assert [(c, ts) for c, ts, _ in poster.posts] == [("C1", "100.000001")]
    assert streams.subscribers("ws-u1", "pods") == 1
    streams.put("ws-u1", "pods", terminating("web-a"))
    streams.put("ws-u1", "pods", pending("web-b"))
    await eventually(
        lambda: any("web-b" in section_texts(m)[0] for _, _, m in poster.updates),
        "the replacement in the table",
    )
    assert {(c, ts) for c, ts, _ in poster.updates} == {("C1", "100.000001")}
    await eventually(lambda: watches.running == 0, "the watch ends")
    assert len(poster.posts) == 1
    assert last_footer(poster.updates[-1][2]).startswith("stopped watching at ")
    assert "watch again with `/kubectl get pods -n ws-u1 -w`" in last_footer(poster.updates[-1][2])
    assert streams.subscribers("ws-u1", "pods") == 0


async def test_updates_are_debounced_per_message():
    streams, poster = FakeWatches(), RecordingPoster()
    watches = watches_of(poster, streams, seconds=30.0, min_update_seconds=0.5)
    await watches.start(watch_request(), user="U1", channel="C1", source="slash")
    for number in range(20):
        streams.put("ws-u1", "pods", pending(f"web-{number:02d}"))
    await eventually(
        lambda: any("web-19" in section_texts(m)[0] for _, _, m in poster.updates), "all 20 shown"
    )
    # Twenty changes at once are one update (or two, if the first came before the rest).
    assert len(poster.updates) <= 2
    await watches.close()


async def test_one_watch_per_person_is_answered_clearly():
    streams, poster = FakeWatches(), RecordingPoster()
    watches = watches_of(poster, streams)
    await watches.start(watch_request(), user="U1", channel="C1", source="slash")
    second = await watches.start(
        watch_request("get deploy -w"), user="U1", channel="C1", source="slash"
    )
    assert not second.ok and second.outcome == "refused"
    assert re.fullmatch(
        r"You are already watching pods in ws-u1 \(until \d\d:\d\d UTC\); "
        r"Podium runs one watch per person at a time\.",
        second.body,
    )
    other = await watches.start(watch_request(), user="U2", channel="C2", source="slash")
    assert other.ok
    assert len(poster.posts) == 2
    await watches.close()


async def test_the_room_wide_cap_is_answered_clearly():
    streams, poster = FakeWatches(), RecordingPoster()
    watches = watches_of(poster, streams, total=2)
    for user in ("U1", "U2"):
        assert (
            await watches.start(watch_request(), user=user, channel=f"C{user}", source="slash")
        ).ok
    third = await watches.start(watch_request(), user="U3", channel="C3", source="slash")
    assert not third.ok
    assert third.body.startswith("Podium is already running 2 watches for the room")
    assert "`/kubectl get pods`" in (third.hint or "")
    assert watches.running == 2
    await watches.close()


async def test_a_channel_podium_is_not_in_gets_the_watch_in_the_dm():
    streams, poster = FakeWatches(), RecordingPoster(outside={"G9"})
    watches = watches_of(poster, streams)
    answer = await watches.start(watch_request(), user="U1", channel="G9", source="slash")
    assert answer.ok
    assert answer.body.startswith(
        "Watching pods in ws-u1 in your DM with Podium (Podium cannot post"
    )
    assert [c for c, _, _ in poster.posts] == ["D-U1"]
    elsewhere = await watches.start(watch_request(), user="U2", channel="D0U1U2", source="slash")
    assert "in your DM with Podium until" in elsewhere.body  # not in other people's DM
    in_the_dm = await watches.start(watch_request(), user="U3", channel="D-U3", source="dm")
    assert in_the_dm.body.startswith("Watching pods in ws-u1 here until")
    assert [c for c, _, _ in poster.posts] == ["D-U1", "D-U2", "D-U3"]
    await watches.close()


async def test_a_slides_run_button_watches_in_the_pressers_dm_not_the_channel():
    streams, poster = FakeWatches(), RecordingPoster()
    watches = watches_of(poster, streams)
    answer = await watches.start(watch_request(), user="U1", channel="C1", source="button")
    assert answer.ok and "in your DM with Podium" in answer.body
    assert [c for c, _, _ in poster.posts] == ["D-U1"]
    await watches.close()


async def test_a_list_the_cluster_refuses_is_an_error_line_and_frees_the_slot():
    streams, poster = FakeWatches(), RecordingPoster()
    streams.forbid("ws-u1", "pods")
    watches = watches_of(poster, streams)
    answer = await watches.start(watch_request(), user="U1", channel="C1", source="slash")
    assert not answer.ok
    assert answer.body.startswith("Error from server (Forbidden): pods is forbidden")
    assert watches.running == 0 and streams.subscribers("ws-u1", "pods") == 0
    assert poster.posts == []


async def test_a_bad_selector_is_refused_before_anything_is_watched():
    streams, poster = FakeWatches(), RecordingPoster()
    watches = watches_of(poster, streams)
    answer = await watches.start(
        watch_request("get pods -l 'tier in (a' -w"), user="U1", channel="C1", source="slash"
    )
    assert not answer.ok and answer.body.startswith("error: unable to parse requirement")
    assert streams.subscriptions == [] and poster.posts == []


async def test_closing_ends_every_watch_with_its_final_update_and_no_task_left():
    streams, poster = FakeWatches(), RecordingPoster()
    watches = watches_of(poster, streams, seconds=600.0)
    for user in ("U1", "U2", "U3"):
        await watches.start(watch_request(), user=user, channel=f"C{user}", source="slash")
    await watches.close()
    assert watches.running == 0 and streams.subscriptions == []
    finals = [m for _, _, m in poster.updates]
    assert len(finals) == 3
    assert all("Podium is shutting down" in last_footer(m) for m in finals)
    names = {t.get_name() for t in asyncio.all_tasks()}
    assert not any(name.startswith("watch ") for name in names)
    after = await watches.start(watch_request(), user="U1", channel="C1", source="slash")
    assert not after.ok and "shutting down" in after.body


def test_watch_times_are_utc_clock_times():
    footer = Footer("U1", 90, datetime(2026, 12, 3, 22, 41, 5, tzinfo=UTC))
    view = WatchView(watch_request())
    view.load([])
    assert last_footer(render_watch(view, footer, NOW)) == (
        "watching · updates for 1m30s (until 22:41 UTC) · started by <@U1>"
    )


@pytest.mark.parametrize("seconds, shown", [(120, "2m"), (45, "45s"), (90, "1m30s")])
def test_durations_read_like_kubectl_ages(seconds, shown):
    from bot.watch.get_watch import duration

    assert duration(seconds) == shown


class VanishingPoster(RecordingPoster):
    """Someone deleted the watch message: Slack answers every update message_not_found."""

    async def update(
        self,
        channel: str,
        ts: str,
        message: dict[str, Any] | Callable[[], dict[str, Any]],
        *,
        background: bool = False,
    ) -> None:
        self.updates.append((channel, ts, message() if callable(message) else message))
        raise Refused("message_not_found")


async def test_a_deleted_watch_message_ends_the_watch_without_retrying():
    streams, poster = FakeWatches(), VanishingPoster()
    watches = watches_of(poster, streams)
    await watches.start(watch_request(), user="U1", channel="C1", source="slash")
    streams.put("ws-u1", "pods", pending("web-a"))
    await eventually(lambda: watches.running == 0, "the watch ends")
    assert len(poster.updates) == 1  # no stop text either: there is no message to put it in
    assert streams.subscriptions == []


class SlowWatches(FakeWatches):
    async def snapshot(self, namespace: str, kind: str, *, timeout: float):
        raise TimeoutError


async def test_a_cluster_that_does_not_list_in_time_is_answered_in_one_line():
    streams, poster = SlowWatches(), RecordingPoster()
    watches = watches_of(poster, streams, snapshot_timeout=3.0)
    answer = await watches.start(watch_request(), user="U1", channel="C1", source="slash")
    assert not answer.ok
    assert answer.body == (
        "The cluster did not list pods in ws-u1 within 3s, so nothing is being watched."
    )
    assert watches.running == 0 and streams.subscriptions == [] and poster.posts == []


class OffWatches(FakeWatches):
    def subscribe(self, namespace, kind, on_change, *, replay=False):
        from bot.watch.ports import WatchesOff

        raise WatchesOff("Watching the cluster is off (PODIUM_WATCH=off).")


async def test_watching_switched_off_is_answered_with_what_to_do_instead():
    watches = watches_of(RecordingPoster(), OffWatches())
    answer = await watches.start(watch_request(), user="U1", channel="C1", source="slash")
    assert not answer.ok and answer.outcome == "refused"
    assert answer.body == (
        "Podium cannot watch right now: Watching the cluster is off (PODIUM_WATCH=off)."
    )
    assert answer.hint == "`/kubectl get pods` shows them as they are now."
    assert watches.running == 0


async def test_the_same_watch_in_the_same_channel_is_one_message_for_the_room():
    streams, poster = FakeWatches(), RecordingPoster()
    watches = watches_of(poster, streams)
    first = await watches.start(watch_request(), user="U1", channel="C1", source="slash")
    again = await watches.start(watch_request(), user="U2", channel="C1", source="slash")
    assert first.ok and again.ok
    assert re.fullmatch(
        r"Pods in ws-u1 are already being watched in this channel until \d\d:\d\d UTC: that "
        r"message updates in place, so no second one was posted\.",
        again.body,
    )
    assert len(poster.posts) == 1 and watches.running == 1
    # Another command, another channel, or a DM: a watch of its own.
    assert (
        "Watching"
        in (
            await watches.start(
                watch_request("get pods -l app=web -w"), user="U2", channel="C1", source="slash"
            )
        ).body
    )
    assert (
        "Watching"
        in (await watches.start(watch_request(), user="U3", channel="C2", source="slash")).body
    )
    assert (
        "Watching"
        in (await watches.start(watch_request(), user="U4", channel="D-U4", source="dm")).body
    )
    assert len(poster.posts) == 4
    await watches.close()


async def test_metrics_count_running_watches_and_their_updates():
    from bot.metrics import Metrics

    metrics = Metrics()
    streams, poster = FakeWatches(), RecordingPoster()
    watches = GetWatches(
        streams, poster, WatchLimits(seconds=30.0, min_update_seconds=0.05), metrics=metrics
    )
    await watches.start(watch_request(), user="U1", channel="C1", source="slash")
    assert b"podium_get_watches 1.0" in metrics.exposition()[0]
    streams.put("ws-u1", "pods", pending("web-a"))
    await eventually(lambda: poster.updates, "an update")
    await watches.close()
    body, _ = metrics.exposition()
    assert b"podium_get_watches 0.0" in body
    assert b'podium_get_watch_updates_total{outcome="ok"} 2.0' in body  # the change, the stop


class GatedPoster(RecordingPoster):
    """Posts wait for the test to open the gate (Slack slow to answer)."""

    def __init__(self) -> None:
        super().__init__()
        self.gate = asyncio.Event()

    async def post(self, channel: str, message: dict[str, Any]) -> str:
        await self.gate.wait()
        return await super().post(channel, message)


async def test_closing_while_a_watch_is_being_posted_leaves_no_session_or_task():
    streams, poster = FakeWatches(), GatedPoster()
    watches = watches_of(poster, streams)
    starting = asyncio.create_task(
        watches.start(watch_request(), user="U1", channel="C1", source="slash")
    )
    await eventually(lambda: poster.gate is not None and watches.running == 1, "reserved")
    closing = asyncio.create_task(watches.close())
    await eventually(lambda: watches.running == 0, "let go at close")
    poster.gate.set()
    answer = await starting
    await closing
    assert not answer.ok and "shutting down" in answer.body
    assert "stopped watching at" in last_footer(poster.updates[-1][2])
    assert streams.subscriptions == []
    assert not any(t.get_name().startswith("watch ") for t in asyncio.all_tasks())


def test_credential_shapes_in_cluster_strings_are_hidden_as_in_every_output():
    view = WatchView(watch_request("get pods --show-labels -w"))
    secret = {"key": "AKIAIOSFODNN7EXAMPLE"}
    view.load([ready("web-a", labels=secret)])
    view.apply(Change("ADDED", "ws-u1", "pods", pending("web-b")), NOW)
    view.apply(Change("MODIFIED", "ws-u1", "pods", ready("web-b", labels=secret)), NOW)
    table, changes = section_texts(render_watch(view, FOOTER, NOW))
    for shown in (table, changes):
        assert "AKIAIOSFODNN7EXAMPLE" not in shown
        assert "[redacted" in shown


async def test_a_reconnecting_stream_is_said_in_the_footer_until_it_streams_again():
    from bot.kubectl.errors import ClusterError

    streams, poster = FakeWatches(), RecordingPoster()
    trouble: dict[tuple[str, str], ClusterError] = {}
    watches = GetWatches(
        streams,
        poster,
        WatchLimits(seconds=30.0, min_update_seconds=0.05, trouble_check_seconds=0.05),
        trouble=lambda namespace, kind: trouble.get((namespace, kind)),
    )
    await watches.start(watch_request(), user="U1", channel="C1", source="slash")
    trouble[("ws-u1", "pods")] = ClusterError("Unreachable", "connection refused")
    await eventually(lambda: poster.updates, "the footer updated")
    assert last_footer(poster.updates[-1][2]).endswith(
        " · reconnecting to the cluster (Unreachable): changes may be late"
    )
    del trouble[("ws-u1", "pods")]
    await eventually(lambda: len(poster.updates) == 2, "the footer updated again")
    assert "reconnecting" not in last_footer(poster.updates[-1][2])
    await asyncio.sleep(0.3)  # quiet and streaming: no update for nothing
    assert len(poster.updates) == 2
    await watches.close()
    assert "reconnecting" not in last_footer(poster.updates[-1][2])
