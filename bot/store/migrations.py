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
    # 2: exercise attempts, hints shown, released solutions; the instructor's question queue.
    """
    CREATE TABLE exercise_results (
        user_id    TEXT NOT NULL,
        exercise   INTEGER NOT NULL,
        passed     INTEGER NOT NULL,   -- 0/1: the latest check
        ever_passed INTEGER NOT NULL,  -- 0/1: any check so far
        attempts   INTEGER NOT NULL,
        summary    TEXT NOT NULL,      -- e.g. "3/4 checks passed"
        checked_at REAL NOT NULL,
        PRIMARY KEY (user_id, exercise)
    );
    CREATE TABLE exercise_hints (
        user_id  TEXT NOT NULL,
        exercise INTEGER NOT NULL,
        shown    INTEGER NOT NULL,     -- how many hints this person has seen
        PRIMARY KEY (user_id, exercise)
    );
    CREATE TABLE released_solutions (
        exercise    INTEGER PRIMARY KEY,
        released_by TEXT NOT NULL,
        released_at REAL NOT NULL
    );
    CREATE TABLE questions (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        channel_id  TEXT NOT NULL,     -- where it was asked (the room)
        user_id     TEXT NOT NULL,
        anonymous   INTEGER NOT NULL,
        text        TEXT NOT NULL,
        deck_key    TEXT,              -- the slide on screen when it was asked, if any
        slide       INTEGER,
        status      TEXT NOT NULL DEFAULT 'open',   -- open | answered | hidden
        message_ts  TEXT,              -- its post in the questions thread
        asked_at    REAL NOT NULL
    );
    CREATE INDEX questions_by_channel ON questions (channel_id, status);
    CREATE TABLE question_votes (
        question_id INTEGER NOT NULL REFERENCES questions (id),
        user_id     TEXT NOT NULL,
        PRIMARY KEY (question_id, user_id)
    );
    CREATE TABLE question_threads (
        channel_id TEXT PRIMARY KEY,   -- the room's "Questions" thread parent
        ts         TEXT NOT NULL
    );
    """,
    # 3: events already answered (mentions, DMs), so Slack's redeliveries are answered once.
    """
    CREATE TABLE processed_events (
        event_id TEXT PRIMARY KEY,     -- Slack's event_id (same over HTTP and Socket Mode)
        seen_at  REAL NOT NULL         -- epoch seconds; rows older than a day are pruned
    );
    CREATE INDEX processed_events_by_age ON processed_events (seen_at);
    """,
    # 4: the audit log: every command, who asked, where, what ran, how it ended.
    """
    CREATE TABLE audit (
        id           INTEGER PRIMARY KEY AUTOINCREMENT,
        at           REAL NOT NULL,
        user_id      TEXT,
        channel_id   TEXT,
        source       TEXT NOT NULL,    -- slash, mention, dm, button, share
        text         TEXT NOT NULL,    -- as typed (bounded)
        verb         TEXT NOT NULL,
        command_line TEXT,             -- what ran, e.g. kubectl get pods -n sandbox
        outcome      TEXT NOT NULL,    -- ok, refused, error, rate_limited, internal
        millis       INTEGER NOT NULL
    );
    CREATE INDEX audit_by_time ON audit (at);
    CREATE INDEX audit_by_user ON audit (user_id, at);
    """,
    # 5: the key that signs button values, and the Share buttons already pressed (each posts once).
    """
    CREATE TABLE signing_keys (
        name TEXT PRIMARY KEY,         -- what the key signs, e.g. 'buttons'
        key  BLOB NOT NULL             -- 32 random bytes, made on first start
    );
    CREATE TABLE shared_answers (
        button_id  TEXT PRIMARY KEY,   -- the Share button's answer key: one post per button
        user_id    TEXT NOT NULL,
        channel_id TEXT,
        shared_at  REAL NOT NULL
    );
    """,
    # 6: slide images per workspace. A Slack file ID belongs to one workspace and can go bad
    # (retention, deletion); an upload is usable in a message only once Slack has processed it.
    # The IDs of version 1 say neither, so they are dropped: each image is uploaded once more.
    """
    CREATE TABLE slack_images (
        team_id     TEXT NOT NULL,     -- the workspace (auth.test team_id)
        digest      TEXT NOT NULL,     -- sha256 of the image bytes
        file_id     TEXT NOT NULL,
        processed   INTEGER NOT NULL DEFAULT 0,  -- 1 once files.info showed it processed
        uploaded_at REAL NOT NULL,
        PRIMARY KEY (team_id, digest)
    );
    CREATE INDEX slack_images_by_file ON slack_images (file_id);
    DROP TABLE slack_files;
    """,
    # 7: instructors' runtime switches (e.g. kubectl access off for everyone), kept over restarts,
    # and when each person's latest kubectl access file expires (never the token itself).
    """
    CREATE TABLE switches (
        name       TEXT PRIMARY KEY,   -- e.g. 'access'
        enabled    INTEGER NOT NULL,   -- 1 on, 0 off
        changed_by TEXT NOT NULL,      -- the instructor's Slack user ID
        changed_at REAL NOT NULL
    );
    CREATE TABLE access_issued (
        user_id    TEXT PRIMARY KEY,   -- Slack user ID
        expires_at REAL NOT NULL,      -- epoch seconds: when their latest file stops working
        issued_at  REAL NOT NULL
    );
    """,
    # 8: the most checks a person ever had passing on an exercise: a solution opens after an
    # attempt that got somewhere (at least one passing check), not after any check at all.
    """
    ALTER TABLE exercise_results ADD COLUMN best_passed INTEGER NOT NULL DEFAULT 0;
    """,
    # 9: each instructor's room board (`/workshop board`): the DM message that keeps being
    # updated, so after a restart the same message goes on showing the room.
    """
    CREATE TABLE room_boards (
        user_id    TEXT PRIMARY KEY,   -- the instructor's Slack user ID
        channel_id TEXT NOT NULL,      -- their DM with Podium
        ts         TEXT NOT NULL,      -- the board message
        posted_at  REAL NOT NULL
    );
    """,
    # 10: failing pods already told to their participant (once per namespace, owner and reason),
    # so a restart of Podium neither repeats a notification nor loses one not yet sent.
    """
    CREATE TABLE notifications (
        namespace   TEXT NOT NULL,
        owner       TEXT NOT NULL,     -- ReplicaSet/web-7d4f8, Job/pi, Pod/side
        family      TEXT NOT NULL,     -- image, crash, config, oom, unschedulable, job-failed
        user_id     TEXT NOT NULL,     -- who was told
        reason      TEXT NOT NULL,     -- kubectl's word when it was sent
        sent_at     REAL NOT NULL,
        PRIMARY KEY (namespace, owner, family)
    );
    CREATE INDEX notifications_by_user ON notifications (user_id, sent_at);
    """,
    # 11: what each room board shows (a hash of its message), so a restart does not edit a board
    # whose content has not changed.
    """
    ALTER TABLE room_boards ADD COLUMN shown TEXT NOT NULL DEFAULT '';
    """,
)
