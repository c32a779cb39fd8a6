from pathlib import Path

import pytest

from bot.conversation.aliases import DEFAULT_ALIASES, aliases_from_settings
from bot.settings import SettingsError, default_mode, load_settings, require_mode


def test_defaults_need_nothing():
    settings = load_settings({})
    assert settings.slack_api_url == "https://slack.com/api/"
    assert settings.port == 3000
    assert (settings.sandbox_namespace, settings.extra_namespaces) == ("sandbox", ())
    assert settings.participant_namespace == "ws-{user}"
    assert settings.state_path is None and settings.state_file == Path("podium-state.db")
    assert settings.post_interval == 1.0
    assert default_mode(settings) == "console"


def test_environment_values():
    settings = load_settings(
        {
            "SLACK_BOT_TOKEN": "xoxb-1",
            "SLACK_SIGNING_SECRET": "s",
            "SLACK_API_URL": "http://127.0.0.1:9/api",
            "PORT": "0",
            "PODIUM_SANDBOX_NAMESPACE": "lab",
            "PODIUM_NAMESPACES": "ws-a, ws-b,lab",
            "PODIUM_INSTRUCTORS": "U012AB,W0XYZ",
            "PODIUM_STATE": "/tmp/x.db",
        }
    )
    assert settings.slack_api_url == "http://127.0.0.1:9/api/"
    assert (settings.sandbox_namespace, settings.extra_namespaces) == (
        "lab",
        ("ws-a", "ws-b", "lab"),
    )
    assert settings.instructors == frozenset({"U012AB", "W0XYZ"})
    assert settings.state_file == Path("/tmp/x.db")
    assert default_mode(settings) == "serve"
    assert "xoxb-1" not in repr(settings) and "***" in repr(settings)


def test_yaml_file_with_environment_winning(tmp_path):
    config = tmp_path / "podium.yaml"
    config.write_text(
        "PORT: 8080\npodium_namespaces: [ws-a, ws-b]\nPODIUM_SANDBOX_NAMESPACE: lab\n"
    )
    settings = load_settings({"PODIUM_CONFIG": str(config), "PORT": "9090"})
    assert settings.port == 9090
    assert (settings.sandbox_namespace, settings.extra_namespaces) == ("lab", ("ws-a", "ws-b"))


@pytest.mark.parametrize(
    "env, named",
    [
        ({"PORT": "http"}, "PORT"),
        ({"PORT": "70000"}, "PORT"),
        ({"SLACK_API_URL": "slack.com"}, "SLACK_API_URL"),
        ({"SLACK_BOT_TOKEN": "xoxp-user"}, "SLACK_BOT_TOKEN"),
        ({"SLACK_APP_TOKEN": "xoxb-1"}, "SLACK_APP_TOKEN"),
        ({"PODIUM_SANDBOX_NAMESPACE": "Sand_Box"}, "PODIUM_SANDBOX_NAMESPACE"),
        ({"PODIUM_NAMESPACES": "ok,no way"}, "PODIUM_NAMESPACES"),
        ({"PODIUM_INSTRUCTORS": "alice"}, "PODIUM_INSTRUCTORS"),
        ({"PODIUM_PARTICIPANTS": "U0ALICE,bob"}, "PODIUM_PARTICIPANTS"),
        ({"KUBECONFIG": "/definitely/not/here"}, "KUBECONFIG"),
        ({"PODIUM_CLUSTER_TIMEOUT": "-1"}, "PODIUM_CLUSTER_TIMEOUT"),
        ({"PODIUM_CONFIG": "/definitely/not/here.yaml"}, "PODIUM_CONFIG"),
        ({"PODIUM_BUDGETS": "ask=5"}, "PODIUM_BUDGETS"),
        ({"PODIUM_BUDGETS": "shout=5/60s"}, "PODIUM_BUDGETS"),
        ({"PODIUM_BUDGETS": "kubectl=5/60s"}, "PODIUM_USER_RATE"),
        ({"PODIUM_MAX_READS": "0"}, "PODIUM_MAX_READS"),
        ({"PODIUM_MAX_READS": "many"}, "PODIUM_MAX_READS"),
        ({"PODIUM_METRICS_TOKEN": "short"}, "PODIUM_METRICS_TOKEN"),
    ],
)
def test_malformed_settings_name_themselves(env, named):
    with pytest.raises(SettingsError) as caught:
        load_settings(env)
    message = str(caught.value)
    assert named in message and "\n" not in message


