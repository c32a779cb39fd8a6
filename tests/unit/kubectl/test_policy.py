import pytest

from bot.kubectl.grammar import parse
from bot.kubectl.policy import (
    AccessReviewRequest,
    DescribeRequest,
    GetRequest,
    HelpRequest,
    LogsRequest,
    Policy,
    Refusal,
    WatchRequest,
)

POLICY = Policy(("sandbox", "ws-alice"))


def decide(text: str):
    return POLICY.decide(parse(text))


def targets(request: GetRequest):
    return [(kind.plural, names) for kind, names in request.targets]


def test_get_pods_defaults_to_the_sandbox():
    request = decide("get pods")
    assert isinstance(request, GetRequest)
    assert (targets(request), request.namespace) == ([("pods", ())], "sandbox")
    assert request.command_line == "kubectl get pods -n sandbox"


@pytest.mark.parametrize(
    "word, plural",
    [
        ("po", "pods"),
        ("pod", "pods"),
        ("Pod", "pods"),
        ("deploy", "deployments"),
        ("deployments.apps", "deployments"),
        ("rs", "replicasets"),
        ("svc", "services"),
        ("ep", "endpoints"),
        ("cm", "configmaps"),
        ("ev", "events"),
        ("job", "jobs"),
        ("jobs.batch", "jobs"),
        ("ns", "namespaces"),
    ],
)
def test_kubectl_short_names_and_plurals(word, plural):
    request = decide(f"get {word}")
    assert isinstance(request, GetRequest), request
    assert targets(request) == [(plural, ())]


def test_names_kind_slash_name_and_wide():
    assert targets(decide("get pods a b a")) == [("pods", ("a", "b"))]
    request = decide("get pod/web-1 -o wide -n ws-alice")
    assert (targets(request), request.output, request.namespace) == (
        [("pods", ("web-1",))],
        "wide",
        "ws-alice",
    )
    assert request.command_line == "kubectl get pod/web-1 -n ws-alice -o wide"
    assert targets(decide("get pod/a svc/b pod/c")) == [("pods", ("a", "c")), ("services", ("b",))]


def test_mixing_kind_word_and_kind_slash_name_is_kubectls_error():
    assert "resource/name form" in decide("get pods pod/a").message


def test_several_kinds_and_all():
    assert targets(decide("get pods,svc")) == [("pods", ()), ("services", ())]
    assert [k.plural for k in decide("get all").kinds] == [
        "pods",
        "services",
        "deployments",
        "replicasets",
        "jobs",
    ]


def test_output_formats_labels_and_sorting():
    for output in ("wide", "yaml", "json", "name"):
        assert decide(f"get pods -o {output}").output == output
    assert "not supported" in decide("get pods -o jsonpath={.items}").message
    request = decide("get pods --show-labels --sort-by=.status.containerStatuses[0].restartCount")
    assert request.show_labels and request.sort_by == ".status.containerStatuses[0].restartCount"
    assert decide("get pods --sort-by {.metadata.name}").sort_by == ".metadata.name"
    assert (
        decide("get pods --sort-by metadata.creationTimestamp").sort_by
        == ".metadata.creationTimestamp"
    )
    assert "field path" in decide("get pods --sort-by '$(id)'").message


def test_selector_is_passed_on():
    request = decide("get pods -l app=nginx")
    assert request.selector == "app=nginx"
    assert request.command_line == "kubectl get pods -n sandbox -l app=nginx"


def test_help():
    for text in ("", "help", "--help", "-h", "kubectl", "get pods --help"):
        assert isinstance(decide(text), HelpRequest), text


@pytest.mark.parametrize("namespace", ["kube-system", "default", "other"])
def test_namespaces_outside_the_allowlist_are_refused(namespace):
    for verb in ("get pods", "describe pod x", "logs x", "auth can-i list pods"):
        refusal = decide(f"{verb} -n {namespace}")
        assert isinstance(refusal, Refusal), verb
        assert f"`{namespace}` is outside the workshop" in refusal.message
        assert "`sandbox`" in refusal.message


def test_namespace_objects_outside_the_allowlist_are_refused():
    assert "`kube-system` is outside" in decide("get ns kube-system").message
    assert "`default` is outside" in decide("describe namespace default").message
    assert targets(decide("get ns sandbox ws-alice")) == [("namespaces", ("sandbox", "ws-alice"))]


def test_invalid_namespace_name_is_refused():
    refusal = decide("get pods -n ../../etc")
    assert isinstance(refusal, Refusal) and "not a valid namespace" in refusal.message


