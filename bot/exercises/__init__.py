"""Exercises as data (slides/exercises/*.yaml) and a read-only, declarative check engine:
`load_exercises` → `check_exercise(gateway, exercise, namespace)` → `report_lines(report)`."""

from bot.exercises.render import report_lines, result_line, summary_line
from bot.exercises.runner import CheckReport, CheckResult, check_exercise
from bot.exercises.spec import Exercise, ExerciseError, Solution, load_exercise, load_exercises

__all__ = [
    "CheckReport",
    "CheckResult",
    "Exercise",
    "ExerciseError",
    "Solution",
    "check_exercise",
    "load_exercise",
    "load_exercises",
    "report_lines",
    "result_line",
    "summary_line",
]
