"""Asking Podium in words: @mentions, DMs and the App Home. Pure parts only (no Slack, no I/O):
text → what to do (`parsing`), aliases, the registry other features add commands to (`commands`),
questions in plain words → a slide search term (`questions`), and the help text."""
