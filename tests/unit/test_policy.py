import pytest

from bot.kubectl.grammar import parse
from bot.kubectl.policy import GetRequest, HelpRequest, Policy, Refusal

POLICY = Policy(("sandbox", "ws-alice"))


def decide(text: str):
    return POLICY.decide(parse(text))


def test_get_pods_defaults_to_the_sandbox():
    request = decide("get pods")
    assert isinstance(request, GetRequest)
    assert (request.kind.plural, request.namespace, request.names) == ("pods", "sandbox", ())
    assert request.command_line == "kubectl get pods -n sandbox"


@pytest.mark.parametrize("text", ["get po", "get pod", "get pods", "get Pod", "get pods.v1" if False else "get po"])
def test_pod_spellings(text):
    request = decide(text)
    assert isinstance(request, GetRequest) and request.kind.plural == "pods"


def test_names_kind_slash_name_and_wide():
    assert decide("get pods a b a").names == ("a", "b")
    request = decide("get pod/web-1 -o wide -n ws-alice")
    assert (request.names, request.output, request.namespace) == (("web-1",), "wide", "ws-alice")
    assert request.command_line == "kubectl get pods web-1 -n ws-alice -o wide"


def test_selector_is_passed_on():
    request = decide("get pods -l app=nginx")
    assert request.selector == "app=nginx"
    assert request.command_line == "kubectl get pods -n sandbox -l app=nginx"


def test_help():
    for text in ("", "help", "--help", "-h", "kubectl"):
        assert isinstance(decide(text), HelpRequest), text


@pytest.mark.parametrize("namespace", ["kube-system", "default", "other"])
def test_namespaces_outside_the_allowlist_are_refused(namespace):
    refusal = decide(f"get pods -n {namespace}")
    assert isinstance(refusal, Refusal)
    assert f"`{namespace}` is outside the workshop" in refusal.message
    assert "`sandbox`" in refusal.message


def test_invalid_namespace_name_is_refused():
    refusal = decide("get pods -n ../../etc")
    assert isinstance(refusal, Refusal) and "not a valid namespace" in refusal.message


def test_all_namespaces_is_refused():
    for text in ("get pods -A", "get pods --all-namespaces", "get pods --all-namespaces=true"):
        refusal = decide(text)
        assert isinstance(refusal, Refusal) and "--all-namespaces" in refusal.message, text
    assert isinstance(decide("get pods --all-namespaces=false"), GetRequest)


@pytest.mark.parametrize(
    "flag",
    ["--kubeconfig=/x", "--context prod", "--cluster prod", "--server https://x", "-s https://x",
     "--token abc", "--user admin", "--as admin", "--as-group system:masters",
     "--insecure-skip-tls-verify", "--as-uid 1", "--client-key k"],
)
def test_identity_and_target_flags_are_refused(flag):
    refusal = decide(f"get pods {flag}")
    assert isinstance(refusal, Refusal)
    assert "is refused" in refusal.message and "read-only sandbox credentials" in refusal.message


def test_identity_flags_are_refused_even_on_help_or_writes():
    assert isinstance(decide("delete pod x --token abc"), Refusal)
    assert "--token" in decide("help --token abc").message


@pytest.mark.parametrize("text", ["get secrets", "get secret db", "get secret/db"])
def test_secrets_are_never_read(text):
    refusal = decide(text)
    assert isinstance(refusal, Refusal) and "never reads Secrets" in refusal.message


@pytest.mark.parametrize("verb", ["apply", "delete", "exec", "port-forward", "edit", "scale", "run", "cp"])
def test_write_verbs_get_read_only_answer(verb):
    refusal = decide(f"{verb} something")
    assert isinstance(refusal, Refusal)
    assert refusal.message.startswith("Podium is read-only")
    assert refusal.hint and "own terminal" in refusal.hint


def test_port_forward_hint_is_correct_syntax():
    assert "8080:80" in decide("port-forward pod/x 8080 8080").hint
    assert "exec -it" in decide("exec x -- bash").hint


def test_unknown_verb_uses_kubectl_words():
    assert decide("frobnicate pods").message == 'unknown command "frobnicate" for "kubectl"'


def test_not_yet_supported_verbs_and_kinds_say_so():
    assert "not available in Podium yet" in decide("describe pod x").message
    assert "not available in Podium yet" in decide("get deployments").message
    assert decide("get foos").message == 'the server doesn\'t have a resource type "foos"'


def test_get_needs_a_kind():
    assert "type of resource" in decide("get").message


def test_watch_is_refused():
    assert "--watch" in decide("get pods -w").message


def test_invalid_names_and_selector_with_names():
    assert "not a valid pod name" in decide("get pod Bad_Name").message
    assert "selector" in decide("get pod a -l app=x").message


def test_output_formats_not_yet_supported():
    refusal = decide("get pods -o yaml")
    assert isinstance(refusal, Refusal) and "-o yaml" in refusal.message
