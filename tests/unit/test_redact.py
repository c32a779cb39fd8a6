from hypothesis import given, strategies as st

from bot.kubectl.redact import REDACTED, redact_credentials


def test_bearer_tokens_and_jwts():
    text, count = redact_credentials(
        "GET /api Authorization: Bearer abcdef0123456789xyz\n"
        "token=eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW0ifQ.c2lnbmF0dXJl"
    )
    assert "abcdef0123456789xyz" not in text and "eyJhbGci" not in text
    assert count >= 2 and "Bearer [REDACTED]" in text


def test_aws_keys():
    text, count = redact_credentials(
        "using AKIAIOSFODNN7EXAMPLE and aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
    )
    assert "AKIAIOSFODNN7EXAMPLE" not in text and "wJalrXUtnFEMI" not in text
    assert count == 2


def test_private_key_blocks_even_when_cut():
    whole = "a\n-----BEGIN RSA PRIVATE KEY-----\nMIIEow\nxyz\n-----END RSA PRIVATE KEY-----\nb"
    text, count = redact_credentials(whole)
    assert "MIIEow" not in text and text.startswith("a\n") and text.endswith("\nb") and count == 1
    cut, count = redact_credentials("-----BEGIN PRIVATE KEY-----\nMIIEvQ\nabc")
    assert "MIIEvQ" not in cut and count == 1


def test_passwords_in_urls_and_settings():
    text, _ = redact_credentials("connecting to postgres://app:hunter22@db:5432/x with password=s3cr3t!")
    assert "hunter22" not in text and "s3cr3t!" not in text
    assert f"postgres://app:{REDACTED}@db" in text


def test_ordinary_output_is_untouched():
    table = "NAME                     READY   STATUS    RESTARTS   AGE\nnginx-755b474f8c-6gwkp   1/1     Running   0          7m"
    assert redact_credentials(table) == (table, 0)
    log = '10.0.0.1 - - [27/Nov/2026:04:00:00 +0000] "GET /index.html HTTP/1.1" 200 615 "-" "curl/8.5.0"'
    assert redact_credentials(log) == (log, 0)


@given(st.text(max_size=400))
def test_never_raises_and_is_idempotent(text):
    once, _ = redact_credentials(text)
    assert redact_credentials(once)[0] == once
