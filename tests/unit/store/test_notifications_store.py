"""Notifications told, once per key, over restarts; the roster of participants."""

from __future__ import annotations

from bot.store import open_database
from bot.store.notifications import NotificationStore

KEY = ("ws-u0alice", "ReplicaSet/web-7d4f8", "image")


async def test_a_key_is_claimed_once_released_on_failure_and_kept_over_a_restart(tmp_path):
    db = await open_database(tmp_path / "state.db")
    store = NotificationStore(db, clock=lambda: 100.0)
    assert await store.claim(KEY, "U0ALICE", "ErrImagePull")
    assert not await store.claim(KEY, "U0ALICE", "ImagePullBackOff")  # the same problem
    await store.release(KEY)
    assert await store.claim(KEY, "U0ALICE", "ImagePullBackOff")
    await db.close()
    db = await open_database(tmp_path / "state.db")
    store = NotificationStore(db)
    assert await store.sent("ws-u0alice") == {KEY: 100.0}
    assert await store.sent("ws-u0bob") == {}
    assert not await store.claim(KEY, "U0ALICE", "ErrImagePull")
    await db.close()


async def test_participants_ran_a_command_checked_an_exercise_or_got_access(tmp_path):
    db = await open_database(tmp_path / "state.db")
    await db.execute(
        "INSERT INTO audit (at, user_id, source, text, verb, outcome, millis) "
        "VALUES (1, 'U0A', 'slash', 'get pods', 'get', 'ok', 1), "
        "(2, NULL, 'slash', 'x', 'x', 'ok', 1)"
    )
    await db.execute(
        "INSERT INTO exercise_results (user_id, exercise, passed, ever_passed, attempts, summary,"
        " checked_at) VALUES ('U0B', 1, 0, 0, 1, '0/4', 1)"
    )
    await db.execute("INSERT INTO access_issued VALUES ('U0C', 10, 1), ('U0A', 10, 1)")
    assert await NotificationStore(db).participants() == ["U0A", "U0B", "U0C"]
    await db.close()
