"""The exercises of a workshop for people in Slack: show, check, hint, solution, the board.
Checks run read-only in the participant's own namespace; results survive restarts in SQLite.
What an exercise asks is its slide in the deck: `show` sends that slide, rendered the way the
room sees it, so the two cannot say different things."""

from __future__ import annotations

import builtins
from collections.abc import Awaitable, Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from bot.exercises.render import in_own_namespace, report_lines, summary_line
from bot.exercises.runner import ExerciseGateway, check_exercise
from bot.exercises.spec import Exercise
from bot.kubectl.access import participant_namespace
from bot.kubectl.redact import redact_credentials
from bot.messages.blocks import button as _button
from bot.messages.blocks import context as _context
from bot.messages.blocks import section as _section
from bot.messages.limits import MAX_SECTION_TEXT, fit_text
from bot.messages.reply import Reply
from bot.messages.text import Mrkdwn, code_block, join, mrkdwn
from bot.slides.deck import Deck
from bot.slides.render import render_slide
from bot.store.exercises import ExerciseResult, ExerciseStore

CHECK_ACTION = "exercise_check"
HINT_ACTION = "exercise_hint"
MAX_SOLUTION_CHARS = 2_400  # the files; with the summary and the commands, one section block
# The board is one section block: at most this many participants, each on one line.
BOARD_ROWS = 100


