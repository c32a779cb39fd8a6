"""Slide images as Slack files (docs/slide-images.md).

Slack processes an upload asynchronously: a `slack_file` image block that names a file Slack has
not finished processing, a deleted file or another workspace's file is refused with
`invalid_blocks` ("invalid slack file [json-pointer:/blocks/N/slack_file]"). So Podium
- uploads every image of a deck when the deck starts (`prepare`), concurrently, in the background;
- uses a file only once `files.info` shows it processed (polled with back-off, within a bound);
- remembers the file per workspace (team id) and image content (sha256) across restarts;
- drops a remembered file that Slack refuses (`forget`), so the next render uploads it again;
- shows an image it cannot get into Slack as its alt text with a note (the slide is posted).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.store.slack_images import SlackImageStore

log = logging.getLogger(__name__)

_POINTER = re.compile(r"\[json-pointer:(/[^\]]*)\]")
_GONE = frozenset({"file_not_found", "file_deleted"})


@dataclass(frozen=True)
class ImageWait:
    """How long to wait for Slack to process an upload: polls of files.info after `first`
    seconds, each wait `factor` times longer up to `longest`, for at most `bound` seconds."""

    # Slack usually needs about a second: the first look after that, then every 1.5×, at most 3 s
    # apart. files.info is Tier 4 (100+ per minute): a deck of 6 pictures makes about 12 calls.
    first: float = 1.0
    factor: float = 1.5
    longest: float = 3.0
    bound: float = 15.0


def poll_delays(wait: ImageWait) -> list[float]:
    """The sleeps between files.info polls: growing, capped, summing to at most `wait.bound`."""
    delays: list[float] = []
    delay, total = wait.first, 0.0
    while delay > 0 and total + delay <= wait.bound + 1e-9:
        delays.append(delay)
        total += delay
        delay = min(delay * wait.factor, wait.longest)
    if total < wait.bound and wait.bound - total > 1e-9:
        delays.append(wait.bound - total)  # one last look at the bound
    return delays


class FileState(Enum):
    PROCESSING = "processing"  # Slack has the file but not its type yet
    READY = "ready"  # an image Slack can show
    UNUSABLE = "unusable"  # processed, but Slack does not take it for an image
    GONE = "gone"  # deleted, or unknown to this workspace


def file_state(file: Mapping[str, Any]) -> FileState:
    """What a `files.info` file object says. Slack documents no "processed" flag; its SDK
    maintainers point at the fields filled in by processing (node-slack-sdk #2040, java-slack-sdk
    #1349): `mimetype` (and `filetype`, `pretty_type`) stay "" until then."""
    mimetype = str(file.get("mimetype") or "")
    if not mimetype:
        return FileState.PROCESSING
    return FileState.READY if mimetype.startswith("image/") else FileState.UNUSABLE


def slack_file_ids(blocks: Any) -> set[str]:
    """Every `slack_file` ID in a list of blocks (image blocks, accessories, context elements)."""
    found: set[str] = set()

    def visit(node: Any) -> None:
        if isinstance(node, dict):
            ref = node.get("slack_file")
            if isinstance(ref, dict) and isinstance(ref.get("id"), str):
                found.add(ref["id"])
            for value in node.values():
                visit(value)
        elif isinstance(node, list):
            for value in node:
                visit(value)

    visit(blocks)
    return found


def rejected_file_ids(response: Mapping[str, Any], message: Mapping[str, Any]) -> set[str]:
    """The slack_file IDs of `message` that Slack's error answer refuses ("invalid slack file
    [json-pointer:/blocks/2/slack_file]"); empty when the answer is about something else. A
    refusal whose pointer cannot be followed blames every slack_file of the message."""
    if response.get("error") not in ("invalid_blocks", "invalid_arguments"):
        return set()
    metadata = response.get("response_metadata") or {}
    errors = [str(e) for e in (response.get("errors") or [])] + [
        str(m) for m in (metadata.get("messages") or [])
    ]
    refused: set[str] = set()
    for error in errors:
        if "slack file" not in error and "slack_file" not in error:
            continue
        match = _POINTER.search(error)
        target: Any = None
        if match:
            target = _follow(message, match.group(1))
        if isinstance(target, dict) and isinstance(target.get("id"), str):
            refused.add(target["id"])
        else:
            refused |= slack_file_ids(
                message.get("blocks") or (message.get("view") or {}).get("blocks")
            )
    return refused


def refused_file_ids(error: Exception, message: Mapping[str, Any]) -> set[str]:
    """The pictures of `message` that Slack refused, when `error` is Slack's answer to sending it;
    empty for any other failure (which the sender raises again)."""
    if not isinstance(error, SlackApiError):
        return set()
    data = error.response.data if isinstance(error.response.data, dict) else {}
    return rejected_file_ids(data, message)


def _follow(document: Any, pointer: str) -> Any:
    """A JSON pointer (`/blocks/2/slack_file`) into `document`, or None. `/view/...` pointers
    into a bare view are followed from its root."""
    node = document
    parts = [p.replace("~1", "/").replace("~0", "~") for p in pointer.strip("/").split("/")]
    if parts and parts[0] == "view" and isinstance(node, dict) and "view" not in node:
        parts = parts[1:]
    for part in parts:
        if isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        elif isinstance(node, dict) and part in node:
            node = node[part]
        else:
            return None
    return node


class SlideImages:
    """Uploads slide images once per workspace and image, and hands out usable references."""

    def __init__(
        self,
        client: AsyncWebClient,
        store: SlackImageStore,
        *,
        wait: ImageWait = ImageWait(),
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._client = client
        self._store = store
        self._wait = wait
        self._sleep = sleep
        self._team_id: str | None = None
        self._team_lock = asyncio.Lock()
        # digest → the upload-and-wait in flight (or done): one per image however many ask.
        self._tasks: dict[str, asyncio.Task[str | None]] = {}
        self._waited: set[str] = set()  # digests that already had their full wait once

    async def team_id(self) -> str:
        async with self._team_lock:
            if self._team_id is None:
                self._team_id = str((await self._client.auth_test())["team_id"])
            return self._team_id

    def prepare(self, images: Iterable[tuple[Path, str]]) -> None:
        """Start uploading (and waiting for) these images in the background, e.g. a deck's."""
        for path, title in images:
            data = _read(path)
            if data is not None:
                self._task(hashlib.sha256(data).hexdigest(), data, path.name, title)

    async def ref(self, path: Path, title: str) -> dict[str, str] | None:
        """`{"id": F…}` for an `image` block's `slack_file`, once Slack can show it; None when it
        cannot (unreadable, upload failed, not processed within the bound, refused)."""
        data = _read(path)
        if data is None:
            return None
        task = self._task(hashlib.sha256(data).hexdigest(), data, path.name, title)
        file_id = await asyncio.shield(task)
        return {"id": file_id} if file_id else None

    async def forget(self, file_ids: Iterable[str]) -> None:
        """Slack refused these files (deleted, expired, another workspace's): upload anew next time."""
        ids = set(file_ids)
        if not ids:
            return
        dropped = await self._store.forget(await self.team_id(), ids)
        for digest, task in list(self._tasks.items()):
            if (
                task.done()
                and not task.cancelled()
                and task.exception() is None
                and task.result() in ids
            ):
                del self._tasks[digest]
                self._waited.discard(digest)
        log.info(
            "dropped %d cached slide image(s) Slack refused: %s", dropped, ", ".join(sorted(ids))
        )

    async def close(self) -> None:
        for task in self._tasks.values():
            task.cancel()
        await asyncio.gather(*self._tasks.values(), return_exceptions=True)

    # --- internals -------------------------------------------------------------------------------

    def _task(self, digest: str, data: bytes, name: str, title: str) -> asyncio.Task[str | None]:
        task = self._tasks.get(digest)
        if task is not None and not (
            task.done() and (task.cancelled() or task.exception() or not task.result())
        ):
            return task
        # First time: the full wait. After a wait ran out: one more look, no new wait, so a slide
        # whose picture Slack never processes is not held up on every move.
        bound = self._wait.bound if digest not in self._waited else 0.0
        self._waited.add(digest)
        task = asyncio.create_task(
            self._ready(digest, data, name, title, bound), name=f"slide-image-{name}"
        )
        self._tasks[digest] = task
        return task

    async def _ready(
        self, digest: str, data: bytes, name: str, title: str, bound: float
    ) -> str | None:
        try:
            team = await self.team_id()
            cached = await self._store.get(team, digest)
            if cached is not None:
                if cached.processed:
                    return cached.file_id
                state = await self._until_processed(cached.file_id, bound)
                if state is FileState.READY:
                    await self._store.mark_processed(team, cached.file_id)
                    return cached.file_id
                if state is not FileState.GONE:
                    log.warning(
                        "slide image %s (%s) is not usable in Slack yet: %s",
                        name,
                        cached.file_id,
                        state.value,
                    )
                    return None
                await self._store.forget(team, [cached.file_id])
            response = await self._client.files_upload_v2(content=data, filename=name, title=title)
            file_id = str(response["file"]["id"])
            await self._store.save(team, digest, file_id)
            bound = self._wait.bound  # a new upload always gets the whole wait
            state = await self._until_processed(file_id, bound, look_first=False)
            if state is FileState.READY:
                await self._store.mark_processed(team, file_id)
                return file_id
            log.warning(
                "slide image %s (%s) is not usable in Slack: %s after %.0f s; shown as its alt text",
                name,
                file_id,
                state.value,
                bound,
            )
            return None
        except asyncio.CancelledError:
            raise
        except Exception as error:  # noqa: BLE001 — an image is never a reason to fail a slide
            log.warning("slide image %s could not be uploaded to Slack: %s", name, error)
            return None

    async def _until_processed(
        self, file_id: str, bound: float, *, look_first: bool = True
    ) -> FileState:
        """Look at files.info until the file is no longer processing or `bound` seconds passed.
        `look_first=False` (a fresh upload, never processed at once) waits before the first look."""
        state = await self._look(file_id) if look_first or bound == 0 else FileState.PROCESSING
        for delay in poll_delays(
            ImageWait(self._wait.first, self._wait.factor, self._wait.longest, bound)
        ):
            if state is not FileState.PROCESSING:
                break
            await self._sleep(delay)
            state = await self._look(file_id)
        return state

    async def _look(self, file_id: str) -> FileState:
        try:
            response = await self._client.files_info(file=file_id)
        except SlackApiError as error:
            code = str(error.response.get("error") or "")
            if code in _GONE:
                return FileState.GONE
            hint = " (the app needs the files:read scope)" if code == "missing_scope" else ""
            log.warning("files.info %s failed (%s)%s: the image waits", file_id, code, hint)
            return FileState.PROCESSING
        return file_state(response.get("file") or {})


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError as error:
        log.warning("slide image %s cannot be read: %s", path, error)
        return None
