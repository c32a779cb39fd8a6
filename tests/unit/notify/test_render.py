"""The DM about a failing pod: kubectl's words, the previous log (redacted, escaped once), the
likely cause, the next command, the exercise's hint, the buttons; within Block Kit's limits."""

from __future__ import annotations

import copy
import json
from dataclasses import replace
from typing import Any

from bot.exercises.spec import load_exercises
from bot.exercises.workshop import CHECK_ACTION
from bot.messages.limits import fit_message
from bot.messages.text import seal_message
from bot.notify.diagnose import diagnose_job, diagnose_pod, diagnose_service, known_images
from bot.notify.render import (
    DESCRIBE_ACTION,
    LOGS_ACTION,
    Notice,
    button_command,
    exercise_for,
    exercise_hint,
    likely_cause,
    log_tail,
    next_command,
    render_notice,
)
from tests.harness.paths import EXERCISES, FIXTURES

OBJECTS = json.loads((FIXTURES / "notify" / "failing-pods.json").read_text())
EXERCISE_LIST = load_exercises(EXERCISES)
KNOWN = known_images()


def pod(prefix: str) -> dict[str, Any]:
    return copy.deepcopy(
        next(p for p in OBJECTS["pods"] if p["metadata"]["name"].startswith(prefix))
    )


def finding(prefix: str):
    return diagnose_pod(pod(prefix))[0]


def all_text(message: dict[str, Any]) -> str:
    parts = [message["text"]]
    for block in message["blocks"]:
        for obj in (block.get("text"), *(block.get("elements") or ())):
            if isinstance(obj, dict) and isinstance(obj.get("text"), str):
                parts.append(obj["text"])
            elif isinstance(obj, dict) and isinstance(obj.get("text"), dict):
                parts.append(obj["text"]["text"])
    return "\n".join(parts)


def buttons(message: dict[str, Any]) -> dict[str, str]:
    [actions] = [b for b in message["blocks"] if b["type"] == "actions"]
    return {e["text"]["text"]: e for e in actions["elements"]}


def test_a_typo_dm_names_the_pods_the_reason_the_typo_and_the_fix():
    pods = [p for p in OBJECTS["pods"] if p["metadata"]["name"].startswith("web-")]
    findings = tuple(diagnose_pod(p)[0] for p in pods)
    message = render_notice(Notice(findings), KNOWN)
    text = all_text(message)
    assert message["blocks"][0]["text"]["text"] == "Deployment web: 2 Pods in ImagePullBackOff"
    for p in pods:
        assert p["metadata"]["name"] in text
    assert 'Back-off pulling image "ngnix"' in text
    assert "did you mean `nginx`?" in text
    assert "kubectl set image deployment/web web=nginx -n ws-u0alice" in text
    assert set(buttons(message)) == {"Describe"}  # no log before the image is pulled


def test_a_crash_loop_dm_carries_the_previous_log_lines_redacted_and_the_logs_button():
    log = "".join(f"line {i}\n" for i in range(30)) + "starting\npassword=hunter2\n"
    message = render_notice(
        Notice((finding("side"),), logs=log, logs_from="side, container writer, previous run"),
        KNOWN,
    )
    text = all_text(message)
    assert "line 22" in text and "line 21" not in text  # the last 10 lines
    assert "hunter2" not in text and "password=[redacted: password]" in text
    assert "kubectl logs side -c writer --previous -n ws-u0alice" in text
    assert "exits with exit code 1" in text
    shown = buttons(message)
    assert shown["Show logs"]["value"] == "logs side -c writer --previous -n ws-u0alice"
    assert shown["Describe"]["value"] == "describe pod side -n ws-u0alice"


def test_hostile_names_and_log_lines_are_escaped_exactly_once():
    hostile = pod("side")
    hostile["metadata"]["name"] = "x<!channel>&*y"
    hostile["status"]["containerStatuses"][1]["state"]["waiting"]["message"] = (
        "boom <!here> & *bold*"
    )
    notice = Notice(tuple(diagnose_pod(hostile)), logs="<!channel> ping & *stars*\n<@U123>\n")
    sent = fit_message(seal_message(render_notice(notice, KNOWN)))  # as the Web API client sends it
    text = all_text(sent)
    assert "<!channel>" not in text and "<!here>" not in text and "<@U123>" not in text
    assert "&lt;!channel&gt; ping &amp; *stars*" in text
    assert "x&lt;!channel&gt;&amp;*y" in text
    assert "&amp;amp;" not in text and "&amp;lt;" not in text  # never twice


def test_the_dm_stays_within_block_kits_limits_for_huge_input():
    big = pod("side")
    big["status"]["containerStatuses"][1]["state"]["waiting"]["message"] = "m" * 50_000
    notice = Notice(tuple(diagnose_pod(big)), logs=("x" * 20_000 + "\n") * 50, events=("e" * 5000,))
    message = render_notice(notice, KNOWN)
    assert fit_message(message) == message  # nothing left for the last-line guard to cut
    assert len(message["blocks"][0]["text"]["text"]) <= 150
    assert len(message["text"]) <= 1000


def test_a_missing_configmap_is_the_cause_and_creating_it_the_next_step():
    f = finding("cfg-")
    assert "The ConfigMap `app` does not exist in your namespace" in likely_cause(f, KNOWN)
    assert next_command(f, KNOWN).startswith("kubectl create configmap app ")


