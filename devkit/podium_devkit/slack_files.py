"""Slack's asynchronous file processing, for the Slack stand-in (devkit/podium_devkit/slack_api.py).

What real Slack does (python-slack-sdk #1521, #1658, #1797; java-slack-sdk #1349;
node-slack-sdk #2040, #2170; slack-github-action #413):
- `files.completeUploadExternal` answers at once, but the file is then scanned and parsed in a
  worker queue. Until that is done, `files.info` shows the file with `mimetype`, `filetype` and
  `pretty_type` empty (`""`) and no image fields (`original_w`, `original_h`, `thumb_*`).
- A message, update or view whose `image` block (or image element) refers to it with
  `slack_file: {"id": ...}` is refused meanwhile: `{"ok": false, "error": "invalid_blocks",
  "errors": ["invalid slack file [json-pointer:/blocks/0/slack_file]"], ...}`. The same answer
  for a file ID Slack does not know, and for a file that was deleted (retention, an admin).
- `files.info` of a deleted file answers `file_deleted`, of an unknown one `file_not_found`.

The processing delay is configurable (`SlackStandIn(file_processing_seconds=...)`, default
`DEFAULT_PROCESSING_SECONDS`); tests can delete a file (`SlackStandIn.delete_file`) or make the
uploads of a file name never finish processing (`FileProcessing.never_process`).
"""

from __future__ import annotations

import re
import struct
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

DEFAULT_PROCESSING_SECONDS = 1.0

# A slack_file `id` must look like this (Slack answers a regex error otherwise, #1521).
_FILE_ID = re.compile(r"^F[A-Z0-9]{8,}$")
# A slack_file `url`: the file's url_private / permalink carry its ID.
_FILE_ID_IN_URL = re.compile(r"(?:files-pri/[A-Z0-9]+-|/files/[A-Z0-9]+/)(F[A-Z0-9]{8,})(?:/|$)")

_IMAGE_TYPES = {
    b"\x89PNG\r\n\x1a\n": ("image/png", "png", "PNG"),
    b"\xff\xd8\xff": ("image/jpeg", "jpg", "JPEG"),
    b"GIF87a": ("image/gif", "gif", "GIF"),
    b"GIF89a": ("image/gif", "gif", "GIF"),
}


def image_kind(content: bytes) -> tuple[str, str, str] | None:
    """(mimetype, filetype, pretty_type) of PNG/JPEG/GIF bytes, else None."""
    for magic, kind in _IMAGE_TYPES.items():
        if content.startswith(magic):
            return kind
    return None


def image_size(content: bytes) -> tuple[int, int] | None:
    """(width, height) of PNG, GIF or JPEG bytes, read from the header; None if unreadable."""
    if (
        content.startswith(b"\x89PNG\r\n\x1a\n")
        and len(content) >= 24
        and content[12:16] == b"IHDR"
    ):
        return struct.unpack(">II", content[16:24])
    if content.startswith((b"GIF87a", b"GIF89a")) and len(content) >= 10:
        return struct.unpack("<HH", content[6:10])
    if content.startswith(b"\xff\xd8"):
        i = 2
        while i + 9 < len(content):
            if content[i] != 0xFF:
                return None
            marker = content[i + 1]
            length = struct.unpack(">H", content[i + 2 : i + 4])[0]
            if marker in (0xC0, 0xC1, 0xC2):
                height, width = struct.unpack(">HH", content[i + 5 : i + 9])
                return width, height
            i += 2 + length
    return None


@dataclass
class FileProcessing:
    """When each uploaded file becomes usable, and which are gone."""

    delay: float = DEFAULT_PROCESSING_SECONDS
    clock: Callable[[], float] = time.monotonic
    _completed_at: dict[str, float] = field(default_factory=dict)
    _never: set[str] = field(default_factory=set)  # file IDs that never finish processing
    _never_names: set[str] = field(default_factory=set)
    _deleted: set[str] = field(default_factory=set)

    # -- what happens to files ------------------------------------------------------------------

    def completed(self, file_id: str, filename: str) -> None:
        """files.completeUploadExternal accepted the file: processing starts now."""
        self._completed_at.setdefault(file_id, self.clock())
        if filename in self._never_names:
            self._never.add(file_id)

    def never_process(self, filename: str) -> None:
        """Uploads named `filename` from now on never finish processing (e.g. a corrupt image)."""
        self._never_names.add(filename)

    def delete(self, file_id: str) -> None:
        self._deleted.add(file_id)

    # -- what Slack answers ---------------------------------------------------------------------

    def is_deleted(self, file_id: str) -> bool:
        return file_id in self._deleted

    def is_processed(self, file_id: str) -> bool:
        started = self._completed_at.get(file_id)
        if started is None or file_id in self._never or file_id in self._deleted:
            return False
        return self.clock() - started >= self.delay

    def info_fields(
        self, file_id: str, filename: str, content: bytes, mimetype: str, filetype: str
    ) -> dict[str, Any]:
        """The fields of a file object that depend on processing: blank until processed."""
        if not self.is_processed(file_id):
            return {
                "mimetype": "",
                "filetype": "",
                "pretty_type": "",
                "media_display_type": "unknown",
            }
        kind = image_kind(content)
        if kind is None:
            return {
                "mimetype": mimetype,
                "filetype": filetype,
                "pretty_type": filetype.title() or "Binary",
            }
        mime, ftype, pretty = kind
        fields: dict[str, Any] = {
            "mimetype": mime,
            "filetype": ftype,
            "pretty_type": pretty,
            "media_display_type": "unknown",
        }
        size = image_size(content)
        if size:
            width, height = size
            fields["original_w"], fields["original_h"] = width, height
            base = f"https://files.slack.com/files-tmb/{file_id}/{filename.rsplit('.', 1)[0]}"
            for edge in (64, 80, 160, 360, 480, 720):
                if edge <= max(width, height) or edge <= 360:
                    fields[f"thumb_{edge}"] = f"{base}_{edge}.{ftype}"
        return fields

    def usable(self, ref: Any) -> bool:
        """Whether a `slack_file` object refers to a processed, existing file."""
        if not isinstance(ref, dict):
            return False
        file_id = ref.get("id")
        if file_id is None and isinstance(ref.get("url"), str):
            match = _FILE_ID_IN_URL.search(ref["url"])
            file_id = match.group(1) if match else None
        return (
            isinstance(file_id, str)
            and bool(_FILE_ID.match(file_id))
            and self.is_processed(file_id)
        )

    def slack_file_errors(self, blocks: Any, pointer: str = "/blocks") -> list[str]:
        """Slack's error strings for every `slack_file` in `blocks` that cannot be shown yet."""
        if not isinstance(blocks, list):
            return []
        errors: list[str] = []
        for i, block in enumerate(blocks):
            if not isinstance(block, dict):
                continue
            here = f"{pointer}/{i}"
            places: list[tuple[str, Any]] = [(here, block)]
            if isinstance(block.get("accessory"), dict):
                places.append((f"{here}/accessory", block["accessory"]))
            for j, element in enumerate(block.get("elements") or []):
                if isinstance(element, dict):
                    places.append((f"{here}/elements/{j}", element))
            for where, obj in places:
                if (
                    obj.get("type") == "image"
                    and "slack_file" in obj
                    and not self.usable(obj["slack_file"])
                ):
                    errors.append(f"invalid slack file [json-pointer:{where}/slack_file]")
        return errors