def test_bad_yaml_and_unknown_keys(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("PORT: [\n")
    with pytest.raises(SettingsError, match="not valid YAML"):
        load_settings({"PODIUM_CONFIG": str(bad)})
    unknown = tmp_path / "unknown.yaml"
    unknown.write_text("SLACK_TOKEN: x\n")
    with pytest.raises(SettingsError, match="unknown setting 'SLACK_TOKEN'"):
        load_settings({"PODIUM_CONFIG": str(unknown)})


def test_modes_require_their_credentials():
    with pytest.raises(SettingsError, match="SLACK_SIGNING_SECRET"):
        require_mode(load_settings({"SLACK_BOT_TOKEN": "xoxb-1"}), "serve")
    with pytest.raises(SettingsError, match="SLACK_APP_TOKEN"):
        require_mode(load_settings({"SLACK_BOT_TOKEN": "xoxb-1"}), "socket")
    require_mode(load_settings({}), "console")
    assert (
        default_mode(load_settings({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1"}))
        == "socket"
    )


def test_in_cluster_when_service_host_is_set_and_no_kubeconfig():
    assert load_settings({"KUBERNETES_SERVICE_HOST": "10.0.0.1"}).in_cluster is True
    assert load_settings({}).in_cluster is False


def test_kubeconfig_as_base64(tmp_path):
    import base64

    import yaml

    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "c", "cluster": {"server": "https://x"}}],
        "users": [{"name": "u", "user": {"token": "t0ken"}}],
        "contexts": [{"name": "x", "context": {"cluster": "c", "user": "u"}}],
        "current-context": "x",
    }
    encoded = base64.b64encode(yaml.safe_dump(config).encode()).decode()
    settings = load_settings(
        {"PODIUM_KUBECONFIG_B64": encoded, "KUBERNETES_SERVICE_HOST": "10.0.0.1"}
    )
    assert settings.kubeconfig_data == config and settings.in_cluster is False
    assert "t0ken" not in repr(settings)
    with pytest.raises(
        SettingsError, match="PODIUM_KUBECONFIG_B64 is not a base64-encoded kubeconfig"
    ):
        load_settings({"PODIUM_KUBECONFIG_B64": "bm90IHlhbWw6IFs="})
    existing = tmp_path / "k"
    existing.write_text("x")
    with pytest.raises(SettingsError, match="not both"):
        load_settings({"PODIUM_KUBECONFIG_B64": encoded, "KUBECONFIG": str(existing)})


def test_aliases_add_redefine_and_remove():
    # Settings keep PODIUM_ALIASES as written; the conversation feature reads it into its table.
    settings = load_settings({"PODIUM_ALIASES": "kgn=get namespaces; kgp=get pods -o wide;\nkd="})
    assert settings.aliases == "kgn=get namespaces; kgp=get pods -o wide;\nkd="
    table = aliases_from_settings(settings)
    assert table["kgn"] == "get namespaces" and table["kgp"] == "get pods -o wide"
    assert "kd" not in table and table["k"] == "kubectl"
    assert load_settings({}).aliases == ""
    assert dict(aliases_from_settings(load_settings({}))) == dict(DEFAULT_ALIASES)


@pytest.mark.parametrize("value", ["kgp get pods", "get=get pods", "kgp=a;kgp=b", "Bad Name=x"])
def test_malformed_aliases_name_the_setting(value):
    with pytest.raises(SettingsError) as caught:
        aliases_from_settings(load_settings({"PODIUM_ALIASES": value}))
    assert str(caught.value).startswith("PODIUM_ALIASES: ") and "\n" not in str(caught.value)


def test_participant_namespace_template():
    assert load_settings({}).participant_namespace == "ws-{user}"
    assert (
        load_settings({"PODIUM_PARTICIPANT_NAMESPACE": "lab-{user}"}).participant_namespace
        == "lab-{user}"
    )
    for bad in ("ws-{name}", "WS_{user}", "ws-{user"):
        with pytest.raises(SettingsError, match="PODIUM_PARTICIPANT_NAMESPACE"):
            load_settings({"PODIUM_PARTICIPANT_NAMESPACE": bad})


def test_budgets_per_family_over_the_defaults():
    settings = load_settings(
        {"PODIUM_BUDGETS": "ask=2/30s, share=0/1s", "PODIUM_USER_RATE": "4/8s"}
    )
    assert settings.budget("ask") == (2, 30.0)
    assert settings.budget("share") == (0, 1.0)  # no limit
    assert settings.budget("exercise") == (10, 60.0)  # the default stays
    assert settings.budget("kubectl") == (4, 8.0)
    assert settings.budget("notify") == (5, 600.0)  # failing-pod DMs: 5 per 10 minutes


def test_participants_are_slack_user_ids():
    settings = load_settings({"PODIUM_PARTICIPANTS": " U0ALICE , W0BOB,"})
    assert settings.participants == frozenset({"U0ALICE", "W0BOB"})
    assert load_settings({}).participants == frozenset()


def test_limits_and_the_metrics_token_never_leak_into_repr():
    settings = load_settings(
        {"PODIUM_MAX_READS": "50", "PODIUM_METRICS_TOKEN": "s3cret-token-0123456789"}
    )
    assert (
        settings.max_reads_per_command == 50 and settings.metrics_token == "s3cret-token-0123456789"
    )
    assert "s3cret" not in repr(settings)
    defaults = load_settings({})
    assert defaults.max_reads_per_command == 20 and defaults.metrics_token is None