def test_unschedulable_names_the_requests_and_oom_the_limit():
    assert "cpu `64`" in likely_cause(finding("big-"), KNOWN)
    assert "lower `resources.requests`" in likely_cause(finding("big-"), KNOWN)
    assert "its limit (`64Mi`)" in likely_cause(finding("hog"), KNOWN)


def test_a_known_image_with_a_bad_tag_blames_the_tag():
    f = replace(finding("web-"), image="nginx:1.277")
    assert "`nginx` exists, but not with the tag `1.277`" in likely_cause(f, KNOWN)
    assert next_command(f, KNOWN).startswith("kubectl describe pod web-")


def test_a_failed_job_has_describe_and_logs_of_the_job():
    [job] = diagnose_job(OBJECTS["jobs"][0])
    message = render_notice(Notice((job,), logs="boom\n", logs_from="jb-dp2k7"), KNOWN)
    assert message["blocks"][0]["text"]["text"] == "Job jb: BackoffLimitExceeded"
    assert buttons(message)["Show logs"]["value"] == "logs job/jb -n ws-u0alice"
    assert buttons(message)["Describe"]["value"] == "describe job jb -n ws-u0alice"
    assert "boom" in all_text(message)


def test_the_object_is_matched_to_its_exercise_and_the_hint_that_speaks_of_its_reason():
    crash = replace(finding("side"), name="web-with-sidecar", owner="Pod/web-with-sidecar")
    exercise = exercise_for(crash, EXERCISE_LIST)
    assert exercise is not None and exercise.number == 1
    assert "CrashLoopBackOff" in exercise_hint(exercise, crash)
    hello = replace(finding("web-"), deployment="hello", labels={"app": "hello"})
    assert exercise_for(hello, EXERCISE_LIST).number == 2
    assert "ErrImagePull" in exercise_hint(exercise_for(hello, EXERCISE_LIST), hello)
    message = render_notice(Notice((crash,), exercise=exercise), KNOWN)
    check = buttons(message)["Check my exercise"]
    assert (check["action_id"], check["value"]) == (CHECK_ACTION, "1")
    assert "Exercise 1: Multi-container Pod" in all_text(message)
    # The hint's /kubectl commands read the participant's namespace.
    assert "`/kubectl describe pod web-with-sidecar -n ws-u0alice`" in all_text(message)
    assert exercise_for(finding("big-"), EXERCISE_LIST) is None


def test_only_button_values_of_podiums_own_shapes_are_run():
    assert button_command(LOGS_ACTION, "logs side -c writer --previous -n ws-u0alice")
    assert button_command(LOGS_ACTION, "logs job/jb -n ws-u0alice") == "logs job/jb -n ws-u0alice"
    assert button_command(DESCRIBE_ACTION, "describe pod side -n ws-u0alice")
    assert button_command(DESCRIBE_ACTION, "describe job jb -n ws-u0alice")
    for forged in (
        "delete pod side -n ws-u0alice",
        "describe secret db -n ws-u0alice",
        "logs side -n ws-u0alice -A",
        "describe pod side -n ws-u0alice --all-namespaces",
        "logs side -c writer --previous -n ws-u0alice; rm",
        "describe pod Side -n ws-u0alice",
        "x" * 5000,
        "",
    ):
        assert button_command(LOGS_ACTION, forged) is None
        assert button_command(DESCRIBE_ACTION, forged) is None


def test_log_tail_cuts_long_lines_and_keeps_the_last_ones():
    tail = log_tail("a\n" + "y" * 1000 + "\n", lines=2)
    assert tail.startswith("a\n") and len(tail.split("\n")[1]) == 300


def test_a_service_selecting_nothing_suggests_the_label_and_the_fix():
    service = {
        "metadata": {"name": "web", "namespace": "ws-u0alice"},
        "spec": {"selector": {"app": "wbe"}},
    }
    pods = [{"metadata": {"name": "web-1", "namespace": "ws-u0alice", "labels": {"app": "web"}}}]
    [found] = diagnose_service(service, pods)
    message = render_notice(Notice((found,), exercise=exercise_for(found, EXERCISE_LIST)), KNOWN)
    text = all_text(message)
    assert message["blocks"][0]["text"]["text"] == "Service web selects no Pod"
    assert "did you mean `app=web`?" in text
    assert "kubectl set selector service/web 'app=web' -n ws-u0alice" in text
    assert buttons(message)["Describe"]["value"] == "describe svc web -n ws-u0alice"
    assert button_command(DESCRIBE_ACTION, "describe svc web -n ws-u0alice")
    assert "Exercise 3" in text


def test_events_that_repeat_what_happened_or_only_name_the_reason_are_left_out() -> None:
    from bot.notify.render import new_events

    message = 'failed to pull and unpack image "docker.io/library/ngnix:latest": not found'
    events = (
        f'Failed: Failed to pull image "ngnix": {message}',
        "Failed: Error: ErrImagePull",
        'BackOff: Back-off pulling image "ngnix"',
    )
    assert new_events(events, message, "ErrImagePull") == (
        'BackOff: Back-off pulling image "ngnix"',
    )
    assert new_events(events, "something else", "CrashLoopBackOff") == events
    assert new_events(events, "", "CrashLoopBackOff") == events
    assert new_events((), message, "ErrImagePull") == ()
