"""The solution rule as pure functions: open after an attempt that got somewhere (a passing
check, or every hint seen), and the one line that says what opens it otherwise; the solution
itself ends with the commands to run on the files it shows."""

from __future__ import annotations

from bot.exercises import load_exercises
from bot.exercises.workshop import locked_solution_text, solution_text, solution_unlocked
from bot.messages.limits import MAX_SECTION_TEXT
from bot.messages.text import escape_mrkdwn
from bot.store.exercises import ExerciseResult
from tests.harness.paths import EXERCISES


def result(*, best: int, ever: bool = False) -> ExerciseResult:
    return ExerciseResult("U0ALICE", 3, ever, ever, 2, "Exercise 3", best)


def test_a_solution_opens_after_a_passing_check_or_every_hint() -> None:
    assert not solution_unlocked(None, 0, 3)
    assert not solution_unlocked(result(best=0), 0, 3)  # checked, nothing passed
    assert not solution_unlocked(result(best=0), 2, 3)  # two hints of three
    assert solution_unlocked(result(best=1), 0, 3)
    assert solution_unlocked(
        result(best=0, ever=True), 0, 3
    )  # a result recorded before best_passed existed
    assert solution_unlocked(None, 3, 3)
    assert not solution_unlocked(None, 0, 0)  # no hints: only a passing check opens it


def test_the_locked_answer_says_what_opens_it() -> None:
    assert locked_solution_text(3, 1, 3) == (
        "Try it first: the solution to exercise 3 opens once one of its checks passes (`/exercise check 3`), "
        "or once you have seen every hint (`/exercise hint 3`: 1 of 3 so far). "
        "The instructor can also release it for everyone."
    )
    assert "hint" not in locked_solution_text(5, 0, 0)


def test_the_solution_shows_each_file_then_the_commands() -> None:
    exercise = next(e for e in load_exercises(EXERCISES) if e.number == 4)
    text = solution_text(exercise, [("web-client.yaml", "kind: Pod")])
    assert text == (
        "*Solution to exercise 4*: The Pod web-client (busybox 1.37) fetching http://web every 5 "
        "seconds, and the Deployment web scaled to 4.\nSave as `web-client.yaml`:\n```\nkind: Pod\n```\n"
        "Then run:\n```\nkubectl apply -f web-client.yaml\nkubectl scale deployment web --replicas=4\n```"
    )


def test_every_shipped_solution_fits_one_section_and_ends_with_its_commands() -> None:
    for exercise in load_exercises(EXERCISES):
        folder = EXERCISES.parents[1] / exercise.solution.path
        files = [
            (p.name, p.read_text(encoding="utf-8").strip()) for p in sorted(folder.glob("*.yaml"))
        ]
        text = solution_text(exercise, files)
        assert len(text) <= MAX_SECTION_TEXT, exercise.number  # nothing cut: the YAML stays whole
        assert all(f"`{name}`:\n```\n{escape_mrkdwn(body)}\n```" in text for name, body in files)
        assert text.endswith("Then run:\n```\n" + "\n".join(exercise.solution.run) + "\n```")


def test_a_file_too_long_for_one_message_says_it_is_cut() -> None:
    exercise = next(e for e in load_exercises(EXERCISES) if e.number == 4)
    text = solution_text(exercise, [("big.yaml", "x" * 5000)])
    assert (
        "_`big.yaml` is cut here at 2,400 of 5,000 characters: ask the instructor for the whole file._"
        in text
    )
    assert (
        text.endswith("kubectl scale deployment web --replicas=4\n```")
        and len(text) <= MAX_SECTION_TEXT
    )
