"""Start-up refuses a bad setting that a feature interprets (PODIUM_ALIASES: settings keep it as
written, bot/conversation/aliases.py reads it) before anything is opened."""

from __future__ import annotations

import pytest

from bot.__main__ import main
from bot.app import build_podium
from bot.settings import SettingsError, load_settings


async def test_malformed_aliases_stop_start_up_before_anything_opens(tmp_path):
    """A bad PODIUM_ALIASES is refused by build_podium first: no state file, no cluster client."""
    state = tmp_path / "state.db"
    settings = load_settings({"PODIUM_ALIASES": "get=get pods", "PODIUM_STATE": str(state)})
    with pytest.raises(
        SettingsError, match=r"^PODIUM_ALIASES: 'get' is a kubectl or Podium command"
    ):
        await build_podium(settings)
    assert not state.exists()


def test_the_command_line_says_which_setting_is_wrong_before_starting_anything(monkeypatch, capsys):
    monkeypatch.setenv("PODIUM_ALIASES", "kgp=get pods;kgp=get pods -o wide")
    assert main(["console"]) == 2
    out, err = capsys.readouterr()
    assert out == ""  # the console did not start: no built-in cluster, no banner
    assert err == "podium: PODIUM_ALIASES: 'kgp' is defined twice.\n"
