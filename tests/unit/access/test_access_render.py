"""The pure parts of Get my kubectl access: token lifetime, expiry text, the kubeconfig file, the
DM text, `/workshop` parsing, which cluster address participants get, and the failure lines."""

from __future__ import annotations

import base64
import re
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

from bot.access.render import (
    WorkshopCommand,
    WorkshopUsageError,
    dm_text,
    expiry_text,
    kubeconfig_filename,
    kubeconfig_text,
    parse_workshop,
    sent_line,
    token_seconds,
)
from bot.access.service import NO_SERVER, failure_line, participant_cluster
from bot.kubectl.errors import ClusterError
from bot.ops.kubeconfig import Cluster
from bot.settings import Settings, SettingsError, load_settings

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


def test_tokens_live_the_ttl_or_until_the_end_of_the_workshop_and_at_least_ten_minutes():
    assert token_seconds(NOW, 8 * 3600, None) == 8 * 3600
    assert token_seconds(NOW, 8 * 3600, datetime(2026, 12, 3, 17, 0, tzinfo=UTC)) == 8 * 3600
    assert token_seconds(NOW, 8 * 3600, datetime(2026, 12, 3, 9, 30, tzinfo=UTC)) == 1800
    assert (
        token_seconds(NOW, 8 * 3600, datetime(2026, 12, 3, 9, 5, tzinfo=UTC)) == 600
    )  # almost over
    assert (
        token_seconds(NOW, 8 * 3600, datetime(2026, 12, 2, 17, 0, tzinfo=UTC)) == 600
    )  # already past


def test_expiry_shows_the_date_only_when_it_is_not_today():
    assert expiry_text(datetime(2026, 12, 3, 17, 0, tzinfo=UTC), NOW) == "17:00 UTC"
    assert expiry_text(datetime(2026, 12, 4, 1, 30, tzinfo=UTC), NOW) == "2026-12-04 01:30 UTC"


def test_the_kubeconfig_presets_the_participant_namespace_and_holds_only_the_token():
    cluster = Cluster("https://api.example.com:443", base64.b64encode(b"PEM").decode())
    text = kubeconfig_text(cluster, "tok-123", "ws-u0alice", "participant")
    config = yaml.safe_load(text)
    assert config["clusters"] == [
        {
            "name": "workshop",
            "cluster": {
                "server": "https://api.example.com:443",
                "certificate-authority-data": base64.b64encode(b"PEM").decode(),
            },
        }
    ]
    assert config["users"] == [{"name": "ws-u0alice-participant", "user": {"token": "tok-123"}}]
    [context] = config["contexts"]
    assert context["context"] == {
        "cluster": "workshop",
        "user": "ws-u0alice-participant",
        "namespace": "ws-u0alice",
    }
    assert config["current-context"] == context["name"]
    assert kubeconfig_filename("ws-u0alice") == "podium-ws-u0alice.kubeconfig"


def test_the_dm_explains_how_to_use_the_file_and_never_carries_a_token():
    first = dm_text("ws-u0alice", "podium-ws-u0alice.kubeconfig", "17:00 UTC", again=False)
    assert "export KUBECONFIG=~/Downloads/podium-ws-u0alice.kubeconfig" in first
    assert '$env:KUBECONFIG="$HOME\\Downloads\\podium-ws-u0alice.kubeconfig"' in first
    assert "kubectl --kubeconfig ~/Downloads/podium-ws-u0alice.kubeconfig get pods" in first
    assert "`kubectl auth can-i create deployments`" in first
    assert "only in your namespace `ws-u0alice`" in first and "expires at 17:00 UTC" in first
    assert "<https://kubernetes.io/docs/tasks/tools/|" in first
    assert "earlier" not in first
    again = dm_text("ws-u0alice", "podium-ws-u0alice.kubeconfig", "17:00 UTC", again=True)
    assert "the file you got earlier keeps working until it expires" in again
    assert (
        sent_line("17:00 UTC", again=False)
        == "Sent to your DM with Podium: a kubeconfig file, valid until 17:00 UTC."
    )
    assert sent_line("17:00 UTC", again=True).endswith(
        "Your earlier file keeps working until it expires."
    )


