"""The Kubernetes review of the course deck (issue 15): each corrected claim, as the slide or its
speaker notes now say it, so a later edit cannot quietly bring the old claim back."""

from __future__ import annotations

import re
from itertools import pairwise

from bot.slides.deck import Deck, Slide
from tests.harness.paths import SLIDES


def _slide(course: Deck, title: str) -> Slide:
    [slide] = [s for s in course.slides if s.title == title]
    return slide


def test_pod_containers_restart_in_place_and_pods_never_move(course: Deck) -> None:
    pod = _slide(course, "Pod")
    assert "never repaired" not in pod.markdown
    assert "restarted in place" in pod.markdown and "never moves to another node" in pod.markdown
    assert "CrashLoopBackOff" in pod.markdown
    kubelet = _slide(course, "kubelet")
    assert "restarts containers" in kubelet.markdown
    assert "status to the API server" in kubelet.markdown


def test_only_controllers_are_loops_and_bare_pods_stay_gone(course: Deck) -> None:
    notes = _slide(course, "Desired state").notes
    assert "every component is a loop" not in notes
    assert "API server and etcd are *not* loops" in notes
    assert "bare" in notes and "stays gone" in notes
    assert "*new* Pod" in notes and "new name, new IP" in notes


def test_names_are_unique_per_kind(course: Deck) -> None:
    namespace = _slide(course, "Namespace").markdown
    assert "unique per kind" in namespace
    assert "Names must be unique *within* a namespace" not in namespace


def test_the_short_service_name_works_only_in_its_namespace(course: Deck) -> None:
    reach = _slide(course, "Reach it")
    assert "from the `sandbox` namespace: `http://nginx`" in reach.markdown
    assert "`http://nginx.sandbox`" in reach.markdown and "ws-<id>" in reach.markdown
    assert "other Pods use the name: `http://nginx`" not in reach.markdown
    assert "own namespace only" in reach.notes


def test_ipvs_is_deprecated_in_favour_of_nftables(course: Deck) -> None:
    proxy = _slide(course, "kube-proxy").markdown
    assert re.search(r"IPVS mode is deprecated.*nftables is its successor", proxy)
    assert "iptables, IPVS or nftables" not in proxy


def test_exercise_notes_point_at_the_participants_namespace(course: Deck) -> None:
    exercises = _slide(course, "Exercises").notes
    assert "`ws-<id>`" in exercises and "not in the sandbox" in exercises
    labels = _slide(course, "Labels and selectors").notes
    assert "exercise 3 shows it" in labels and "exercise 4" not in labels


def test_the_kubelet_reports_status_to_the_api_server_in_the_apply_diagram(course: Deck) -> None:
    source = (SLIDES / "images" / "apply-flow.dot").read_text()
    to_runtime = re.findall(r"^\s*kubelet -> runtime \[label=\"([^\"]+)\"", source, re.MULTILINE)
    assert to_runtime and not any("status" in label for label in to_runtime)
    to_api = re.findall(r"^\s*kubelet -> api \[label=\"([^\"]+)\"", source, re.MULTILINE)
    assert any("status" in label for label in to_api), to_api
    [image] = _slide(course, "Putting it together: kubectl apply").images
    assert "reports the Pod's status to the API server" in image.alt


def test_get_nodes_is_shown_not_run(course: Deck) -> None:
    managed = _slide(course, "Managed control planes")
    assert not [c for c in managed.commands if "nodes" in c]  # no ▶ that Podium would refuse
    assert re.search(r"```text\nNAME +STATUS +ROLES +AGE +VERSION\n", managed.markdown)
    assert "ClusterRole" in managed.notes and "Podium refuses `nodes`" in managed.notes


def test_port_forward_with_two_numbers_is_redundant_not_broken(course: Deck) -> None:
    notes = _slide(course, "port-forward").notes
    assert "redundant, not broken" in notes and "warning" in notes


def test_agenda_plans_120_minutes_with_the_access_step_and_a_90_minute_cut(course: Deck) -> None:
    agenda = _slide(course, "Today").notes
    spans = [(int(a), int(b)) for a, b in re.findall(r"^- (\d+)–(\d+) ", agenda, re.MULTILINE)]
    assert spans[0][0] == 0 and spans[-1][1] == 120
    assert all(end == start for (_, end), (start, _) in pairwise(spans))  # no gap, no overlap
    assert "Get my kubectl access" in agenda.split("\n- 10–")[0]
    opening = course.slides[0].notes
    assert "120 minutes" in opening and "For 90 minutes, cut:" in opening
    titles = {s.title for s in course.slides}
    cut = opening.split("For 90 minutes, cut:", 1)[1]
    named = [" ".join(n.split()) for n in re.findall(r'"([^"]+)"', cut)]
    assert len(named) >= 6 and set(named) <= titles, set(named) - titles
    assert "exercise 2" in cut and "access step" in cut
