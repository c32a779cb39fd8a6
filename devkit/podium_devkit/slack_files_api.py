"""The Slack stand-in's files upload v2 (getUploadURLExternal, the upload URL,
completeUploadExternal) and files.info; processing delays are slack_files.py's."""

from __future__ import annotations

import secrets

from aiohttp import web

from podium_devkit.slack_records import (
    JsonDict,
    SlackError,
    UploadedFile,
)
from podium_devkit.slack_state import Handler, SlackState


class FilesApi(SlackState):
    def _api_methods(self) -> dict[str, Handler]:
        return {
            **super()._api_methods(),
            "files.getUploadURLExternal": self._files_get_upload_url,
            "files.completeUploadExternal": self._files_complete_upload,
            "files.info": self._files_info,
        }

    async def _files_get_upload_url(self, args: JsonDict) -> JsonDict:
        filename = args.get("filename")
        try:
            length = int(args.get("length"))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise SlackError(
                "invalid_arguments",
                response_metadata={"messages": ["[ERROR] missing required field: length"]},
            ) from None
        if not filename:
            raise SlackError(
                "invalid_arguments",
                response_metadata={"messages": ["[ERROR] missing required field: filename"]},
            )
        file_id = self._next_id("F")
        upload_id = secrets.token_urlsafe(16)
        self._files[file_id] = UploadedFile(
            id=file_id,
            filename=str(filename),
            length=length,
            alt_txt=args.get("alt_txt"),
            snippet_type=args.get("snippet_type"),
            created=int(self.clock()),
        )
        self._uploads[upload_id] = file_id
        return {"upload_url": f"{self.base_url}/upload/v1/{upload_id}", "file_id": file_id}

    async def _on_upload(self, request: web.Request) -> web.StreamResponse:
        fault = self._take_fault("files.upload")
        if fault is not None:
            return await self._fault_response(request, fault)
        file_id = self._uploads.get(request.match_info["upload_id"])
        if file_id is None:
            return web.Response(status=404, text="invalid upload url", content_type="text/plain")
        if request.content_type.startswith("multipart/"):
            # Slack also accepts a multipart form with the bytes in a `file` part.
            form = await request.post()
            part = form.get("file") or next(iter(form.values()), b"")
            data = part.file.read() if hasattr(part, "file") else str(part).encode()
        else:
            data = await request.read()
        self._files[file_id].content = data
        await self._notify()
        # The real upload host answers text/plain "OK - <bytes>"; slack_sdk only checks for 200.
        return web.Response(text=f"OK - {len(data)}", content_type="text/plain")

    async def _files_complete_upload(self, args: JsonDict) -> JsonDict:
        items = args.get("files")
        if not isinstance(items, list) or not items:
            raise SlackError(
                "invalid_arguments",
                response_metadata={"messages": ["[ERROR] missing required field: files"]},
            )
        channel_id = args.get("channel_id") or (
            str(args.get("channels") or "").split(",")[0] or None
        )
        if channel_id:
            channel_id = self._resolve_channel(channel_id)
        uploads: list[UploadedFile] = []
        for item in items:
            f = self._files.get(str(item.get("id") if isinstance(item, dict) else ""))
            if f is None or f.content is None:
                raise SlackError(
                    "file_not_found"
                )  # unknown id, or bytes never posted to the upload URL
            uploads.append(f)
        for f, item in zip(uploads, items):
            f.title = item.get("title") or f.filename
            f.completed = True
            self.file_processing.completed(f.id, f.filename)
            f.channel_id = channel_id
            f.initial_comment = args.get("initial_comment")
            f.thread_ts = args.get("thread_ts")
        if channel_id:
            # Sharing posts one message carrying the files, like Slack's file_share messages.
            message = self._bot_message(
                {"text": args.get("initial_comment") or "", "thread_ts": args.get("thread_ts")},
                self._next_ts(),
            )
            message["files"] = [self._file_object(f) for f in uploads]
            message["upload"] = True
            self._store_message(channel_id, message)
        return {"files": [{"id": f.id, "title": f.title} for f in uploads]}

    async def _files_info(self, args: JsonDict) -> JsonDict:
        f = self._files.get(str(args.get("file") or ""))
        if f is None or not f.completed:
            raise SlackError("file_not_found")
        if self.file_processing.is_deleted(f.id):
            raise SlackError("file_deleted")
        return {
            "file": self._file_object(f),
            "comments": [],
            "response_metadata": {"next_cursor": ""},
        }