def test_all_namespaces_is_refused():
    for text in (
        "get pods -A",
        "get pods --all-namespaces",
        "get pods --all-namespaces=true",
        "describe pods -A",
    ):
        refusal = decide(text)
        assert isinstance(refusal, Refusal) and "--all-namespaces" in refusal.message, text
    assert isinstance(decide("get pods --all-namespaces=false"), GetRequest)


@pytest.mark.parametrize(
    "flag",
    [
        "--kubeconfig=/x",
        "--context prod",
        "--cluster prod",
        "--server https://x",
        "-s https://x",
        "--token abc",
        "--user admin",
        "--as admin",
        "--as-group system:masters",
        "--insecure-skip-tls-verify",
        "--as-uid 1",
        "--client-key k",
    ],
)
def test_identity_and_target_flags_are_refused(flag):
    for verb in ("get pods", "logs x", "describe pod x", "auth can-i list pods"):
        refusal = decide(f"{verb} {flag}")
        assert isinstance(refusal, Refusal)
        assert (
            "is refused" in refusal.message and "read-only sandbox credentials" in refusal.message
        )


def test_identity_flags_are_refused_even_on_help_or_writes():
    assert "--token" in decide("delete pod x --token abc").message
    assert "--token" in decide("help --token abc").message


@pytest.mark.parametrize(
    "text",
    [
        "get secrets",
        "get secret db",
        "get secret/db",
        "describe secret db",
        "get pods,secrets",
        "get secrets -o yaml",
    ],
)
def test_secrets_are_never_read(text):
    refusal = decide(text)
    assert isinstance(refusal, Refusal) and "never reads Secrets" in refusal.message


@pytest.mark.parametrize(
    "verb",
    [
        "apply",
        "delete",
        "exec",
        "port-forward",
        "edit",
        "scale",
        "run",
        "cp",
        "create",
        "patch",
        "rollout",
        "label",
        "debug",
        "attach",
    ],
)
def test_write_verbs_get_read_only_answer(verb):
    refusal = decide(f"{verb} something")
    assert isinstance(refusal, Refusal)
    assert refusal.message.startswith("Podium is read-only")
    assert refusal.hint and "own terminal" in refusal.hint


def test_a_verb_alone_gets_a_correct_example_in_the_default_namespace():
    assert (
        decide("port-forward").hint
        == "Run it in your own terminal: `kubectl port-forward pod/POD 8080:80 -n sandbox`"
    )
    assert "kubectl exec -it POD -n sandbox -- sh" in decide("exec").hint
    assert "kubectl apply -f manifest.yaml -n sandbox" in decide("apply").hint


PARTICIPANT = Policy(("sandbox", "ws-u0alice"), own_namespace="ws-u0alice")


@pytest.mark.parametrize(
    ("typed", "instead"),
    [
        ("scale deploy web --replicas=0", "kubectl scale deploy web --replicas=0 -n ws-u0alice"),
        ("apply -f x.yaml", "kubectl apply -f x.yaml -n ws-u0alice"),
        (
            "kubectl set image deploy/hello nginx=nginx:1.28",
            "kubectl set image deploy/hello nginx=nginx:1.28 -n ws-u0alice",
        ),
        ("rollout restart deploy/hello", "kubectl rollout restart deploy/hello -n ws-u0alice"),
        ("port-forward svc/web 8080:80", "kubectl port-forward svc/web 8080:80 -n ws-u0alice"),
        # `-n` goes before `--`: what follows is the command run in the container.
        (
            "exec -it web -- sh -c 'echo hi'",
            "kubectl exec -it web -n ws-u0alice -- sh -c 'echo hi'",
        ),
        # A namespace they named is theirs to name: kubectl with their own credentials decides.
        ("delete pod x -n ws-u0bob", "kubectl delete pod x -n ws-u0bob"),
        ("-n=sandbox delete pod x", "kubectl -n=sandbox delete pod x"),
        ("delete pods --all -A", "kubectl delete pods --all -A"),
        # About nodes, not a namespace: no -n.
        ("drain node-1 --ignore-daemonsets", "kubectl drain node-1 --ignore-daemonsets"),
    ],
)
def test_a_write_hint_keeps_the_persons_words_in_their_own_namespace(typed, instead):
    refusal = PARTICIPANT.decide(parse(typed))
    assert isinstance(refusal, Refusal)
    assert refusal.hint == f"Run it in your own terminal: `{instead}`"