class Workshop:
    def __init__(
        self,
        exercises: Sequence[Exercise],
        store: ExerciseStore,
        gateway: ExerciseGateway,
        *,
        namespace_template: str,
        instructors: frozenset[str],
        repository: Path,
        decks: Iterable[Deck] = (),
        leader: Callable[[str], Awaitable[bool]] | None = None,
        on_progress: Callable[[str], None] | None = None,
    ) -> None:
        self._exercises = {exercise.number: exercise for exercise in exercises}
        self._slides = exercise_slides(decks)
        self._store = store
        self._gateway = gateway
        self._template = namespace_template
        self._instructors = instructors
        self._repository = repository  # solution paths are relative to it
        # Who may release solutions and read the board: the rule that drives the slides
        # (PresentingRoom.leads_workshop); without one, the instructors alone.
        self._leader = leader or self._is_instructor
        # Told the person's user ID when they pass an exercise (the room board refreshes); must
        # not block: it only schedules work.
        self._on_progress = on_progress

    @property
    def exercises(self) -> list[Exercise]:
        return [self._exercises[n] for n in sorted(self._exercises)]

    def namespace_for(self, user_id: str) -> str:
        return participant_namespace(self._template, user_id)

    async def list(self, user_id: str) -> Reply:
        if not self._exercises:
            return Reply("This workshop has no exercises (files in `slides/exercises/`).")
        results = {r.exercise: r for r in await self._store.results(user_id)}
        lines = []
        for exercise in self.exercises:
            result = results.get(exercise.number)
            mark = "✅" if result and result.ever_passed else ("❌" if result else "·")
            lines.append(mrkdwn("{} *{}. {}*", mark, exercise.number, exercise.title))
        return Reply(
            mrkdwn(
                "{}\nYour namespace: `{}`. `/exercise show N` for the instructions, "
                "`/exercise check N` when you are done.",
                join("\n", lines),
                self.namespace_for(user_id),
            )
        )

    async def show(self, number: int, user_id: str) -> Reply:
        exercise = self._exercises.get(number)
        if exercise is None:
            return self._unknown(number)
        place = self._slides.get(number)
        if place is None:
            return Reply(
                mrkdwn(
                    "Exercise {}: {} has no slide in the deck (`<!-- exercise: {} -->`), so there "
                    "are no instructions to show. `/exercise hint {}` and `/exercise check {}` work.",
                    number,
                    exercise.title,
                    number,
                    number,
                    number,
                )
            )
        deck, slide = place
        namespace = self.namespace_for(user_id)
        where = _context(
            mrkdwn(
                "Work in your namespace `{}` with your own kubectl (`kubectl apply -f FILE -n {}`); "
                "the ▶ buttons read it for you.",
                namespace,
                namespace,
            )
        )
        blocks = render_slide(
            deck,
            slide,
            extra_blocks=[where],
            extra_actions=[check_button(number), _button("Hint", HINT_ACTION, str(number))],
        )
        return Reply(f"Exercise {number}: {exercise.title}", blocks)

    async def check(self, number: int, user_id: str) -> Reply:
        exercise = self._exercises.get(number)
        if exercise is None:
            return self._unknown(number)
        namespace = self.namespace_for(user_id)
        report = await check_exercise(self._gateway, exercise, namespace)
        if report.namespace_missing:
            return Reply(
                mrkdwn(
                    "Your namespace `{}` does not exist yet (or Podium may not read it), so there "
                    "is nothing to check. Ask the instructor to run `python -m bot participants "
                    "manifests --users {} | kubectl apply -f -`, then check again.",
                    namespace,
                    user_id,
                )
            )
        summary = summary_line(report)
        if report.error is None:
            await self._store.record(
                user_id,
                number,
                passed=report.passed,
                summary=summary,
                passed_checks=report.passed_count,
            )
            if report.passed and self._on_progress is not None:
                self._on_progress(user_id)
        lines = [redact_credentials(line)[0] for line in report_lines(report)]
        closing = (
            ""
            if report.passed or report.error
            else mrkdwn("\nFix what is ❌ and check again; `/exercise hint {}` helps.", number)
        )
        return Reply(
            fit_text(mrkdwn("*{}*\n{}{}", summary, join("\n", lines), closing), MAX_SECTION_TEXT)
        )

    async def hint(self, number: int, user_id: str) -> Reply:
        exercise = self._exercises.get(number)
        if exercise is None:
            return self._unknown(number)
        if not exercise.hints:
            return Reply(
                f"Exercise {number} has no hints; `/exercise show {number}` has the instructions."
            )
        seen = await self._store.hints_seen(user_id, number)
        if seen >= len(exercise.hints):
            shown = len(exercise.hints)
            more = "That was the last hint."
        else:
            shown = await self._store.next_hint(user_id, number)
            more = (
                "That was the last hint."
                if shown == len(exercise.hints)
                else f"`/exercise hint {number}` again for the next one."
            )
        namespace = self.namespace_for(user_id)
        hints = join(
            "\n",
            (
                mrkdwn("{}. {}", i, in_own_namespace(h, namespace))
                for i, h in enumerate(exercise.hints[:shown], 1)
            ),
        )
        return Reply(
            mrkdwn(
                "*Hints for exercise {}* ({} of {}):\n{}\n{}",
                number,
                shown,
                len(exercise.hints),
                hints,
                more,
            )
        )

    async def solution(self, number: int, user_id: str) -> Reply:
        exercise = self._exercises.get(number)
        if exercise is None:
            return self._unknown(number)
        if not await self._leader(user_id) and not await self._store.released(number):
            result = await self._store.result(user_id, number)
            hints_seen = await self._store.hints_seen(user_id, number)
            if not solution_unlocked(result, hints_seen, len(exercise.hints)):
                return Reply(locked_solution_text(number, hints_seen, len(exercise.hints)))
        text = solution_text(exercise, self._solution_files(exercise))
        return Reply(f"Solution to exercise {number}", [_section(fit_text(text, MAX_SECTION_TEXT))])

    async def release(self, number: int, user_id: str) -> Reply:
        if not await self._leader(user_id):
            return Reply(self._leaders_only("release solutions"))
        if number not in self._exercises:
            return self._unknown(number)
        await self._store.release(number, user_id)
        return Reply(
            f"The solution to exercise {number} is open to everyone now (`/exercise solution {number}`)."
        )

    async def board(self, user_id: str) -> Reply:
        if not await self._leader(user_id):
            return Reply(
                self._leaders_only("read `/exercise board`")
                + " `/exercise list` shows your own progress."
            )
        results = await self._store.results()
        if not results:
            return Reply("Nobody has checked an exercise yet.")
        numbers = [e.number for e in self.exercises]
        by_user: dict[str, dict[int, str]] = {}
        for result in results:
            by_user.setdefault(result.user_id, {})[result.exercise] = (
                "✅" if result.ever_passed else "❌"
            )
        header = "Who has passed which exercise (✅ passed, ❌ tried, · not yet):"
        rows = [
            mrkdwn("<@{}>  {}", user, "  ".join(f"{n} {marks.get(n, '·')}" for n in numbers))
            for user, marks in sorted(by_user.items())
        ]
        passed = {n: sum(1 for marks in by_user.values() if marks.get(n) == "✅") for n in numbers}
        totals = "Passed: " + ", ".join(
            f"exercise {n}: {passed[n]}/{len(by_user)}" for n in numbers
        )
        return Reply(
            header,
            [
                _section(
                    fit_text(
                        mrkdwn("{}\n{}", header, join("\n", rows[:BOARD_ROWS])), MAX_SECTION_TEXT
                    )
                ),
                _context(totals),
            ],
        )

    async def _is_instructor(self, user_id: str) -> bool:
        return user_id in self._instructors

    def _leaders_only(self, what: str) -> str:
        if self._instructors:
            return f"Only the instructors {what}."
        return (
            f"Only the person presenting the slides may {what} (nobody is named in PODIUM_INSTRUCTORS); "
            "`/slides start` makes you the presenter."
        )

    async def progress(self, user_id: str) -> builtins.list[str]:  # `list` is a method here
        """Lines for the App Home: each exercise and where this person stands."""
        results = {r.exercise: r for r in await self._store.results(user_id)}
        lines = []
        for exercise in self.exercises:
            result = results.get(exercise.number)
            state = (
                "passed"
                if result and result.ever_passed
                else f"tried {result.attempts}×: {result.summary}"
                if result
                else "not checked yet"
            )
            lines.append(f"{exercise.number}. {exercise.title}: {state}")
        return lines

    def _unknown(self, number: int) -> Reply:
        known = ", ".join(str(n) for n in sorted(self._exercises)) or "none"
        return Reply(
            f"There is no exercise {number}; the exercises are {known}. `/exercise list` shows them."
        )

    def _solution_files(self, exercise: Exercise) -> builtins.list[tuple[str, str]]:
        """(file name, text) of each file of the reference solution."""
        folder = (self._repository / exercise.solution.path).resolve()
        # Only files inside the repository: the path comes from a data file.
        if not folder.is_relative_to(self._repository.resolve()) or not folder.exists():
            return []
        paths = sorted(folder.glob("*.yaml")) if folder.is_dir() else [folder]
        return [(p.name, p.read_text(encoding="utf-8").strip()) for p in paths]


