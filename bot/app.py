"""Builds Podium from its settings: the state database, the cluster gateway, the feature services,
and the Bolt app with every feature's listeners registered in one place."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import aiohttp
from kubernetes import client as kube_client
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.access.service import AccessService, DmUploader
from bot.budgets import Budgets
from bot.conversation.aliases import aliases_from_settings
from bot.conversation.text_commands import TextCommands
from bot.exercises.spec import load_exercises
from bot.exercises.workshop import Workshop, check_button
from bot.kubectl.access import NamespaceAccess
from bot.kubectl.gateway import ClusterGateway, api_client_from_settings
from bot.kubectl.service import CommandRecord, KubectlService
from bot.messages.reply import Reply
from bot.metrics import Metrics
from bot.notify.room_board import RoomBoard
from bot.notify.service import Notifier, workshop_images
from bot.questions.queue import QuestionQueue
from bot.questions.render import AskError, ask_button, parse_ask, top_questions_blocks
from bot.settings import Settings
from bot.slack import (
    board_command,
    exercise_command,
    kubectl_command,
    mentions,
    notify_buttons,
    questions_command,
    slides_command,
    workshop_command,
)
from bot.slack.answer_cache import AnswerCache
from bot.slack.client import build_web_client, retry_handlers
from bot.slack.debounce import Debouncer
from bot.slack.exercise_command import run_exercise_text
from bot.slack.failures import log_unexpected_errors
from bot.slack.incoming import install_slash_text_decoding
from bot.slack.pacing import ChannelPacer, UpdateBudget
from bot.slack.publisher import Publisher
from bot.slack.respond import ResponseUrls, slack_http_session
from bot.slack.slide_images import ImageWait, SlideImages, refused_file_ids
from bot.slides.deck import Deck, default_slides_folder, load_decks
from bot.slides.ports import Blocks
from bot.slides.render import ControlMode
from bot.slides.room import PresentingRoom
from bot.slides.rooms import SlideRooms, build_slide_rooms
from bot.store import Database, open_database
from bot.store.audit import AuditLog
from bot.store.boards import BoardStore
from bot.store.buttons import ButtonStore
from bot.store.exercises import ExerciseStore
from bot.store.notifications import NotificationStore
from bot.store.presentations import PresentationStore
from bot.store.questions import QuestionStore
from bot.store.slack_images import SlackImageStore
from bot.store.switches import SwitchStore
from bot.watch.get_watch import GetWatches, WatchLimits
from bot.watch.hub import WatchHub

log = logging.getLogger(__name__)

SLACK_TIMEOUT = 10  # seconds for any one call to Slack (Web API or response_url), retries aside
# Questions an "Any questions?" slide shows: what a room reads from the screen at once.
TOP_QUESTIONS = 5


@dataclass
class Podium:
    settings: Settings
    app: AsyncApp
    gateway: ClusterGateway
    database: Database
    kubectl: KubectlService
    slides: SlideRooms
    questions: QuestionQueue
    workshop: Workshop
    metrics: Metrics
    audit: AuditLog
    text_commands: TextCommands  # words after @Podium / in the DM: slides, exercise, ask
    slash_commands: tuple[str, ...]  # every command registered, for the console and the manifest
    slack_http: aiohttp.ClientSession  # every call to Slack goes through it; closed last
    delivery: kubectl_command.KubectlDelivery  # answers to people: privately, DMs, shares (paced)
    access: AccessService  # "Get my kubectl access": kubeconfig files in people's DMs
    watches: WatchHub  # the shared list+watch streams per namespace and kind (bot/watch/)
    # The instructors' room boards; `board.troubles_changed` is the notifier's `on_troubles`.
    board: RoomBoard
    get_watches: GetWatches  # `/kubectl get pods -w`: messages updated in place from the streams
    notifier: Notifier  # failing pods become DMs to their participant (bot/notify/)

    async def start(self) -> None:
        """Background work that runs while Podium serves (the modes call it once built):
        watching participants' namespaces for failing pods."""
        await self.notifier.start()

    async def stop(self) -> None:
        """Background work ends (serving stops first, then this, then answers in progress finish
        and `close` releases the rest)."""
        await self.notifier.close()
        await self.get_watches.close()  # each watch ends with its final update

    async def close(self) -> None:
        await self.notifier.close()  # before the streams it listens to
        await self.questions.refreshes.close()  # before the database they read goes
        await self.board.close()
        await self.slides.close()
        await self.get_watches.close()  # their last updates, before the streams and Slack go
        await self.watches.close()  # its threads read the cluster: stopped before the gateway
        await self.gateway.close()
        await self.audit.close()
        await self.database.close()
        await self.slack_http.close()


