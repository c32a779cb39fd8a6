"""The framework's floor: a minimal Bolt app that acks `/kubectl` and answers a constant through
the response_url. Benchmarks measure Podium against it in the same run."""

from __future__ import annotations

import os

from aiohttp import web
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient


def main() -> None:
    app = AsyncApp(
        client=AsyncWebClient(token=os.environ["SLACK_BOT_TOKEN"], base_url=os.environ["SLACK_API_URL"]),
        signing_secret=os.environ["SLACK_SIGNING_SECRET"],
    )

    @app.command("/kubectl")
    async def kubectl(ack, respond):  # type: ignore[no-untyped-def]
        await ack()
        await respond(text="```\nNAME   READY   STATUS    RESTARTS   AGE\n```")

    application = app.web_app(path="/slack/events")
    print(f"floor listening on http://127.0.0.1:{os.environ['PORT']}", flush=True)
    web.run_app(application, host="127.0.0.1", port=int(os.environ["PORT"]), print=None)


if __name__ == "__main__":
    main()
