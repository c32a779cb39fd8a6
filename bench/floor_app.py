"""The framework's floor: a minimal Bolt app that acks `/kubectl` and answers a constant through
the response_url, and acks a `slides_next` button press and posts a constant slide with
chat.postMessage. Benchmarks measure Podium against it in the same run."""

from __future__ import annotations

import os

from aiohttp import web
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

# The least a slide can be: a header, a paragraph and a Next button.
SLIDE = [
    {"type": "header", "text": {"type": "plain_text", "text": "Slide"}},
    {"type": "section", "text": {"type": "mrkdwn", "text": "A constant slide."}},
    {
        "type": "actions",
        "elements": [
            {
                "type": "button",
                "action_id": "slides_next",
                "value": "floor:2",
                "text": {"type": "plain_text", "text": "Next ▶"},
            }
        ],
    },
]


def main() -> None:
    app = AsyncApp(
        client=AsyncWebClient(
            token=os.environ["SLACK_BOT_TOKEN"], base_url=os.environ["SLACK_API_URL"]
        ),
        signing_secret=os.environ["SLACK_SIGNING_SECRET"],
    )

    @app.command("/kubectl")
    async def kubectl(ack, respond):  # type: ignore[no-untyped-def]
        await ack()
        await respond(text="```\nNAME   READY   STATUS    RESTARTS   AGE\n```")

    @app.action("slides_next")
    async def next_slide(ack, body, client):  # type: ignore[no-untyped-def]
        await ack()
        channel = (body.get("channel") or {}).get("id") or body["container"]["channel_id"]
        await client.chat_postMessage(channel=channel, text="Slide", blocks=SLIDE)

    application = app.web_app(path="/slack/events")
    print(f"floor listening on http://127.0.0.1:{os.environ['PORT']}", flush=True)
    web.run_app(application, host="127.0.0.1", port=int(os.environ["PORT"]), print=None)


if __name__ == "__main__":
    main()
