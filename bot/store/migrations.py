"""Schema changes, in order. A migration is never edited once released: add a new one instead.
Each runs in its own transaction and bumps `PRAGMA user_version`."""

from __future__ import annotations

MIGRATIONS: tuple[str, ...] = (
    # 1: live presentations, the messages they posted, private browsing, uploaded images.
    """
    CREATE TABLE presentations (
        channel_id   TEXT PRIMARY KEY,
        deck_key     TEXT NOT NULL,
        slide        INTEGER NOT NULL,
        presenter_id TEXT NOT NULL,
        message_ts   TEXT,            -- the message on screen, the one carrying the buttons
        started_at   REAL NOT NULL,
        updated_at   REAL NOT NULL
    );
    CREATE TABLE slide_posts (
        channel_id TEXT NOT NULL,
        deck_key   TEXT NOT NULL,
        slide      INTEGER NOT NULL,
        ts         TEXT NOT NULL,
        posted_at  REAL NOT NULL,
        PRIMARY KEY (channel_id, ts)
    );
    CREATE INDEX slide_posts_by_slide ON slide_posts (channel_id, deck_key, slide);
    CREATE TABLE browsing (
        user_id     TEXT PRIMARY KEY,
        deck_key    TEXT NOT NULL,
        slide       INTEGER NOT NULL,
        channel_id  TEXT,             -- the room whose deck they browse (for Back to live)
        dm_channel  TEXT NOT NULL,
        message_ts  TEXT NOT NULL
    );
    CREATE TABLE slack_files (
        digest  TEXT PRIMARY KEY,     -- sha256 of the image bytes: re-upload only when changed
        file_id TEXT NOT NULL
    );
    """,
)
