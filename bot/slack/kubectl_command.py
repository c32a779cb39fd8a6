"""The `/kubectl` slash command and its Share in channel button. Listeners stay thin: ack,
hand the text to the command service, hand the answer to the delivery."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import partial
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.errors import SlackApiError

from bot.budgets import Budgets
from bot.kubectl.answer import Answer
from bot.kubectl.service import KubectlService
from bot.messages.text import Mrkdwn, mrkdwn
from bot.metrics import Metrics
from bot.slack.answer_cache import AnswerCache
from bot.slack.button_values import verify_button_value
from bot.slack.failures import never_silent
from bot.slack.output import (
    SHARE_ACTION,
    answer_message,
    inline_code,
    needs_snippet,
    share_actions,
    share_button_value,
    without_actions,
)
from bot.slack.places import is_membership_error, refusal_reason
from bot.slack.publisher import Publisher
from bot.store.buttons import ButtonStore

COMMAND = "/kubectl"

log = logging.getLogger(__name__)

IN_YOUR_DM = "in your DM with Podium"


class KubectlDelivery:
    """Puts answers where people read them: the ephemeral reply, a DM snippet for long output,
    the channel when shared."""

    def __init__(
        self,
        publisher: Publisher,
        cache: AnswerCache,
        metrics: Metrics | None = None,
        *,
        signing_key: bytes,
    ) -> None:
        # Every post goes through the publisher: channel posts keep Slack's pace, behind the
        # instructor's slides (bot/slack/pacing.py).
        self._publisher = publisher
        self._client = publisher.client
        self._cache = cache
        self._metrics = metrics
        self._signing_key = signing_key
        self._renders: dict[tuple[int, str | None], tuple[Answer, dict[str, Any]]] = {}
        self.renderings = 0  # how many private answers were rendered (not served from _renders)

    async def reply_privately(
        self,
        answer: Answer,
        *,
        text: str,
        user_id: str,
        respond: AsyncRespond,
        thread_ts: str | None = None,
        snippets: bool = True,
    ) -> None:
        """The answer only the person sees, with a Share button (into `thread_ts` when given).
        `snippets=False`: long output is not uploaded (a room pressing one button would upload it
        once per person); the answer says how to get the whole of it instead."""
        snippet_where: str | None = None
        if needs_snippet(answer):
            if snippets:
                snippet_where = await self._upload_to_dm(answer, user_id)
            else:
                snippet_where = mrkdwn(
                    "one command away: {} sends it to your DM as a snippet",
                    inline_code(f"/kubectl {text}"),
                )
        share_value = (
            share_button_value(
                self._cache.put(answer), text, signing_key=self._signing_key, thread_ts=thread_ts
            )
            if answer.shareable and answer.ok
            else None
        )
        message = self._rendered(answer, snippet_where)
        if share_value is not None:
            message = {**message, "blocks": [*message["blocks"], share_actions(share_value)]}
        await self.respond_or_dm(respond, {**message, "replace_original": False}, user_id)

    def _rendered(self, answer: Answer, snippet_where: str | None) -> dict[str, Any]:
        """answer_message without the Share button, rendered once for an answer many people get
        at once (the coalesced reads of a room pressing the same button share one Answer)."""
        key = (id(answer), snippet_where)
        hit = self._renders.get(key)
        if hit is not None and hit[0] is answer:
            return hit[1]
        message = answer_message(answer, snippet_where=snippet_where)
        self._renders[key] = (answer, message)
        while len(self._renders) > 64:
            self._renders.pop(next(iter(self._renders)))
        self.renderings += 1
        return message

    async def respond_or_dm(
        self, respond: AsyncRespond, message: dict[str, Any], user_id: str
    ) -> None:
        """Answer through the response_url; if Slack refuses it (expired, used up, down), the
        answer goes to the person's DM instead, and the reason is logged: nothing is dropped."""
        try:
            response = await respond(**message)
            status = getattr(response, "status_code", 200)
            failure = (
                None if status == 200 else f"HTTP {status} {getattr(response, 'body', '')}".strip()
            )
        except Exception as error:  # noqa: BLE001 — connection refused, timeout, …
            failure = type(error).__name__
        if failure is None:
            return
        log.warning("response_url failed (%s); answering %s in a DM instead", failure, user_id)
        if self._metrics:
            self._metrics.undelivered.labels("dm").inc()
        direct = {k: v for k, v in message.items() if k in ("text", "blocks")}
        direct["blocks"] = [b for b in direct.get("blocks", []) if b.get("type") != "actions"]
        await self._publisher.post_dm(user_id, direct)

    async def share(
        self,
        answer: Answer,
        *,
        user_id: str,
        channel_id: str,
        thread_ts: str | None = None,
        respond: AsyncRespond | None = None,
    ) -> str | None:
        """Post the answer in the channel (or a thread), attributed to who ran it; long output
        as a snippet in the thread of that post.

        Where Podium is not a member, Slack refuses parts of this: in a public channel it has not
        joined the post works but the snippet does not (it goes to the presser's DM, and the post
        says so); in a private channel or someone else's DM nothing can be posted, and the answer
        goes through the button's `respond` (the response_url, visible to everyone there). The
        return value is a note for the presser about where things went, None when all is as asked."""
        long = needs_snippet(answer)
        try:
            posted_ts = await self._publisher.post(
                channel_id,
                self._shared(answer, user_id, "in the thread" if long else None),
                thread_ts=thread_ts,
            )
        except SlackApiError as error:
            code = str(error.response.get("error") or "")
            if respond is None or not is_membership_error(code):
                raise
            return await self._share_through_response_url(
                answer, user_id, channel_id, code, respond
            )
        if not long:
            return None
        try:
            await self._client.files_upload_v2(
                channel=channel_id,
                thread_ts=thread_ts or posted_ts,
                content=answer.body,
                filename=answer.filename,
                title=answer.command_line or answer.filename,
            )
            return None
        except SlackApiError as error:
            code = str(error.response.get("error") or "")
            if not is_membership_error(code):
                raise
        # Posted, but Slack will not take the file here: the full output goes to the presser's
        # DM, and the post (which promised "in the thread") is corrected to say so.
        where = await self._upload_to_dm(answer, user_id)
        said = (
            mrkdwn(
                "in <@{}>'s DM with Podium (Podium cannot attach files in this channel)", user_id
            )
            if where.startswith(IN_YOUR_DM)
            else "not attached: Podium cannot attach files in this channel"
        )
        await self._publisher.update(channel_id, posted_ts, self._shared(answer, user_id, said))
        return mrkdwn(
            "Shared. The full output is {}. {}", where, Mrkdwn(refusal_reason(code, channel_id))
        )

    def _shared(self, answer: Answer, user_id: str, snippet_where: str | None) -> dict[str, Any]:
        message = answer_message(
            answer, response_type="in_channel", shared_by=user_id, snippet_where=snippet_where
        )
        message.pop("response_type")
        return message

    async def _share_through_response_url(
        self, answer: Answer, user_id: str, channel_id: str, code: str, respond: AsyncRespond
    ) -> str:
        """The only way into a conversation Podium is not in: the button's response_url."""
        where = None
        if needs_snippet(answer):
            where = await self._upload_to_dm(answer, user_id)
        said = (
            mrkdwn("in <@{}>'s DM with Podium", user_id)
            if where and where.startswith(IN_YOUR_DM)
            else None
        )
        message = answer_message(
            answer, response_type="in_channel", shared_by=user_id, snippet_where=said
        )
        response = await respond(replace_original=False, **message)
        status = getattr(response, "status_code", 200)
        if status != 200:
            raise RuntimeError(f"the response_url refused the shared answer: HTTP {status}")
        note = mrkdwn(
            "Shared here through Slack's reply to your button. {}",
            Mrkdwn(refusal_reason(code, channel_id)),
        )
        if where:
            note = mrkdwn("{} The full output is {}.", Mrkdwn(note), where)
        return note

    async def _upload_to_dm(self, answer: Answer, user_id: str) -> str:
        try:
            opened = await self._client.conversations_open(users=user_id)
            await self._client.files_upload_v2(
                channel=opened["channel"]["id"],
                content=answer.body,
                filename=answer.filename,
                title=answer.command_line or answer.filename,
            )
        except SlackApiError as error:
            log.warning(
                "could not upload a snippet to %s's DM: %s", user_id, error.response.get("error")
            )
            return (
                "too long for Slack, and the snippet upload failed; narrow it with a name or `-l`"
            )
        return f"{IN_YOUR_DM} as `{answer.filename}`"


