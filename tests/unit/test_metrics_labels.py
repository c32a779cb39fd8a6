from bot.metrics import VERBS, Metrics, bounded, slack_method_label
from bot.slack.modes import metrics_access


def test_made_up_values_are_counted_as_other():
    metrics = Metrics()
    for i in range(200):
        metrics.command_answered(f"madeup{i}", "refused", 0.01)
        metrics.kube_request(f"Reason{i}", 0.01)
        metrics.slack_error(f"chat.postMessage{i}!", f"error_{i}")
    body = metrics.exposition()[0].decode()
    assert "madeup" not in body and "Reason1" not in body and "error_1" not in body
    assert 'podium_commands_total{outcome="refused",verb="other"} 200.0' in body
    assert 'podium_kube_api_requests_total{outcome="other"} 200.0' in body
    assert len(body) < 12_000


def test_known_values_keep_their_name():
    assert bounded("get", VERBS) == "get" and bounded("GET", VERBS) == "other"
    assert slack_method_label("chat.postMessage") == "chat.postMessage"
    assert slack_method_label("files.getUploadURLExternal") == "files.getUploadURLExternal"
    assert slack_method_label("<script>") == "other"


def test_metrics_access_token_and_public_port():
    token = "t" * 32
    assert metrics_access(None, None, public_port=True) == 404
    assert metrics_access(None, None, public_port=False) == 200
    assert metrics_access(token, None, public_port=False) == 401
    assert metrics_access(token, f"Bearer {token}x", public_port=True) == 401
    assert metrics_access(token, f"Basic {token}", public_port=True) == 401
    assert metrics_access(token, f"Bearer {token}", public_port=True) == 200
    assert metrics_access(token, f"bearer {token}", public_port=False) == 200
