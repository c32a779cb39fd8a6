"""Slides → Block Kit: Markdown to mrkdwn, escaping, images, buttons, controls, and Slack's limits
for every slide of the course in every way Podium shows it."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.slides.deck import Deck, parse_deck
from bot.slides.lint import check_blocks
from bot.slides.render import (
    BACK_TO_LIVE_ACTION,
    BROWSE_ACTION,
    NEXT_ACTION,
    PREV_ACTION,
    PRIVATE_NEXT_ACTION,
    PRIVATE_PREV_ACTION,
    RUN_ACTION,
    ControlMode,
    button,
    controls_for,
    footer,
    markdown_to_mrkdwn,
    parse_slide_value,
    render_message,
    render_slide,
    render_slide_text,
    speaker_notes_blocks,
)


@pytest.mark.parametrize(
    "markdown, mrkdwn",
    [
        ("**bold** and *it* and _it_ and ~~gone~~", "*bold* and _it_ and _it_ and ~gone~"),
        ("`kubectl get pods`", "`kubectl get pods`"),
        ("a `x<y>&z` b", "a `x&lt;y&gt;&amp;z` b"),
        ("[docs](https://kubernetes.io/docs/)", "<https://kubernetes.io/docs/|docs>"),
        ("[a & b](https://x.io/?q=1&r=2)", "<https://x.io/?q=1&amp;r=2|a &amp; b>"),
        ("<https://kubernetes.io>", "<https://kubernetes.io>"),
        ("Tom & Jerry <3 > 2", "Tom &amp; Jerry &lt;3 &gt; 2"),
        ("ping <!channel> and <@U123>", "ping &lt;!channel&gt; and &lt;@U123&gt;"),
        ("- one\n- two", "• one\n• two"),
        ("- one\n  - nested\n- two", "• one\n    ◦ nested\n• two"),
        ("1. first\n2. second", "1. first\n2. second"),
        ("3. third\n4. fourth", "3. third\n4. fourth"),
        ("```sh\necho <!here> && ls\n```", "```\necho &lt;!here&gt; &amp;&amp; ls\n```"),
        ("```\nx ``` y\n```", "```\nx `\u200b`` y\n```"),
        ("    indented code", "```\nindented code\n```"),
        ("> quoted", "> quoted"),
        ("## Sub heading", "*Sub heading*"),
        ("line one\nline two", "line one line two"),
        ("line one  \nline two", "line one\nline two"),
        ("**bold **word", "**bold **word"),  # not bold in CommonMark either: left as typed
        ("| a | b |\n|---|---|\n| 1 | 22 |", "```\na  b\n1  22\n```"),
        ("para\n\n- item", "para\n\n• item"),
    ],
)
def test_markdown_to_mrkdwn(markdown: str, mrkdwn: str) -> None:
    assert markdown_to_mrkdwn(markdown) == mrkdwn


def test_html_comments_are_dropped_and_other_html_escaped() -> None:
    assert markdown_to_mrkdwn("a <!-- hidden --> b") == "a  b"
    assert markdown_to_mrkdwn("a<br>b") == "a\nb"
    assert markdown_to_mrkdwn("<kbd>x</kbd>") == "&lt;kbd&gt;x&lt;/kbd&gt;"


def _deck(tmp_path: Path, body: str, title: str = "Deck & <Co>") -> Deck:
    return parse_deck(
        f"---\ntitle: {title!r}\nauthor: a\ndescription: d\n---\n\n{body}", tmp_path / "t.md"
    )


def test_slide_blocks(tmp_path: Path) -> None:
    deck = _deck(
        tmp_path,
        "<!-- section: Intro <1> -->\n\n# Hello <world>\n\nSome **text**.\n\n"
        "![w:200 The picture](images/p.png)\n\nAfter.\n\n```kubectl\nkubectl get pods\n```\n\n"
        "<!-- notes -->\n\n---\n\n# Two\n",
    )
    blocks = render_slide(deck, 1, image_refs={"images/p.png": {"id": "F123"}})
    # Escaped when rendered (as Slack will receive it), so its length is measured as sent.
    assert blocks[0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": "Hello &lt;world&gt;", "emoji": True},
    }
    assert blocks[1]["text"]["text"] == "Some *text*."
    assert blocks[2] == {"type": "image", "alt_text": "The picture", "slack_file": {"id": "F123"}}
    assert blocks[3]["text"]["text"] == "After.\n\n```\nkubectl get pods\n```"
    assert blocks[4]["type"] == "actions"
    [run] = blocks[4]["elements"]
    assert run["action_id"] == f"{RUN_ACTION}:0" and run["value"] == "get pods"
    assert run["text"]["text"] == "▶ Run in sandbox"
    assert blocks[5] == {
        "type": "context",
        "elements": [
            {"type": "mrkdwn", "text": "Slide 1/2 · Intro &lt;1&gt; · Deck &amp; &lt;Co&gt;"}
        ],
    }
    assert len(blocks) == 6  # no controls asked for: no actions block at the end
    assert "notes" not in str(blocks)


def test_image_url_and_missing_upload(tmp_path: Path) -> None:
    deck = _deck(tmp_path, "# A\n\n![Cluster <map>](images/c.png)\n")
    [_, image, _] = render_slide(deck, 1, image_refs={"images/c.png": "https://example.com/c.png"})
    assert image == {
        "type": "image",
        "alt_text": "Cluster <map>",
        "image_url": "https://example.com/c.png",
    }
    [_, fallback, _] = render_slide(deck, 1)
    assert fallback["type"] == "context"
    assert "Cluster &lt;map&gt;" in fallback["elements"][0]["text"]


def test_refused_commands_get_no_button(tmp_path: Path) -> None:
    deck = _deck(tmp_path, "# A\n\n```kubectl\nkubectl get pods -A\nkubectl delete pod x\n```\n")
    blocks = render_slide(deck, 1)
    assert not [b for b in blocks if b["type"] == "actions"]


def test_several_commands_are_labelled_and_unique(tmp_path: Path) -> None:
    deck = _deck(
        tmp_path, "# A\n\n```kubectl\nget pods\nget svc\n```\n\ntext\n\n```kubectl\nget rs\n```\n"
    )
    actions = [b for b in render_slide(deck, 1, run_buttons=True) if b["type"] == "actions"]
    labels = [e["text"]["text"] for a in actions for e in a["elements"]]
    ids = [e["action_id"] for a in actions for e in a["elements"]]
    assert labels == ["▶ kubectl get pods", "▶ kubectl get svc", "▶ Run in sandbox"]
    assert ids == ["slides_run:0", "slides_run:1", "slides_run:2"]
    assert not [b for b in render_slide(deck, 1, run_buttons=False) if b["type"] == "actions"]


def test_controls(course: Deck) -> None:
    last = len(course.slides)
    ids = lambda mode, n: [c["action_id"] for c in controls_for(mode, course, n)]  # noqa: E731
    assert ids(ControlMode.LIVE, 1) == [NEXT_ACTION, BROWSE_ACTION]
    assert ids(ControlMode.LIVE, 5) == [PREV_ACTION, NEXT_ACTION, BROWSE_ACTION]
    assert ids(ControlMode.LIVE, last) == [PREV_ACTION, BROWSE_ACTION]
    assert ids(ControlMode.PRIVATE, 5) == [
        PRIVATE_PREV_ACTION,
        PRIVATE_NEXT_ACTION,
        BACK_TO_LIVE_ACTION,
    ]
    assert ids(ControlMode.NONE, 5) == []
    nxt = controls_for(ControlMode.LIVE, course, 5)[1]
    assert parse_slide_value(nxt["value"]) == ("kubernetes-101", 6)
    assert parse_slide_value("nonsense") is None


def test_controls_and_extra_actions_come_last(course: Deck) -> None:
    extra = [button("✅ Check my work", "exercise_check", "kubernetes-101:1")]
    number = course.exercises[1].number
    blocks = render_slide(
        course,
        number,
        extra_actions=extra,
        controls=controls_for(ControlMode.PRIVATE, course, number),
    )
    assert blocks[-1]["type"] == "actions"
    assert [e["action_id"] for e in blocks[-1]["elements"]] == [
        "exercise_check",
        PRIVATE_PREV_ACTION,
        PRIVATE_NEXT_ACTION,
        BACK_TO_LIVE_ACTION,
    ]
    assert blocks[-2]["type"] == "context"


@pytest.mark.parametrize("mode", list(ControlMode))
def test_every_course_slide_fits_slack(course: Deck, mode: ControlMode) -> None:
    for slide in course.slides:
        refs = {image.path: {"id": "F0000000000"} for image in slide.images}
        extra = [button("✅ Check my work", "exercise_check", "x")] if slide.exercise else []
        for image_refs in ({}, refs):
            blocks = render_slide(
                course,
                slide.number,
                image_refs=image_refs,
                extra_actions=extra,
                controls=controls_for(mode, course, slide.number),
            )
            assert check_blocks(blocks) == [], (slide.number, mode)
            assert blocks[0]["text"]["text"] == slide.title
        assert check_blocks(speaker_notes_blocks(course, slide.number)) == []


def test_course_images_become_image_blocks(course: Deck) -> None:
    slide = next(s for s in course.slides if s.title == "Deployment")
    [image] = slide.images
    blocks = render_slide(course, slide.number, image_refs={image.path: {"id": "F1"}})
    assert [b for b in blocks if b["type"] == "image"] == [
        {"type": "image", "alt_text": image.alt, "slack_file": {"id": "F1"}}
    ]


def test_footer_uses_the_latest_section(course: Deck) -> None:
    kubelet = next(s for s in course.slides if s.title == "kubelet")
    assert (
        footer(course, kubelet.number)
        == f"Slide {kubelet.number}/{len(course.slides)} · Components · Kubernetes 101"
    )
    assert footer(course, 1) == f"Slide 1/{len(course.slides)} · Kubernetes 101"


def test_long_text_is_split_into_sections(tmp_path: Path) -> None:
    paragraphs = "\n\n".join("word " * 150 for _ in range(6))
    code = "\n".join(f"line {i} " + "x" * 60 for i in range(80))
    deck = _deck(tmp_path, f"# Long\n\n{paragraphs}\n\n```\n{code}\n```\n")
    blocks = render_slide(deck, 1)
    sections = [b["text"]["text"] for b in blocks if b["type"] == "section"]
    assert len(sections) > 2
    assert all(len(text) <= 3000 for text in sections)
    assert all(t.startswith("```\n") and t.endswith("\n```") for t in sections if "line " in t)
    assert check_blocks(blocks) == []


def test_long_title_is_cut_for_the_header(tmp_path: Path) -> None:
    deck = _deck(tmp_path, "# " + "t" * 200 + "\n")
    header = render_slide(deck, 1)[0]["text"]["text"]
    assert len(header) == 150 and header.endswith("…")


def test_message_and_text(course: Deck) -> None:
    message = render_message(course, 1, controls=controls_for(ControlMode.LIVE, course, 1))
    assert message["text"] == f"Kubernetes 101 (slide 1/{len(course.slides)})"
    assert message["blocks"][-1]["type"] == "actions"
    demo = next(s for s in course.slides if "describe deploy nginx" in s.commands)
    text = render_slide_text(course, demo.number)
    assert text.startswith(demo.title + "\n")
    assert "[Run in sandbox: /kubectl describe deploy nginx]" in text
    assert "&lt;" not in render_slide_text(
        course, course.exercises[1].number
    )  # not escaped for a terminal


def test_speaker_notes(course: Deck, tmp_path: Path) -> None:
    scheduler = next(s for s in course.slides if s.title == "kube-scheduler")
    blocks = speaker_notes_blocks(course, scheduler.number)
    assert "kube-scheduler" in blocks[0]["elements"][0]["text"]
    assert "round-robin" in blocks[1]["text"]["text"]
    deck = _deck(tmp_path, "# No notes\n")
    assert speaker_notes_blocks(deck, 1) == []  # a divider without notes: nothing to DM


def test_a_run_button_on_an_exercise_slide_says_it_reads_my_namespace(tmp_path: Path) -> None:
    # On an exercise slide ▶ reads the presser's own namespace (bot/slack/slides_command.py).
    deck = _deck(
        tmp_path,
        "# A\n\n```kubectl\nget pods\n```\n\n---\n\n<!-- exercise: 1 -->\n\n# Exercise 1: B\n\n"
        "```kubectl\nget deploy hello\n```\n",
    )
    [plain] = [
        e["text"]["text"]
        for b in render_slide(deck, 1)
        if b["type"] == "actions"
        for e in b["elements"]
    ]
    [mine] = [
        e["text"]["text"]
        for b in render_slide(deck, 2)
        if b["type"] == "actions"
        for e in b["elements"]
    ]
    assert (plain, mine) == ("▶ Run in sandbox", "▶ Run in my namespace")
    assert "[Run in my namespace: /kubectl get deploy hello]" in render_slide_text(deck, 2)
    assert "[Run in sandbox: /kubectl get pods]" in render_slide_text(deck, 1)