# What a Share press answers instead of posting.
FORGED_SHARE = (
    "This Share button was not made by Podium for this answer (or it was altered), so nothing was "
    "posted. Run the command again and share its answer."
)
ALREADY_SHARED = "Already shared in the channel: each answer is shared once."
NO_SHARE_CHANNEL = (
    "Slack did not say which channel this Share button is in, so nothing was posted. "
    "Run the command again in the channel and share its answer there."
)
NOT_SHAREABLE = (
    "Only answers that ran without an error are shared; this one was not posted. "
    "Run the command again to see why."
)


@dataclass(frozen=True)
class KubectlListeners:
    """What the /kubectl listeners need."""

    service: KubectlService
    delivery: KubectlDelivery
    cache: AnswerCache  # what each Share button shares, while Podium runs
    signing_key: bytes  # Share values are signed: a hand-made one is refused
    buttons: ButtonStore  # each answer is shared once
    budgets: Budgets | None = None


async def kubectl_command(
    deps: KubectlListeners, ack: AsyncAck, command: dict[str, Any], respond: AsyncRespond
) -> None:
    await ack()  # Slack wants its 200 within 3 s; the cluster call happens after
    text = command.get("text") or ""
    answer = await deps.service.run(
        text, user=command.get("user_id"), channel=command.get("channel_id"), source="slash"
    )
    await deps.delivery.reply_privately(
        answer, text=text, user_id=command["user_id"], respond=respond
    )