def test_a_write_hint_quotes_for_a_shell_and_keeps_backticks_out_of_inline_code():
    hint = PARTICIPANT.decide(parse("delete pod \"<!channel> &lt;\" 'a`b'")).hint
    # One shell word each, as typed; Slack's inline code cannot hold a backtick: a quote instead.
    assert (
        hint
        == "Run it in your own terminal: `kubectl delete pod '<!channel> &lt;' 'a'b' -n ws-u0alice`"
    )


def test_without_an_own_namespace_the_write_hint_points_at_the_default_namespace():
    assert Policy(("sandbox",)).work_namespace == "sandbox"
    assert decide("scale deploy web --replicas=0").hint.endswith(
        "`kubectl scale deploy web --replicas=0 -n sandbox`"
    )


def test_unknown_and_unanswerable_verbs():
    assert decide("frobnicate pods").message == 'unknown command "frobnicate" for "kubectl"'
    assert "metrics server" in decide("top pods").message
    assert decide("get foos").message == 'the server doesn\'t have a resource type "foos"'
    assert "does not get nodes" in decide("get nodes").message


def test_get_needs_a_kind():
    assert "type of resource to get" in decide("get").message


@pytest.mark.parametrize(
    "text, plural",
    [
        ("get pods -w", "pods"),
        ("get po --watch", "pods"),
        ("get deploy -w", "deployments"),
        ("get deployments.apps -w", "deployments"),
        ("get ep -w", "endpoints"),
        ("get endpoints --watch=true", "endpoints"),
    ],
)
def test_watch_of_pods_deployments_and_endpoints_is_a_watch_request(text, plural):
    request = decide(text)
    assert isinstance(request, WatchRequest)
    assert (request.kind.plural, request.namespace, request.names) == (plural, "sandbox", ())


def test_watch_keeps_the_namespace_selector_and_table_options():
    request = decide("get po -n ws-alice -l app=web -o wide --show-labels -w")
    assert isinstance(request, WatchRequest)
    assert (request.namespace, request.selector, request.wide, request.show_labels) == (
        "ws-alice",
        "app=web",
        True,
        True,
    )
    assert request.command_line == (
        "kubectl get po -n ws-alice -l app=web -o wide --show-labels -w"
    )
    named = decide("get pod web-1 web-1 -w")
    assert isinstance(named, WatchRequest)
    assert named.names == ("web-1",)


@pytest.mark.parametrize(
    "text, says",
    [
        ("get svc -w", "cannot watch services"),
        ("get pods,svc -w", "one kind at a time"),
        ("get all -w", "one kind at a time"),
        ("get events -w", "cannot watch events"),
        ("get pods -o yaml -w", "`-o yaml` cannot be watched"),
        ("get pods -o name -w", "`-o name` cannot be watched"),
        ("get pods --sort-by=.metadata.name -w", "`--sort-by` does not apply to `-w`"),
        ("get pods --field-selector status.phase=Running -w", "`--field-selector` does not apply"),
        ("get pod web -l app=web -w", "name cannot be provided when a selector"),
        ("get pods -A -w", "all-namespaces"),
        ("get pods -n kube-system -w", "outside the workshop namespaces"),
        ("get secrets -w", "never reads Secrets"),
    ],
)
def test_watch_refusals_say_why_in_one_line(text, says):
    refusal = decide(text)
    assert isinstance(refusal, Refusal)
    assert says in refusal.message
    assert "\n" not in refusal.message


def test_watch_refusal_names_what_can_be_watched():
    refusal = decide("get cm -w")
    assert isinstance(refusal, Refusal)
    assert "pods, deployments or endpoints" in refusal.message
    assert refusal.hint is not None and "`get pods -w`" in refusal.hint


def test_watch_is_only_for_get():
    assert "does not apply to `kubectl describe`" in decide("describe pods -w").message
    assert "does not apply to `kubectl logs`" in decide("logs web -w").message


def test_flags_that_do_not_apply_to_the_verb():
    assert "does not apply to `kubectl get`" in decide("get pods --tail 5").message
    assert "does not apply to `kubectl describe`" in decide("describe pod x -o yaml").message


def test_invalid_names_and_selector_with_names():
    assert "not a valid pod name" in decide("get pod Bad_Name").message
    assert "selector" in decide("get pod a -l app=x").message


def test_describe():
    request = decide("describe deploy nginx")
    assert isinstance(request, DescribeRequest)
    assert (request.kind.plural, request.names, request.namespace) == (
        "deployments",
        ("nginx",),
        "sandbox",
    )
    assert request.command_line == "kubectl describe deployments nginx -n sandbox"
    assert decide("describe pods -l app=web").selector == "app=web"
    assert decide("describe deploy").names == ()
    assert decide("describe svc/nginx").names == ("nginx",)
    assert "one kind at a time" in decide("describe pods,svc").message
    assert "does not describe events" in decide("describe events").message


