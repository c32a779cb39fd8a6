import json

from hypothesis import given
from hypothesis import strategies as st

from bot.slack.button_values import (
    MAX_VALUE,
    fit_text_field,
    sign_button_value,
    verify_button_value,
)

KEY = b"k" * 32


def test_a_signed_value_verifies_and_gives_back_its_fields():
    value = sign_button_value(KEY, "share", {"k": "abc", "t": "get pods"})
    assert verify_button_value(KEY, "share", value) == {"k": "abc", "t": "get pods"}


def test_unsigned_altered_retargeted_or_foreign_values_are_refused():
    value = sign_button_value(KEY, "share", {"k": "abc", "t": "get pods"})
    data = json.loads(value)
    assert verify_button_value(KEY, "share", json.dumps({"k": "abc", "t": "get pods"})) is None
    assert verify_button_value(KEY, "share", json.dumps({**data, "t": "get cm -o yaml"})) is None
    assert verify_button_value(KEY, "share", json.dumps({**data, "extra": "x"})) is None
    assert verify_button_value(KEY, "run", value) is None  # signed for another button
    assert verify_button_value(b"x" * 32, "share", value) is None  # another Podium's key
    for junk in (None, "", "get pods", "[]", '{"s": 1}', '{"k": ["a"], "s": "x"}', "{"):
        assert verify_button_value(KEY, "share", junk) is None


@given(st.text(max_size=3000))
def test_any_text_fits_slacks_limit_and_still_verifies(text):
    value = fit_text_field(KEY, "share", {"k": "0" * 32, "t": text}, "t")
    assert len(value) <= MAX_VALUE
    fields = verify_button_value(KEY, "share", value)
    assert fields is not None and text.startswith(fields["t"])
