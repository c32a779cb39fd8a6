from bot.kubectl.grammar import Command, ParseError, normalise, parse


def test_plain_get_pods():
    command = parse("get pods")
    assert command == Command(verb="get", args=("pods",), flags={}, words=("get", "pods"))


def test_flag_spellings_are_equivalent():
    spellings = [
        "get pods -n ws",
        "get pods -nws",
        "get pods -n=ws",
        "get pods --namespace ws",
        "get pods --namespace=ws",
        "get -n ws pods",
    ]
    for text in spellings:
        command = parse(text)
        assert isinstance(command, Command), text
        assert command.args == ("pods",), text
        assert command.namespace == "ws", text


def test_selector_and_output():
    command = parse("get po -l 'app in (web,api)' -o wide")
    assert isinstance(command, Command)
    assert command.flag("selector") == "app in (web,api)"
    assert command.flag("output") == "wide"


def test_boolean_flags_take_explicit_values():
    assert parse("get pods -A").flag("all-namespaces") is True
    assert parse("get pods --all-namespaces=false").flag("all-namespaces") is False
    error = parse("get pods --all-namespaces=maybe")
    assert isinstance(error, ParseError)
    assert "true or false" in error.message


def test_unknown_flag_is_named():
    assert parse("get pods --frobnicate=1").unknown_flags == ("--frobnicate",)
    assert parse("exec -it web -- sh").unknown_flags == ("-it",)


def test_missing_flag_value():
    error = parse("get pods -n")
    assert isinstance(error, ParseError)
    assert error.message == "flag needs an argument: -n, --namespace"


def test_unbalanced_quote():
    error = parse("get pods -l 'app=web")
    assert isinstance(error, ParseError)
    assert "quote" in error.message.lower()


def test_no_shell_is_involved():
    command = parse("get pods $(reboot) `id` ; ls | cat > /etc/passwd")
    assert isinstance(command, Command)
    assert command.args == ("pods", "$(reboot)", "`id`", ";", "ls", "|", "cat", ">", "/etc/passwd")


def test_flags_may_come_before_the_verb():
    command = parse("-n ws get pods")
    assert isinstance(command, Command)
    assert (command.verb, command.args, command.namespace) == ("get", ("pods",), "ws")


def test_typography_is_undone_and_entities_are_left_to_the_slack_boundary():
    # Slack's &amp; is decoded once where Slack's text comes in (bot/slack/incoming.py), not here:
    # a second decode would turn a typed `&lt;` into `<`.
    assert normalise("get pods -l app&amp;x") == "get pods -l app&amp;x"
    assert normalise("get pods \u2014namespace sandbox") == "get pods --namespace sandbox"
    assert normalise("get pods \u2212n sandbox") == "get pods -n sandbox"
    assert normalise("get pods -l \u201capp=web\u201d") == 'get pods -l "app=web"'
    assert normalise("kubectl get pods") == "get pods"
    assert normalise("k get pods") == "get pods"


def test_empty_text_is_an_empty_command():
    assert parse("") == Command(verb="")
    assert parse("   kubectl  ") == Command(verb="")


def test_double_dash_ends_flags():
    command = parse("exec web -- ls -la")
    assert isinstance(command, Command)
    assert command.args == ("web", "ls", "-la")


def test_overlong_text_is_refused():
    error = parse("get pods " + "x" * 2000)
    assert isinstance(error, ParseError)
    assert "at most 1,000" in error.message


def test_control_characters_are_blanked():
    command = parse("get\x00pods\x1b")
    assert isinstance(command, Command)
    assert command.verb == "get" and command.args == ("pods",)