def test_the_dm_escapes_a_namespace_it_did_not_write():
    text = dm_text("<!channel>", "f", "17:00 UTC", again=False)
    assert "<!channel>" not in text and "&lt;!channel&gt;" in text


@pytest.mark.parametrize(
    "text, expected",
    [
        ("", WorkshopCommand("help")),
        ("help", WorkshopCommand("help")),
        ("access", WorkshopCommand("access")),
        ("ACCESS", WorkshopCommand("access")),
        ("access off", WorkshopCommand("off")),
        ("access  On", WorkshopCommand("on")),
        ("access help", WorkshopCommand("help")),
    ],
)
def test_workshop_commands(text, expected):
    assert parse_workshop(text) == expected


@pytest.mark.parametrize("text", ["acces", "access now", "access off please", "slides"])
def test_workshop_usage_errors(text):
    assert isinstance(parse_workshop(text), WorkshopUsageError)


def configuration(
    host="https://10.0.0.1:443", ca: Path | None = None, verify=True
) -> SimpleNamespace:
    return SimpleNamespace(host=host, ssl_ca_cert=str(ca) if ca else None, verify_ssl=verify)


def test_participants_get_the_server_and_ca_podium_uses(tmp_path: Path):
    ca = tmp_path / "ca.crt"
    ca.write_bytes(b"-----BEGIN CERTIFICATE-----\n")
    cluster = participant_cluster(Settings(), configuration(ca=ca))
    assert cluster == Cluster("https://10.0.0.1:443", base64.b64encode(ca.read_bytes()).decode())
    other = tmp_path / "other.crt"
    other.write_bytes(b"OTHER")
    configured = participant_cluster(
        Settings(access_server="https://eks.example.com", access_ca_file=other),
        configuration(ca=ca),
    )
    assert configured == Cluster("https://eks.example.com", base64.b64encode(b"OTHER").decode())
    assert participant_cluster(Settings(), configuration(ca=ca, verify=False)) == Cluster(
        "https://10.0.0.1:443", None, insecure=True
    )  # never a CA with insecure-skip-tls-verify (kubectl refuses)


def test_in_the_cluster_the_server_must_be_configured(tmp_path: Path):
    ca = tmp_path / "ca.crt"
    ca.write_bytes(b"CA")
    assert participant_cluster(Settings(in_cluster=True), configuration(ca=ca)) == NO_SERVER
    assert (
        "PODIUM_ACCESS_SERVER" in NO_SERVER
        and "aws eks describe-cluster --query cluster.endpoint" in NO_SERVER
    )
    cluster = participant_cluster(
        Settings(in_cluster=True, access_server="https://eks.example.com"), configuration(ca=ca)
    )
    assert cluster == Cluster(
        "https://eks.example.com", base64.b64encode(b"CA").decode()
    )  # the in-cluster CA


def test_a_plain_http_server_is_not_handed_out():
    line = participant_cluster(Settings(), configuration(host="http://127.0.0.1:8001"))
    assert isinstance(line, str) and "PODIUM_ACCESS_SERVER" in line
    configured = participant_cluster(
        Settings(access_server="https://eks.example.com"),
        configuration(host="http://127.0.0.1:8001"),
    )
    assert isinstance(configured, Cluster) and configured.server == "https://eks.example.com"


def test_an_unreadable_ca_is_one_line(tmp_path: Path):
    line = participant_cluster(Settings(), configuration(ca=tmp_path / "gone.crt"))
    assert isinstance(line, str) and "cannot read the cluster's CA" in line