def test_logs():
    request = decide("logs web-1 -c app --tail 20 --since 1h30m -p --timestamps")
    assert isinstance(request, LogsRequest)
    assert (request.target_kind.plural, request.target_name, request.container) == (
        "pods",
        "web-1",
        "app",
    )
    assert (request.tail, request.since_seconds, request.previous, request.timestamps) == (
        20,
        5400,
        True,
        True,
    )
    assert (
        request.command_line
        == "kubectl logs web-1 -n sandbox -c app --tail 20 --since 5400s --previous --timestamps"
    )
    for target, plural in (
        ("deploy/web", "deployments"),
        ("rs/web-1", "replicasets"),
        ("job/batch", "jobs"),
        ("svc/web", "services"),
        ("pod/web", "pods"),
    ):
        assert decide(f"logs {target}").target_kind.plural == plural
    assert decide("logs web-1 sidecar").container == "sidecar"
    assert decide("logs web --all-containers").all_containers


def test_logs_with_a_selector():
    request = decide("logs -l app=nginx --prefix --all-containers --max-log-requests 8 --tail 3")
    assert isinstance(request, LogsRequest)
    assert (request.selector, request.target_kind.plural, request.target_name) == (
        "app=nginx",
        "pods",
        "",
    )
    assert (request.prefix, request.all_containers, request.max_log_requests, request.tail) == (
        True,
        True,
        8,
        3,
    )
    assert request.command_line == (
        "kubectl logs -l app=nginx -n sandbox --all-containers --prefix "
        "--max-log-requests 8 --tail 3"
    )
    assert (
        decide("logs -l app=nginx").tail is None
    )  # fetch_logs applies kubectl's 10 for a selector
    assert decide("logs -l app=nginx -c web").container == "web"
    assert (
        decide("logs web -l app=nginx").message
        == "error: only a selector (-l) or a POD name is allowed"
    )
    assert "--max-log-requests" in decide("logs -l app=nginx --max-log-requests many").message
    assert "longer than" in decide("logs -l " + "a" * 300).message
    assert "--follow" in decide("logs -l app=nginx -f").message  # -f stays refused


def test_logs_refusals():
    follow = decide("logs web -f")
    assert "--follow" in follow.message and "--tail" in follow.hint and "--since" in follow.hint
    assert "--tail" in decide("logs web --tail lots").message
    assert "--since" in decide("logs web --since yesterday").message
    assert "expected" in decide("logs").message
    assert "does not show logs of configmaps" in decide("logs cm/x").message
    assert "only one of -c" in decide("logs web app -c other").message


def test_auth_can_i():
    request = decide("auth can-i list pods")
    assert isinstance(request, AccessReviewRequest)
    assert (request.verb, request.resource, request.group, request.namespace) == (
        "list",
        "pods",
        "",
        "sandbox",
    )
    log = decide("auth can-i get pods/log")
    assert (log.resource, log.subresource) == ("pods", "log")
    deploy = decide("auth can-i create deployments.apps -n ws-alice")
    assert (deploy.resource, deploy.group, deploy.namespace) == ("deployments", "apps", "ws-alice")
    assert (
        decide("auth can-i get secrets").resource == "secrets"
    )  # asking is harmless: nothing is read
    assert "two or three arguments" in decide("auth can-i list").message
    assert "auth can-i" in decide("auth whoami").message


def test_command_lines_quote_like_a_shell_and_skip_namespace_for_cluster_kinds():
    assert (
        decide("get pods -l 'app in (a,b)'").command_line
        == "kubectl get pods -n sandbox -l 'app in (a,b)'"
    )
    assert decide("get ns").command_line == "kubectl get ns"
    assert decide("describe ns sandbox").command_line == "kubectl describe namespaces sandbox"


def test_describe_namespaces_without_names_means_the_workshop_ones():
    request = decide("describe ns")
    assert request.names == ("sandbox", "ws-alice")
    assert "by name" in decide("describe ns -l team=a").message


def test_unknown_flags_are_refused_by_name_but_write_verbs_answer_first():
    assert decide("get pods --frobnicate").message == "unknown flag: --frobnicate"
    assert decide("get pods -Z").message == "unknown flag: -Z"
    assert decide("exec -it web-1 -- sh").message.startswith("Podium is read-only")
