"""The linter: the real decks are clean; seeded problems are each reported with their slide."""

from __future__ import annotations

import argparse
import io
from pathlib import Path

from bot.slides import cli
from bot.slides.lint import lint_paths
from tests.harness.paths import COURSE, SLIDES

FRONT = "---\ntitle: T\nauthor: A\ndescription: D\n---\n\n"


def _run(*argv: str) -> tuple[int, str]:
    parser = argparse.ArgumentParser()
    cli.add_parser(parser.add_subparsers(dest="mode"))
    out = io.StringIO()
    return cli.run(parser.parse_args(["slides", "lint", *argv]), out), out.getvalue()


def test_the_course_is_clean() -> None:
    assert [str(p) for p in lint_paths([COURSE])] == []
    code, out = _run(str(COURSE))
    assert code == 0 and "OK" in out


def test_default_lints_every_deck_in_slides(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(SLIDES.parent)
    code, out = _run()
    assert code == 0, out
    assert "kubernetes-101.md" in out


def test_course_images_exist_with_their_source() -> None:
    from bot.slides.deck import load_deck

    deck = load_deck(COURSE)
    images = {image.path for slide in deck.slides for image in slide.images}
    assert images
    for path in images:
        png = SLIDES / path
        assert png.is_file() and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", path
        assert png.with_suffix(".dot").is_file(), f"{path} has no Graphviz source beside it"


def test_seeded_problems(tmp_path: Path) -> None:
    many = "\n\n".join(f"![picture {i}](images/ok.png)" for i in range(60))
    deck = tmp_path / "bad.md"
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "ok.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    deck.write_text(
        FRONT + "# " + "Long title " * 20 + "\n\ntext\n\n---\n\n"  # 2: header over 150
        "# Pictures\n\n![](images/ok.png)\n\n![Gone](images/missing.png)\n\n---\n\n"  # 2
        "# Many\n\n" + many + "\n\n---\n\n"  # 3: > 50 blocks
        "# Commands\n\n```kubectl\nkubectl apply -f x.yaml\nget pods -A\nget pods\n```\n\n---\n\n"  # 4
        "no heading here\n\n---\n\n"  # 5
        "# Break\nText right under\n---\n\nmore\n\n---\n\n"  # 6: setext heading
        "<!-- exercise: one -->\n\n# Ex\n\n<div>x</div>\n"  # 7
    )
    problems = lint_paths([deck])
    by_slide: dict[int | None, list[str]] = {}
    for problem in problems:
        by_slide.setdefault(problem.slide, []).append(problem.message)
    assert any("a Slack header holds 150" in m for m in by_slide[1])
    assert any("no alt text" in m for m in by_slide[2])
    assert any("missing.png is not on disk" in m for m in by_slide[2])
    assert any("blocks; a message holds 50" in m for m in by_slide[3])
    commands = " ".join(by_slide[4])
    assert (
        "`apply -f x.yaml` would not run" in commands and "`get pods -A` would not run" in commands
    )
    assert "`get pods` would" not in commands
    assert any("no heading" in m for m in by_slide[5])
    assert any("makes that text a heading" in m for m in by_slide[6])
    assert any("whole number" in m for m in by_slide[7])
    assert any("HTML block" in m for m in by_slide[7])

    code, out = _run(str(deck))
    assert code == 1
    assert f"{deck}:" in out and "slide 3:" in out
    assert out.strip().endswith(f"{len(problems)} problems in 1 deck.")


def test_deck_level_problems(tmp_path: Path) -> None:
    missing = tmp_path / "meta.md"
    missing.write_text(
        "---\ntitle: T\n---\n\n<!-- exercise: 1 -->\n\n# A\n\n---\n\n<!-- exercise: 1 -->\n\n# B\n"
    )
    messages = [p.message for p in lint_paths([missing])]
    assert "front matter has no `author:`" in messages
    assert "front matter has no `description:`" in messages
    assert "exercise 1 is on slides 1 and 2" in messages

    broken = tmp_path / "broken.md"
    broken.write_text("---\ntitle: [\n---\n# A\n")
    [problem] = lint_paths([broken])
    assert problem.slide is None and "not valid YAML" in problem.message
    code, _ = _run(str(tmp_path / "nowhere.md"))
    assert code == 1


def test_too_long_buttons_and_sections_are_caught() -> None:
    from bot.slides.lint import check_blocks

    blocks = [
        {"type": "header", "text": {"type": "plain_text", "text": "x" * 151}},
        {"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": "x"}] * 11},
        {
            "type": "actions",
            "elements": [
                {
                    "type": "button",
                    "text": {"type": "plain_text", "text": "b" * 76},
                    "action_id": "a" * 256,
                    "value": "v" * 2001,
                }
            ]
            * 26,
        },
        {"type": "image", "alt_text": "", "slack_file": {"id": "F1"}},
    ]
    problems = " | ".join(check_blocks(blocks))
    for expected in (
        "a header holds 150",
        "a section holds 3000",
        "a context holds 10",
        "an actions block holds 25",
        "Slack allows 75",
        "Slack allows 2000",
        "action_id must be 1–255",
        "alt text",
        "action_id used twice",
    ):
        assert expected in problems, expected


def test_an_exercise_command_also_written_elsewhere_is_reported(tmp_path: Path) -> None:
    # On the exercise slide its ▶ must read the presser's namespace; shared with a demo slide, it
    # would read the sandbox.
    deck = tmp_path / "shared.md"
    deck.write_text(
        FRONT
        + "# Demo\n\n```kubectl\nget deploy hello\nget pods\n```\n\n---\n\n<!-- exercise: 1 -->\n\n"
        "# Exercise 1: E\n\n```kubectl\nget deploy hello\nget deploy/hello -o wide\n```\n"
    )
    problems = lint_paths([deck])
    assert [(p.slide, p.message.split(" is also")[0]) for p in problems] == [
        (2, "```kubectl command `get deploy hello`")
    ]
    assert "not the presser's namespace" in problems[0].message
