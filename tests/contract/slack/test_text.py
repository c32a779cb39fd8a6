"""bot/messages/text.py: decode once on the way in, escape once on the way out, controls made visible."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from bot.messages.text import (
    Mrkdwn,
    cut,
    decode_slack_text,
    escape_mrkdwn,
    join,
    mrkdwn,
    neutralise,
    safe,
    seal_message,
    trusted,
)
from podium_devkit.slack_sender import slack_encoded

UNSAFE = re.compile("[<>\u202a-\u202e\u2066-\u2069\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Text as people and clusters write it, with everything that matters here over-represented.
texts = st.text(
    st.one_of(
        st.sampled_from(list("<>&;!@#|`*_~\n\t\r\x00\x1b\x9b\u202e\u2066\u200b")), st.characters()
    ),
    max_size=200,
)


@given(texts)
def test_escaped_text_can_carry_no_markup_and_no_invisible_controls(text: str):
    escaped = escape_mrkdwn(text)
    assert not UNSAFE.search(escaped)
    assert neutralise(neutralise(text)) == neutralise(text)
    # Undoing Slack's three entities gives back exactly the neutralised text: escaped once.
    assert decode_slack_text(escaped) == neutralise(text)


@given(texts)
def test_what_slack_sends_decodes_to_what_was_typed(text: str):
    assert decode_slack_text(slack_encoded(text)) == text


@given(texts, texts)
def test_mrkdwn_escapes_values_once_and_keeps_its_template(a: str, b: str):
    built = mrkdwn("*{}* asked by <@{}>", a, Mrkdwn(escape_mrkdwn(b)))
    assert built == f"*{escape_mrkdwn(a)}* asked by <@{escape_mrkdwn(b)}>"
    assert safe(built) is built  # Podium's markup is never escaped again
    assert seal_message({"text": built})["text"] == built


@given(texts, st.integers(min_value=0, max_value=250))
def test_cut_never_ends_inside_an_entity_or_a_tag(text: str, limit: int):
    built = mrkdwn("<@U0ALICE> {}", text)
    head = cut(built, limit)
    assert isinstance(head, Mrkdwn) and len(head) <= limit and built.startswith(head)
    assert not re.search(r"&[a-z]*$", head) and "<" not in head.replace("<@U0ALICE>", "")


def test_numbers_keep_their_format_spec_and_join_escapes_plain_parts():
    assert mrkdwn("{:,} of {}", 12_345, "a<b") == "12,345 of a&lt;b"
    assert join(", ", ["<!here>", mrkdwn("`{}`", "x")]) == "&lt;!here&gt;, `x`"
    assert trusted("*bold*") == "*bold*" and isinstance(trusted("x"), Mrkdwn)


def test_seal_escapes_every_text_object_and_only_text():
    view = {
        "type": "modal",
        "title": {"type": "plain_text", "text": "Q <1>"},
        "blocks": [
            {
                "type": "input",
                "label": {"type": "plain_text", "text": "a&b"},
                "element": {
                    "type": "plain_text_input",
                    "action_id": "text",
                    "initial_value": "typed <x> \u202e",
                },
            },
            {
                "type": "context",
                "elements": [
                    {"type": "mrkdwn", "text": "<!channel>"},
                    {"type": "image", "image_url": "https://x/?a=1&b=2", "alt_text": "pic"},
                ],
            },
        ],
    }
    sealed = seal_message(
        {"view": view, "title": "kubectl get <!here>", "initial_comment": "<@U0BOB>"}
    )
    assert sealed["view"]["title"]["text"] == "Q &lt;1&gt;"
    assert sealed["view"]["blocks"][0]["label"]["text"] == "a&amp;b"
    # An input's initial value is shown as typed, never parsed: controls visible, nothing escaped.
    assert sealed["view"]["blocks"][0]["element"]["initial_value"] == "typed <x> <U+202E>"
    assert sealed["view"]["blocks"][1]["elements"][0]["text"] == "&lt;!channel&gt;"
    assert sealed["view"]["blocks"][1]["elements"][1]["image_url"] == "https://x/?a=1&b=2"
    assert (
        sealed["title"] == "kubectl get &lt;!here&gt;"
        and sealed["initial_comment"] == "&lt;@U0BOB&gt;"
    )
    assert view["title"]["text"] == "Q <1>"  # the caller's message is not changed


def test_decode_undoes_only_slacks_three_entities_once():
    assert (
        decode_slack_text("a &amp;lt; b &lt;!here&gt; &quot;x&quot; &#8238;")
        == "a &lt; b <!here> &quot;x&quot; &#8238;"
    )
