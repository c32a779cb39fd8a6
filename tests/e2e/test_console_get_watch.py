"""Issue 17, done when: `get pods -w` updates in place when a pod is deleted and replaced. The
console as a person runs it, a second terminal's real kubectl deleting the pod, and the
console's transcript showing the watch message updated after the command returned."""

from __future__ import annotations

import asyncio
import re

from tests.harness.process import console_session

POD = re.compile(r"\bweb-[a-z0-9]+-[a-z0-9]+\b")
UPDATED = "── updated in #workshop ──"


async def test_console_transcript_shows_a_get_w_update_when_a_pod_is_replaced():
    async with console_session() as console:
        created = await asyncio.to_thread(
            console.kubectl, "create", "deployment", "web", "--image=nginx:1.27", "--replicas=2"
        )
        assert created.returncode == 0, created.stderr
        before: set[str] = set()
        for _ in range(120):  # the controllers make the pods within moments
            listed = await asyncio.to_thread(
                console.kubectl, "get", "pods", "-l", "app=web", "-o", "name"
            )
            before = {line.removeprefix("pod/") for line in listed.stdout.split()}
            if len(before) == 2:
                break
            await asyncio.sleep(0.25)
        assert len(before) == 2, before

        await console.say(b"/kubectl get pods -n ws-u0alice -w\n")

        await console.read_until(
            lambda text: "Watching pods in ws-u0alice in this channel until" in text,
            "the answer saying where the watch is",
        )
        shown = console.text
        assert "── posted in #workshop ──" in shown
        assert "kubectl get pods -n ws-u0alice -w" in shown
        assert all(name in shown for name in before)

        victim = min(before)
        deleted = await asyncio.to_thread(console.kubectl, "delete", "pod", victim, "--wait=false")
        assert deleted.returncode == 0, deleted.stderr

        def replacement_shown(text: str) -> bool:
            # A whole update (its footer read too) whose table has a pod that was not there.
            updates = text.split(UPDATED)[1:]
            return any(
                "started by <@U0ALICE>" in update
                and set(POD.findall(update.split("Changes, newest last:")[0])) - before
                for update in updates
            )

        await console.read_until(replacement_shown, "an update showing the replacement pod")
        text = console.text
        last_update = text.split(UPDATED)[-1]
        table = last_update.split("Changes, newest last:")[0]
        assert victim not in table or re.search(rf"{victim}\s+\S+\s+Terminating", table), table
        assert "started by <@U0ALICE>" in last_update
        print(text)  # the transcript, for the closing note (pytest -s)
        out, err = await console.type(b"")  # Ctrl-D: the console quits, the watch with it
    assert console.process.returncode == 0, err
    # Its last update, printed before the console ends.
    [stopped] = out.split(UPDATED)[1:]
    assert "stopped watching at" in stopped and "Podium is shutting down" in stopped, out
    assert "watch again with `/kubectl get pods -n ws-u0alice -w`" in stopped
    print(out)
