"""Builds Podium from its settings: the state database, the cluster gateway, the feature services,
and the Bolt app with every feature's listeners registered in one place."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from kubernetes import client as kube_client
from slack_bolt.async_app import AsyncApp

from bot.kubectl.gateway import ClusterGateway, api_client_from_settings
from bot.kubectl.policy import Policy
from bot.kubectl.service import KubectlService
from bot.settings import Settings
from bot.slack import kubectl_command, slides_command
from bot.slack.answer_cache import AnswerCache
from bot.slack.client import build_web_client
from bot.slack.pacing import ChannelPacer
from bot.slack.publisher import Publisher
from bot.slides.deck import default_slides_folder, load_decks
from bot.slides.presenter import Presenter
from bot.store import Database, open_database
from bot.store.presentations import PresentationStore

log = logging.getLogger(__name__)


@dataclass
class Podium:
    settings: Settings
    app: AsyncApp
    gateway: ClusterGateway
    database: Database
    kubectl: KubectlService
    presenter: Presenter
    slash_commands: tuple[str, ...]  # every command registered, for the console and the manifest

    async def close(self) -> None:
        await self.gateway.close()
        await self.database.close()


async def build_podium(settings: Settings, *, api_client: kube_client.ApiClient | None = None) -> Podium:
    gateway = ClusterGateway(
        api_client or api_client_from_settings(settings), timeout=settings.cluster_timeout
    )
    database = await open_database(settings.state_file)
    kubectl = KubectlService(Policy(settings.allowed_namespaces), gateway)
    client = build_web_client(settings)
    app = AsyncApp(
        # The bot token lives on the client (Bolt ignores token= when a client is given);
        # single workspace: Bolt calls auth.test once, on the first request.
        client=client,
        # Explicit, never read from os.environ behind our back. Socket Mode does not sign
        # requests, and Bolt skips verification there by itself.
        signing_secret=settings.slack_signing_secret or "",
        logger=logging.getLogger("bot.bolt"),
    )
    presentations = PresentationStore(database)
    publisher = Publisher(client, ChannelPacer(interval=settings.post_interval), presentations)
    decks = load_decks(settings.slides_dir or default_slides_folder())
    presenter = Presenter(decks, presentations, publisher, settings.instructors)
    answers = AnswerCache()
    delivery = kubectl_command.KubectlDelivery(client, answers)

    # Every feature registers its listeners here, so a reader sees all commands at once.
    kubectl_command.register(app, kubectl, delivery, answers)
    slides_command.register(app, presenter, kubectl, delivery)
    return Podium(
        settings=settings, app=app, gateway=gateway, database=database, kubectl=kubectl,
        presenter=presenter, slash_commands=(kubectl_command.COMMAND, slides_command.COMMAND),
    )