async def share_in_channel(
    deps: KubectlListeners,
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    respond: AsyncRespond,
) -> None:
    """Post what the presser saw, attributed to them, once per button. Only a value Podium
    signed is trusted; only an answer that ran is posted."""
    await ack()
    user_id = body["user"]["id"]
    channel_id: str | None = (body.get("channel") or {}).get("id") or (
        body.get("container") or {}
    ).get("channel_id")

    async def tell(text: str) -> None:
        await respond(replace_original=False, response_type="ephemeral", text=text)

    value = verify_button_value(deps.signing_key, SHARE_ACTION, action.get("value"))
    if value is None or not value.get("k"):
        log.info("refused a Share press by %s with a value Podium did not sign", user_id)
        await tell(FORGED_SHARE)
        return
    if channel_id is None:  # a button outside any channel (a view): nowhere to share it
        await tell(NO_SHARE_CHANNEL)
        return
    button_id = value["k"]
    if await deps.buttons.was_shared(button_id):  # costs the room nothing: not counted
        await tell(ALREADY_SHARED)
        return
    if deps.budgets is not None and (slow_down := deps.budgets.spend("share", user_id)):
        await tell(slow_down)
        return
    if not await deps.buttons.claim_share(button_id, user_id, channel_id):
        await tell(ALREADY_SHARED)
        return
    answer = deps.cache.get(button_id)
    if answer is None:  # after a restart: run it again rather than lose the press
        answer = await deps.service.run(
            value.get("t", ""), user=user_id, channel=channel_id, source="share", budget=None
        )  # the share budget was spent above
    if not answer.ok or not answer.shareable:  # never a refusal or an error in the room's voice
        await deps.buttons.release_share(button_id)
        await tell(NOT_SHAREABLE)
        return
    try:
        note = await deps.delivery.share(
            answer,
            user_id=user_id,
            channel_id=channel_id,
            thread_ts=value.get("th") or None,
            respond=respond,
        )
    except SlackApiError as error:
        await deps.buttons.release_share(button_id)
        reason = str(error.response.get("error") or "error")
        advice = (
            refusal_reason(reason, channel_id)
            or "Try again in a minute, or copy the output instead."
        )
        await tell(f"Podium could not post in this channel ({reason}). {advice}")
        return
    except Exception:  # not posted: the button may be pressed again (never_silent answers)
        await deps.buttons.release_share(button_id)
        raise
    original = answer_message(answer)
    await respond(
        replace_original=True, **without_actions(original, note or "Shared in the channel.")
    )


def register(app: AsyncApp, deps: KubectlListeners) -> None:
    app.command(COMMAND)(never_silent(partial(kubectl_command, deps)))
    app.action(SHARE_ACTION)(never_silent(partial(share_in_channel, deps)))