@pytest.mark.parametrize(
    "error, start",
    [
        (
            ClusterError("NotFound", 'serviceaccounts "participant" not found', 404),
            "Your namespace ws-u0x is not set up yet: ask the instructor to run `python -m bot participants manifests "
            "--users U0X | kubectl apply -f -`",
        ),
        (
            ClusterError("Forbidden", "cannot create", 403),
            "Podium is not allowed to issue tokens in ws-u0x",
        ),
        (
            ClusterError("Unauthorized", "Unauthorized", 401),
            "Podium is not allowed to issue tokens in ws-u0x",
        ),
        (
            ClusterError("Timeout", "no answer"),
            "The workshop cluster is not answering right now: try again in a minute.",
        ),
        (ClusterError("Unreachable", "refused"), "The workshop cluster is not answering"),
        (ClusterError("InternalError", "boom", 500), "The workshop cluster is not answering"),
        (
            ClusterError("Invalid", "bad", 422),
            "The cluster refused the token request (Invalid): tell the instructor.",
        ),
    ],
)
def test_failure_lines(error, start):
    assert failure_line(error, "ws-u0x", "U0X", instructor=False).startswith(start)


def test_an_instructor_without_a_namespace_is_told_it_must_exist():
    for error in (ClusterError("NotFound", "x", 404), ClusterError("Forbidden", "x", 403)):
        line = failure_line(error, "ws-u0boss", "U0BOSS", instructor=True)
        assert line.startswith(
            "Podium cannot issue you a token for ws-u0boss: instructors get kubectl access"
        )


def test_access_settings():
    settings = load_settings({})
    assert (settings.access_enabled, settings.access_ttl_seconds, settings.access_until) == (
        True,
        8 * 3600,
        None,
    )
    assert settings.participant_service_account == "participant" and settings.budget("access") == (
        5,
        3600.0,
    )
    assert load_settings({"PODIUM_ACCESS_TTL": "90m"}).access_ttl_seconds == 5400
    assert load_settings({"PODIUM_ACCESS_TTL": "1h30m"}).access_ttl_seconds == 5400
    assert load_settings({"PODIUM_ACCESS": "OFF"}).access_enabled is False
    until = load_settings({"PODIUM_ACCESS_UNTIL": "2026-12-03T17:00:00Z"}).access_until
    assert until == datetime(2026, 12, 3, 17, 0, tzinfo=UTC)
    assert (
        load_settings({"PODIUM_ACCESS_SERVER": "https://eks.example.com/"}).access_server
        == "https://eks.example.com"
    )
    assert (
        load_settings({"PODIUM_PARTICIPANT_SERVICE_ACCOUNT": "learner"}).participant_service_account
        == "learner"
    )


@pytest.mark.parametrize(
    "env, named",
    [
        ({"PODIUM_ACCESS": "maybe"}, "PODIUM_ACCESS="),
        ({"PODIUM_ACCESS_TTL": "5m"}, "at least|from 10m"),
        ({"PODIUM_ACCESS_TTL": "49h"}, "to 48h"),
        ({"PODIUM_ACCESS_TTL": "soon"}, "PODIUM_ACCESS_TTL="),
        ({"PODIUM_ACCESS_UNTIL": "5pm"}, "ISO 8601 UTC"),
        ({"PODIUM_ACCESS_UNTIL": "2026-12-03T17:00:00+01:00"}, "ISO 8601 UTC"),
        ({"PODIUM_ACCESS_TTL": "8h", "PODIUM_ACCESS_UNTIL": "2026-12-03T17:00:00Z"}, "not both"),
        ({"PODIUM_ACCESS_SERVER": "http://api.example.com"}, "https URL"),
        ({"PODIUM_ACCESS_CA_FILE": "/nonexistent/ca.crt"}, "no such file"),
        ({"PODIUM_PARTICIPANT_SERVICE_ACCOUNT": "Not_A_Name"}, "not a valid ServiceAccount name"),
    ],
)
def test_bad_access_settings_are_one_clear_line(env, named):
    with pytest.raises(SettingsError) as raised:
        load_settings(env)
    assert re.search(named, str(raised.value)) and "\n" not in str(raised.value)