def solution_unlocked(result: ExerciseResult | None, hints_seen: int, hints: int) -> bool:
    """A solution answers an attempt: at least one check once passed, or every hint seen (an
    exercise without hints needs the passing check). Instructors and a release open it anyway."""
    if result is not None and (result.ever_passed or result.best_passed > 0):
        return True
    return hints > 0 and hints_seen >= hints


def locked_solution_text(number: int, hints_seen: int, hints: int) -> str:
    ways = [f"one of its checks passes (`/exercise check {number}`)"]
    if hints:
        ways.append(
            f"you have seen every hint (`/exercise hint {number}`: {hints_seen} of {hints} so far)"
        )
    return (
        f"Try it first: the solution to exercise {number} opens once "
        + ", or once ".join(ways)
        + ". The instructor can also release it for everyone."
    )


def solution_text(exercise: Exercise, files: Sequence[tuple[str, str]]) -> Mrkdwn:
    """The solution as a participant uses it: each file to save under its name, then the
    commands to run with their own kubectl (their kubeconfig sets the namespace)."""
    parts = [mrkdwn("*Solution to exercise {}*: {}", exercise.number, exercise.solution.summary)]
    budget = MAX_SOLUTION_CHARS
    for name, text in files:
        shown = text[: max(budget, 0)]
        budget -= len(shown)
        parts.append(mrkdwn("Save as `{}`:\n{}", name, code_block(shown)))
        if len(shown) < len(text):  # never cut silently (the shipped solutions fit: a test says so)
            parts.append(
                mrkdwn(
                    "_`{}` is cut here at {:,} of {:,} characters: ask the instructor for the whole file._",
                    name,
                    len(shown),
                    len(text),
                )
            )
    parts.append(mrkdwn("Then run:\n{}", code_block("\n".join(exercise.solution.run))))
    return join("\n", parts)


def exercise_slides(decks: Iterable[Deck]) -> dict[int, tuple[Deck, int]]:
    """Exercise number → (deck, slide number) of its `<!-- exercise: N -->` slide; the first deck
    that has one wins (the linter refuses two in one deck)."""
    found: dict[int, tuple[Deck, int]] = {}
    for deck in decks:
        for number, slide in deck.exercises.items():
            found.setdefault(number, (deck, slide.number))
    return found


def check_button(number: int) -> dict[str, Any]:
    return _button("Check my work", CHECK_ACTION, str(number), style="primary")
