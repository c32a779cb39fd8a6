from bot.kubectl.answer import Answer
from bot.slack.output import answer_message, code_block, escape_mrkdwn, fit_inline


def texts(message):
    out = []
    for block in message["blocks"]:
        if block["type"] == "section":
            out.append(block["text"]["text"])
        else:
            out.extend(element["text"] for element in block["elements"])
    return out


def test_escaping_defuses_mentions_and_links():
    assert escape_mrkdwn("<!channel> <@U123> a&b <http://x|y>") == (
        "&lt;!channel&gt; &lt;@U123&gt; a&amp;b &lt;http://x|y&gt;"
    )


def test_code_block_escapes_and_cannot_be_closed_early():
    block = code_block("pod <!here> ``` done")
    assert block.startswith("```\n") and block.endswith("\n```")
    assert "<!here>" not in block and "&lt;!here&gt;" in block
    assert block.count("```") == 2


def test_answer_message_has_header_code_and_fallback():
    message = answer_message(
        Answer("NAME   READY\nweb    1/1", ok=True, command_line="kubectl get pods -n sandbox")
    )
    assert message["response_type"] == "ephemeral"
    assert texts(message) == ["`kubectl get pods -n sandbox`", "```\nNAME   READY\nweb    1/1\n```"]
    assert message["text"] == "kubectl get pods -n sandbox"


def test_refusal_is_one_line_with_hint():
    message = answer_message(
        Answer(
            "Namespace `kube-system` is outside",
            ok=False,
            preformatted=False,
            hint="Use `-n sandbox`",
        )
    )
    assert texts(message) == [
        ":no_entry_sign: Namespace `kube-system` is outside",
        "Use `-n sandbox`",
    ]


def test_long_output_is_never_cut_silently():
    body = "\n".join(f"pod-{i:04d}   1/1   Running   0   5m" for i in range(400))
    message = answer_message(Answer(body, ok=True, command_line="kubectl get pods -n sandbox"))
    shown = texts(message)[1]
    assert len(shown) <= 3000
    note = texts(message)[2]
    kept = shown.count("\n") - 1
    assert note.startswith(f"… {400 - kept} more lines not shown here.")


def test_fit_inline_counts_escaped_length():
    text = "<" * 1000 + "\nnext"
    shown, left = fit_inline(text, budget=2000)
    assert shown == "" or len(escape_mrkdwn(shown)) <= 2000
    assert left >= 1
