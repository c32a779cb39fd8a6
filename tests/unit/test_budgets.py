from bot.budgets import Budgets, slow_down_line
from bot.settings import load_settings
from tests.harness.clock import ManualClock


def test_the_slow_down_line_says_what_and_when():
    assert slow_down_line("share", 4.2) == (
        "Slow down: you are sending Share presses faster than a workshop needs; try again in 5 s."
    )
    assert slow_down_line("kubectl", 0.1).endswith("try again in 1 s.")


def test_each_family_has_its_own_budget_per_person():
    clock = ManualClock()
    budgets = Budgets(
        load_settings({"PODIUM_USER_RATE": "2/10s", "PODIUM_BUDGETS": "ask=1/60s,upvote=0/1s"}),
        clock=clock,
    )
    assert budgets.spend("ask", "U1") is None
    line = budgets.spend("ask", "U1")
    assert line is not None and "questions" in line and "try again in 60 s" in line
    assert budgets.spend("ask", "U2") is None  # someone else's budget
    assert (
        budgets.spend("kubectl", "U1") is None and budgets.spend("kubectl", "U1") is None
    )  # not ask's
    assert budgets.spend("kubectl", "U1") is not None
    assert all(budgets.spend("upvote", "U1") is None for _ in range(1000))  # 0/1s: no limit
    clock.now = 60.0
    assert budgets.spend("ask", "U1") is None
    assert budgets.spend("share", None) is None  # no person, nothing to count