async def build_podium(
    settings: Settings, *, api_client: kube_client.ApiClient | None = None
) -> Podium:
    """Everything built in dependency order and handed what it needs at construction."""
    aliases_from_settings(settings)  # a bad PODIUM_ALIASES stops start-up before anything opens
    database = await open_database(settings.state_file)
    metrics = Metrics()
    audit = AuditLog(database)
    seen: list[Callable[[str | None], None]] = []  # told who ran a command (the notifier)
    record = partial(_record_command, metrics, audit, seen)
    api_client = api_client or api_client_from_settings(settings)
    gateway = ClusterGateway(
        api_client,
        timeout=settings.cluster_timeout,
        fresh_for=settings.read_cache_seconds,
        on_request=metrics.kube_request,
    )
    watches = WatchHub(
        api_client,
        enabled=settings.watch_enabled,
        request_timeout=settings.cluster_timeout,
        metrics=metrics,
    )
    budgets = Budgets(settings)
    access = _namespace_access(settings)
    kubectl = KubectlService(
        access,
        gateway,
        observer=record,
        budgets=budgets,
        fresh_for=settings.read_cache_seconds,
        people=audit.users,
        max_reads=settings.max_reads_per_command,
    )
    slack_http = slack_http_session(timeout=SLACK_TIMEOUT)
    client = build_web_client(settings, metrics=metrics, timeout=SLACK_TIMEOUT, session=slack_http)
    app = _bolt_app(settings, client, slack_http, metrics)
    presentations = PresentationStore(database)
    pacer = ChannelPacer(
        interval=settings.post_interval
    )  # one per Podium: slides first, then the rest
    images = SlideImages(
        client, SlackImageStore(database), wait=ImageWait(bound=settings.image_wait)
    )
    publisher = Publisher(client, pacer, images, UpdateBudget())  # one for every chat.update
    get_watches = GetWatches(
        watches, publisher, watch_limits(settings), metrics=metrics, trouble=watches.trouble
    )
    kubectl.watcher = get_watches  # `get -w` from /kubectl, @mentions and DMs alike
    slides_dir = settings.slides_dir or default_slides_folder()
    decks = load_decks(slides_dir)
    switches = SwitchStore(database)  # instructors' room switches: access, notifications
    access_service = AccessService(
        settings,
        access,
        gateway,
        switches,
        DmUploader(client),
        budgets=budgets,
        observer=record,
    )
    question_store = QuestionStore(database)
    extras = partial(slide_extras, question_store, access_service.enabled)
    slides = build_slide_rooms(
        decks, presentations, publisher, images, refused_file_ids, settings.instructors, extras
    )
    questions = QuestionQueue(
        question_store,
        presentations,
        publisher,
        slides.catalogue.decks,
        settings.instructors,
        on_change=partial(refresh_questions_slide, slides.room),
        refreshes=Debouncer(),
        budgets=budgets,
    )
    exercises_dir = slides_dir / "exercises"
    exercises = load_exercises(exercises_dir) if exercises_dir.is_dir() else []
    exercise_store = ExerciseStore(database)
    board = RoomBoard(
        board_command.BoardPoster(publisher),
        BoardStore(database),
        exercise_store,
        switches,
        instructors=settings.instructors,
        exercise_count=len(exercises),
        refreshes=Debouncer(interval=settings.board_interval),
    )
    workshop = Workshop(
        exercises,
        exercise_store,
        gateway,
        namespace_template=settings.participant_namespace,
        instructors=settings.instructors,
        repository=slides_dir.resolve().parent,
        decks=decks,
        leader=slides.room.leads_workshop,
        on_progress=board.progress_changed,
    )
    notifications = NotificationStore(database)
    notifier = Notifier(
        settings,
        watches,
        notifications,
        switches,
        publisher,
        gateway,
        roster=notifications.participants,
        budgets=budgets,
        exercises=workshop.exercises,
        known_images=workshop_images(slides_dir.resolve().parent, workshop.exercises),
        metrics=metrics,
    )
    seen.append(notifier.saw)
    notifier.on_troubles(board.troubles_changed)  # the room board shows who is stuck
    answers = AnswerCache()
    buttons = ButtonStore(database)
    signing_key = await buttons.signing_key()  # signs the values of Share buttons
    delivery = kubectl_command.KubectlDelivery(publisher, answers, metrics, signing_key=signing_key)
    # Features add `@Podium WORD …` commands, the questions offer and exercise progress here.
    text_commands = TextCommands()
    # Every feature registers its listeners here, so a reader sees all commands at once.
    kubectl_command.register(
        app,
        kubectl_command.KubectlListeners(kubectl, delivery, answers, signing_key, buttons, budgets),
    )
    slides_command.register(app, slides_command.SlidesListeners(slides, kubectl, delivery))
    questions_command.register(app, questions_command.QuestionsListeners(questions, presentations))
    exercise_command.register(app, exercise_command.ExerciseListeners(workshop, budgets))
    workshop_command.register(
        app, access_service, text_commands, board=board.show, notify=notifier.command
    )
    command_buttons = notify_buttons.CommandButtons(kubectl, delivery)
    board_command.register(app, command_buttons)
    notify_buttons.register(app, command_buttons)
    register_text_commands(text_commands, workshop, questions, presentations, budgets)
    mentions.register(
        app, settings, kubectl, delivery, slides, presentations, publisher, text_commands, database
    )
    board.start()  # the minute tick that keeps "stuck Nm" true
    return Podium(
        text_commands=text_commands,
        settings=settings,
        app=app,
        gateway=gateway,
        database=database,
        kubectl=kubectl,
        slides=slides,
        questions=questions,
        workshop=workshop,
        metrics=metrics,
        audit=audit,
        slack_http=slack_http,
        delivery=delivery,
        access=access_service,
        watches=watches,
        board=board,
        get_watches=get_watches,
        notifier=notifier,
        slash_commands=(
            kubectl_command.COMMAND,
            slides_command.COMMAND,
            questions_command.ASK_COMMAND,
            questions_command.QUESTIONS_COMMAND,
            exercise_command.COMMAND,
            workshop_command.COMMAND,
        ),
    )


