"""Rendering never exceeds a Block Kit limit (issue 13): slides, speaker notes, answers and
questions, checked as Slack receives them (escaped by `seal_message`) with the same checks the
strict Slack stand-in applies; and `bot.messages.limits`, the guard at the output boundary."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.kubectl.answer import Answer
from bot.messages.limits import (
    MAX_ACTIONS_ELEMENTS,
    MAX_HEADER_TEXT,
    MAX_MESSAGE_BLOCKS,
    MAX_MESSAGE_TEXT,
    MAX_SECTION_TEXT,
    MAX_VIEW_BLOCKS,
    fit_blocks,
    fit_message,
    fit_text,
)
from bot.messages.text import safe, seal_message, trusted
from bot.questions.render import question_message, queue_blocks, top_questions_blocks
from bot.slack.output import answer_message
from bot.slides.deck import load_deck
from bot.slides.lint import check_blocks
from bot.slides.render import (
    RUN_ACTION,
    ControlMode,
    controls_for,
    render_message,
    render_slide,
    speaker_notes_blocks,
)
from bot.store.questions import Question
from podium_devkit.slack_api import block_errors
from podium_devkit.slack_blocks import BlockKitRules

STRICT = BlockKitRules()
# A broken entity at the end of a text: `&`, `&a`, `&am`, `&amp` (no `;`), or an open `<…`.
BROKEN_END = re.compile(r"&[a-z]{0,3}$|<[^>]*$")


def slack_errors(message: dict[str, Any], max_blocks: int = MAX_MESSAGE_BLOCKS) -> list[str]:
    """What the strict stand-in would answer to `message` as sent (after escaping)."""
    sealed = seal_message(message)
    errors = STRICT.message_errors(sealed, max_blocks, block_errors)
    if len(str(sealed.get("text") or "")) > MAX_MESSAGE_TEXT:
        errors.append("msg_too_long")
    return errors


def texts(node: Any) -> list[str]:
    if isinstance(node, list):
        return [t for item in node for t in texts(item)]
    if isinstance(node, dict):
        if node.get("type") in ("mrkdwn", "plain_text") and isinstance(node.get("text"), str):
            return [node["text"]]
        return [t for value in node.values() for t in texts(value)]
    return []


def deck_file(tmp_path: Path, body: str, notes: str = "") -> Path:
    path = tmp_path / "deck.md"
    notes_part = (
        f"\n\n<!--\n{notes}\n-->" if notes.strip() else ""
    )  # speaker notes, as Marp writes them
    path.write_text(
        f"---\ntitle: Limits\nauthor: t\ndescription: d\n---\n\n{body}{notes_part}\n\n---\n\n# End\n"
    )
    return path


# Text that grows when escaped (`<` → `&lt;`), with Slack markup that must stay inert.
def tokens(choices: list[str], min_size: int = 0, max_size: int = 400) -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(choices), min_size=min_size, max_size=max_size).map("".join)


nasty = tokens(list("ab <>&*_`~:\n|") + ["<!channel>", "&amp;", "é", "```"])
line = tokens(list("abc <>&*_") + ["<!here>", "&lt;"], 1, 60)
command = st.sampled_from(
    [
        "get pods",
        "get deployments",
        "describe pod web",
        "get svc -o wide",
        "logs web-1",
        "get nodes",
        "get pods -l 'app=x'",
    ]
)


@st.composite
def slides(draw: st.DrawFn) -> tuple[str, str]:
    parts = [
        "# "
        + draw(st.text(alphabet=st.sampled_from(list("Ab <&>")), min_size=1, max_size=400))
        .strip()
        .replace("\n", " ")
    ]
    for kind in draw(
        st.lists(st.sampled_from(["text", "images", "fence", "code", "list"]), max_size=6)
    ):
        if kind == "text":
            parts.append(draw(nasty).replace("\n", " ") * draw(st.integers(1, 30)))
        elif kind == "images":
            parts.extend(
                f"![{draw(line)}](images/p{i}.png)" for i in range(draw(st.integers(1, 40)))
            )
        elif kind == "fence":
            parts.append(
                "```kubectl\n"
                + "\n".join(f"kubectl {draw(command)}" for _ in range(draw(st.integers(1, 60))))
                + "\n```"
            )
        elif kind == "code":
            parts.append(
                "```\n" + "\n".join(draw(st.lists(line, min_size=1, max_size=300))) + "\n```"
            )
        else:
            parts.append("\n".join(f"- {draw(line)}" for _ in range(draw(st.integers(1, 80)))))
    notes = "\n\n".join(draw(st.lists(nasty, max_size=20)))
    return "\n\n".join(parts), notes


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(slide=slides(), uploaded=st.booleans(), mode=st.sampled_from(list(ControlMode)))
def test_any_slide_renders_within_every_limit(
    tmp_path_factory: Any, slide: tuple[str, str], uploaded: bool, mode: ControlMode
) -> None:
    body, notes = slide
    deck = load_deck(deck_file(tmp_path_factory.mktemp("deck"), body, notes))
    refs = {image.path: {"id": "F0IMAGE"} for image in deck.slide(1).images} if uploaded else {}
    message = render_message(deck, 1, image_refs=refs, controls=controls_for(mode, deck, 1))
    assert slack_errors(message) == []
    assert not any(BROKEN_END.search(t) for t in texts(seal_message(message)["blocks"]))
    # Controls and footer survive any cut.
    assert message["blocks"][-1]["type"] == ("context" if mode is ControlMode.NONE else "actions")
    footers = [b for b in message["blocks"][-2:] if b["type"] == "context"]
    # (A generated line can be a `---` slide separator, so the deck may hold more than 2 slides.)
    assert footers and footers[-1]["elements"][0]["text"].startswith(f"Slide 1/{len(deck.slides)}")
    notes_blocks = speaker_notes_blocks(deck, 1)
    if notes_blocks:  # a slide without notes sends no DM, so there is no message to check
        notes_message = {"text": "notes", "blocks": notes_blocks}
        assert slack_errors(notes_message) == []
        assert not any(BROKEN_END.search(t) for t in texts(seal_message(notes_message)["blocks"]))


@settings(max_examples=80, deadline=None)
@given(
    body=st.text(max_size=12_000),
    preformatted=st.booleans(),
    command_line=st.none() | st.text(max_size=10_000),
    notes=st.lists(st.text(max_size=3_000), max_size=3),
    hint=st.none() | st.text(max_size=5_000),
)
def test_any_answer_renders_within_every_limit(
    body: str, preformatted: bool, command_line: str | None, notes: list[str], hint: str | None
) -> None:
    answer = Answer(
        body,
        ok=False,
        command_line=command_line,
        preformatted=preformatted,
        notes=tuple(notes),
        hint=hint,
    )
    message = answer_message(answer, share_value="s" * 2000, snippet_where="in a snippet")
    assert slack_errors(message) == []
    assert not any(BROKEN_END.search(t) for t in texts(seal_message(message)["blocks"]))


questions = st.builds(
    Question,
    id=st.integers(1, 10**6),
    channel_id=st.just("C0WORKSHOP"),
    user_id=st.just("U0ALICE"),
    anonymous=st.booleans(),
    text=tokens(list("a <>&\n") + ["<!channel>"], max_size=5_000),
    deck_key=st.none() | st.just("k8s"),
    slide=st.none() | st.integers(1, 60),
    status=st.sampled_from(["open", "answered", "hidden"]),
    message_ts=st.none(),
    votes=st.integers(0, 200),
)


@settings(max_examples=80, deadline=None)
@given(
    question=questions,
    others=st.lists(questions, max_size=40),
    title=st.none() | st.text(max_size=300),
)
def test_any_question_renders_within_every_limit(
    question: Question, others: list[Question], title: str | None
) -> None:
    def slide_title(deck: str | None, number: int | None) -> str | None:
        return title

    assert slack_errors(question_message(question, slide_title)) == []
    assert slack_errors({"text": "q", "blocks": queue_blocks(others, slide_title)}) == []
    assert slack_errors({"text": "q", "blocks": top_questions_blocks(others)}) == []


# --- the guard at the output boundary -----------------------------------------------------------

blocks_strategy = st.lists(
    st.one_of(
        st.builds(
            lambda t: {"type": "section", "text": {"type": "mrkdwn", "text": t}},
            st.text(min_size=1, max_size=5000),
        ),
        st.builds(
            lambda t: {"type": "header", "text": {"type": "plain_text", "text": t}},
            st.text(min_size=1, max_size=400),
        ),
        st.builds(
            lambda n, t: {"type": "context", "elements": [{"type": "mrkdwn", "text": t}] * n},
            st.integers(1, 30),
            st.text(min_size=1, max_size=4000),
        ),
        st.builds(
            lambda n, t, v: {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "action_id": f"b{i}",
                        "value": v,
                        "text": {"type": "plain_text", "text": t},
                    }
                    for i in range(n)
                ],
            },
            st.integers(1, 80),
            st.text(min_size=1, max_size=200),
            st.text(max_size=2500),
        ),
        st.just({"type": "divider"}),
    ),
    max_size=150,
)


@settings(max_examples=100, deadline=None)
@given(blocks=blocks_strategy, text=st.text(max_size=50_000))
def test_fit_message_always_fits(blocks: list[dict[str, Any]], text: str) -> None:
    fitted = fit_message(seal_message({"text": text, "blocks": blocks}))
    assert STRICT.message_errors(fitted, MAX_MESSAGE_BLOCKS, block_errors) == []
    assert len(fitted["text"]) <= MAX_MESSAGE_TEXT
    assert not any(BROKEN_END.search(t) for t in texts(fitted["blocks"]))
    view = fit_message(seal_message({"view": {"type": "home", "blocks": blocks}}))
    assert STRICT.blocks_errors(view["view"]["blocks"], MAX_VIEW_BLOCKS, block_errors) == []


@given(text=tokens(list("a<>&") + ["<!here>"], max_size=4000), limit=st.integers(20, 3000))
def test_fit_text_cuts_after_escaping_never_inside_an_entity(text: str, limit: int) -> None:
    escaped = safe(text)
    fitted = fit_text(escaped, limit)
    assert len(fitted) <= limit
    if len(escaped) <= limit:
        assert fitted == escaped
    elif fitted.endswith("more characters not shown)"):
        head, _, note = fitted.rpartition(" … (")
        assert escaped.startswith(head) and not BROKEN_END.search(head)
        assert int(note.split()[0].replace(",", "")) == len(escaped) - len(head)
    else:  # too little room for the note
        assert (
            fitted.endswith("…")
            and escaped.startswith(fitted[:-1])
            and not BROKEN_END.search(fitted[:-1])
        )


def test_fit_blocks_leaves_fitting_blocks_alone_and_keeps_the_controls() -> None:
    small = [{"type": "section", "text": {"type": "mrkdwn", "text": "x"}}]
    assert fit_blocks(small) == small
    controls = {
        "type": "actions",
        "elements": [
            {
                "type": "button",
                "action_id": "n",
                "value": "1",
                "text": {"type": "plain_text", "text": "Next"},
            }
        ],
    }
    footer = {"type": "context", "elements": [{"type": "mrkdwn", "text": "Slide 1/2"}]}
    blocks = [
        {"type": "image", "image_url": f"https://e.x/{i}.png", "alt_text": "p"} for i in range(60)
    ]
    fitted = fit_blocks([*blocks, footer, controls])
    assert len(fitted) == MAX_MESSAGE_BLOCKS
    assert fitted[-2:] == [footer, controls]
    assert fitted[-3]["elements"][0]["text"].startswith(":scissors: … 13 more blocks not shown")


# --- the cases of the issue ----------------------------------------------------------------------


def test_thirty_images_fit_with_a_note(tmp_path: Path) -> None:
    body = "# Pictures\n\n" + "\n\n".join(
        f"Picture {i}\n\n![p{i}](images/p{i}.png)" for i in range(30)
    )
    deck = load_deck(deck_file(tmp_path, body))
    refs = {image.path: {"id": f"F{i}"} for i, image in enumerate(deck.slide(1).images)}
    as_written = render_slide(
        deck, 1, image_refs=refs, controls=controls_for(ControlMode.LIVE, deck, 1), fit=False
    )
    assert len(as_written) == 63  # what issue 13 measured; lint reports it
    assert "63 blocks; a message holds 50" in check_blocks(as_written)
    blocks = render_slide(
        deck, 1, image_refs=refs, controls=controls_for(ControlMode.LIVE, deck, 1)
    )
    assert len(blocks) == 50 and slack_errors({"text": "t", "blocks": blocks}) == []
    assert "14 more blocks not shown" in blocks[-3]["elements"][0]["text"]
    assert blocks[-2]["elements"][0]["text"].startswith("Slide 1/2")
    history = render_slide(deck, 1, image_refs=refs)  # no controls: the footer is last, and stays
    assert len(history) == 50 and history[-1]["elements"][0]["text"].startswith("Slide 1/2")
    assert "more blocks not shown" in history[-2]["elements"][0]["text"]


def test_thirty_commands_become_two_actions_blocks(tmp_path: Path) -> None:
    fence = "\n".join(f"kubectl get pods -l n={i}" for i in range(30))
    deck = load_deck(deck_file(tmp_path, f"# Commands\n\n```kubectl\n{fence}\n```"))
    blocks = render_slide(deck, 1, controls=controls_for(ControlMode.LIVE, deck, 1))
    runs = [
        b
        for b in blocks
        if b["type"] == "actions" and b["elements"][0]["action_id"].startswith(RUN_ACTION)
    ]
    assert [len(b["elements"]) for b in runs] == [MAX_ACTIONS_ELEMENTS, 5]
    assert [e["value"] for b in runs for e in b["elements"]] == [
        f"get pods -l n={i}" for i in range(30)
    ]
    assert slack_errors({"text": "t", "blocks": blocks}) == []


def test_long_alt_text_of_an_image_not_uploaded_fits(tmp_path: Path) -> None:
    deck = load_deck(deck_file(tmp_path, "# Picture\n\n![" + "<&>" * 660 + "](images/p.png)"))
    blocks = render_slide(deck, 1)
    assert slack_errors({"text": "t", "blocks": blocks}) == []
    assert "more characters not shown" in blocks[1]["elements"][0]["text"]


def test_long_title_is_escaped_then_cut(tmp_path: Path) -> None:
    deck = load_deck(deck_file(tmp_path, "# " + "<b> & " * 60))
    header = render_slide(deck, 1)[0]["text"]["text"]
    assert (
        len(header) <= MAX_HEADER_TEXT
        and header.endswith("…")
        and not BROKEN_END.search(header[:-1])
    )


def test_notes_with_one_enormous_line_never_end_in_a_broken_entity(tmp_path: Path) -> None:
    deck = load_deck(deck_file(tmp_path, "# Notes", notes="x" + "<>" * 4000))
    blocks = speaker_notes_blocks(deck, 1)
    sections = [b["text"]["text"] for b in blocks if b["type"] == "section"]
    assert all(len(s) <= MAX_SECTION_TEXT for s in sections)
    assert not any(BROKEN_END.search(s) for s in sections)
    assert "".join(sections).replace("\n\n", "") == "x" + "&lt;&gt;" * 4000


def test_fit_text_keeps_trusted_markup_whole() -> None:
    fitted = fit_text(trusted("a" * 2990) + trusted("<https://example.com|a link>"), 3000)
    assert len(fitted) <= 3000 and fitted.startswith("a" * 2900) and "<https" not in fitted
    assert fitted.endswith("more characters not shown)")


# --- the output boundary, against the strict stand-in ----------------------------------------------


def oversized() -> dict[str, Any]:
    """What a careless builder might write: 60 blocks, 30 buttons, 5,000 characters that grow
    fourfold when escaped, a 200-character header."""
    return {
        "text": "<!channel>" * 5_000,
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": "<b>" * 70}},
            {"type": "section", "text": {"type": "mrkdwn", "text": "<x>&" * 1_250}},
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "action_id": f"b{i}",
                        "value": str(i),
                        "text": {"type": "plain_text", "text": "Go"},
                    }
                    for i in range(30)
                ],
            },
            *(
                {"type": "section", "text": {"type": "mrkdwn", "text": f"line {i}"}}
                for i in range(57)
            ),
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "action_id": "next",
                        "value": "n",
                        "text": {"type": "plain_text", "text": "Next"},
                    }
                ],
            },
        ],
    }


async def test_podium_web_client_and_respond_fit_what_builders_missed(standin: Any) -> None:
    from bot.slack.client import PodiumWebClient
    from bot.slack.respond import ResponseUrls, slack_http_session

    client = PodiumWebClient(token=standin.bot_token, base_url=standin.api_url)
    posted = await client.chat_postMessage(channel="C0WORKSHOP", **oversized())
    assert posted["ok"]
    await client.views_publish(
        user_id="U0ALICE", view={"type": "home", "blocks": oversized()["blocks"] * 2}
    )
    url = standin.new_response_url(channel_id="C0WORKSHOP", user_id="U0ALICE")
    session = slack_http_session(timeout=10)
    try:
        response = await ResponseUrls(session, retry_handlers=[]).respond_for(url)(oversized())
    finally:
        await session.close()
    assert response.status_code == 200
    [stored] = standin.messages("C0WORKSHOP")
    [ephemeral] = standin.ephemerals("C0WORKSHOP", "U0ALICE")
    for message in (stored, ephemeral["message"]):
        blocks = message["blocks"]
        assert len(blocks) == MAX_MESSAGE_BLOCKS
        assert [b["type"] for b in blocks[2:4]] == ["actions", "actions"]  # 30 buttons: 25 + 5
        assert "more characters not shown" in blocks[1]["text"]["text"]
        assert "more blocks not shown" in blocks[-2]["elements"][0]["text"]
        assert blocks[-1]["elements"][0]["action_id"] == "next"  # the controls stay
        assert "<!channel>" not in str(message)
    assert len(standin.home_view("U0ALICE")["blocks"]) == MAX_VIEW_BLOCKS


def test_echo_typed_quotes_at_most_200_characters() -> None:
    from bot.messages.limits import MAX_ECHO, echo_typed

    assert echo_typed("get pods") == "get pods"
    quoted = echo_typed("<!here>" * 100)
    assert len(quoted) <= MAX_ECHO and "&lt;!here&gt;" in quoted and "<!here>" not in quoted
    assert quoted.endswith("more characters not shown)") and not BROKEN_END.search(
        quoted.split(" … (")[0]
    )
