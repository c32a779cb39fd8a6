"""Issue 17, the closing note's transcript: the console shows a failing-pod DM as it arrives,
between commands. The console user runs one command (so Podium watches their namespace), a second
terminal's real kubectl applies a Deployment with a mistyped image, and the console prints the DM,
labelled as the DM with Podium, with the likely typo."""

from __future__ import annotations

import asyncio

from tests.harness.process import console_session

IN_DM = "── posted in your DM with Podium ──"


async def test_console_prints_the_dm_about_a_mistyped_image_when_it_arrives():
    async with console_session() as console:
        await console.say(b"/kubectl get pods -n ws-u0alice\n")
        await console.read_until(
            lambda text: "No resources found in ws-u0alice" in text, "the answer"
        )
        created = await asyncio.to_thread(
            console.kubectl, "create", "deployment", "web", "--image=ngnix", "--replicas=1"
        )
        assert created.returncode == 0, created.stderr
        await console.read_until(
            lambda text: "stops these messages" in text, "the whole DM about the typo"
        )
        text = console.text
        dm = text.split(IN_DM, 1)[1]
        assert "Pod web-" in dm and "ErrImagePull" in dm and "did you mean `nginx`?" in dm
        assert "kubectl set image deployment/web ngnix=nginx -n ws-u0alice" in dm
        assert text.count(IN_DM) == 1  # once per pod and reason
        print(text)  # the transcript, for the closing note (pytest -s)
        out, err = await console.type(b"")
    assert console.process.returncode == 0, err
    assert IN_DM not in out  # nothing told twice after the first DM