async def _record_command(
    metrics: Metrics,
    audit: AuditLog,
    seen: list[Callable[[str | None], None]],
    command: CommandRecord,
) -> None:
    metrics.command_answered(command.verb, command.outcome, command.seconds)
    await audit.record(command)
    for saw in seen:
        saw(command.user_id)


def watch_limits(settings: Settings) -> WatchLimits:
    return WatchLimits(
        seconds=settings.watch_seconds,
        per_person=settings.watches_per_person,
        total=settings.watches_max,
        snapshot_timeout=settings.cluster_timeout,
    )


def _namespace_access(settings: Settings) -> NamespaceAccess:
    access = NamespaceAccess.from_settings(settings)
    if access.participants_in_shared:
        log.warning(
            "PODIUM_NAMESPACES lists participant namespaces (%s): each is readable by its owner and "
            "the instructors only; participants need no setting to read their own",
            ", ".join(access.participants_in_shared),
        )
    return access


def _bolt_app(
    settings: Settings, client: AsyncWebClient, slack_http: aiohttp.ClientSession, metrics: Metrics
) -> AsyncApp:
    app = AsyncApp(
        # The bot token lives on the client (Bolt ignores token= when a client is given);
        # single workspace: Bolt calls auth.test once, on the first request.
        client=client,
        # Explicit, never read from os.environ behind our back. Socket Mode does not sign
        # requests, and Bolt skips verification there by itself.
        signing_secret=settings.slack_signing_secret or "",
        logger=logging.getLogger("bot.bolt"),
    )
    ResponseUrls(slack_http, retry_handlers=retry_handlers(metrics), timeout=SLACK_TIMEOUT).install(
        app
    )
    install_slash_text_decoding(app)
    log_unexpected_errors(app)
    return app


async def slide_extras(
    questions: QuestionStore,
    access_enabled: bool,
    channel: str | None,
    deck: Deck,
    number: int,
    mode: ControlMode,
) -> tuple[Blocks, Blocks]:
    """What other features add to a slide: Check my work on exercise slides, the top
    questions on "Any questions?" and an Ask a question button on every live slide."""
    slide = deck.slide(number)
    actions = [check_button(slide.exercise)] if slide.exercise is not None else []
    if slide.offers_access and access_enabled:
        actions.append(workshop_command.access_button())
    if mode is not ControlMode.LIVE or channel is None:
        return [], actions
    blocks = (
        top_questions_blocks(await questions.open_questions(channel, TOP_QUESTIONS))
        if slide.is_questions
        else []
    )
    return blocks, [*actions, ask_button()]


async def refresh_questions_slide(room: PresentingRoom, channel: str) -> None:
    """A question changed in `channel`: an "Any questions?" slide on screen there shows it."""
    live = await room.live_slide(channel)
    if live and live[0].slide(live[1]).is_questions:
        await room.refresh(channel)


def register_text_commands(
    commands: TextCommands,
    workshop: Workshop,
    questions: QuestionQueue,
    presentations: PresentationStore,
    budgets: Budgets | None = None,
) -> None:
    """What people may type after @Podium or in the DM besides kubectl: exercise and ask."""

    async def exercise(user: str, channel: str, text: str) -> Reply:
        return await run_exercise_text(workshop, user, text, budgets)

    async def ask(user: str, channel: str, text: str) -> Reply:
        parsed = parse_ask(text)
        if isinstance(parsed, AskError):
            return Reply(parsed.message)
        room: str | None = channel
        if channel.startswith("D"):  # from the DM: the one live room, if there is exactly one
            live = await presentations.all()
            room = live[0].channel_id if len(live) == 1 else None
        if room is None:
            return Reply(
                "Ask in the workshop channel (`/ask …`), so the question reaches its instructors."
            )
        return await questions.ask(room, user, parsed.text, anonymous=parsed.anonymous)

    async def progress(user: str) -> str:
        lines = await workshop.progress(user)
        return (
            "\n".join(f"• {line}" for line in lines) if lines else "This workshop has no exercises."
        )

    commands.register(
        "exercise",
        exercise,
        usage="exercise check 2",
        summary="check an exercise in your namespace",
    )
    commands.register(
        "ask", ask, usage="ask Why a ReplicaSet?", summary="ask the instructor a question"
    )
    commands.offer_questions()
    commands.provide_progress(progress)
