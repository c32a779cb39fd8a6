import json
import logging

from bot.logging_setup import JsonFormatter, RedactingFormatter, redact


def record(message: str, *args: object) -> logging.LogRecord:
    return logging.LogRecord("bot.test", logging.WARNING, __file__, 1, message, args, None)


def test_tokens_are_redacted_in_text_and_json():
    secret = "xoxb-1234-5678-abcdefSECRET"
    for formatter in (RedactingFormatter("%(message)s"), JsonFormatter()):
        line = formatter.format(
            record("calling with %s and Bearer eyJabc.def.ghi and xapp-1-A2-zz", secret)
        )
        assert "SECRET" not in line and "eyJabc" not in line and "xapp-1-A2" not in line
        assert "[redacted]" in line


def test_json_lines_are_structured():
    entry = json.loads(JsonFormatter().format(record("slide %d posted", 7)))
    assert (
        entry["level"] == "warning"
        and entry["logger"] == "bot.test"
        and entry["message"] == "slide 7 posted"
    )
    assert entry["time"].endswith("+00:00")


def test_redact_leaves_ordinary_text_alone():
    assert (
        redact("kubectl get pods -n sandbox answered in 12 ms")
        == "kubectl get pods -n sandbox answered in 12 ms"
    )
