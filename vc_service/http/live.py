"""Mounts the live hearing: signaling's WebSocket server at `/ws/hearings/{hearing_id}`, with the
hearings part as its authenticator, hearing directory and audit sink, and `LiveRecorders` as its
recorder (a recording the judge starts is recorded under `<data_dir>/recordings/`)."""

from __future__ import annotations

from aiohttp import web

from signaling.config import SignalingConfig
from signaling.server import SignalingHandler
from signaling.server import setup as setup_signaling
from signaling.services import Services as SignalingServices
from vc_service import clock
from vc_service.hearings.gateway import RoomGateway
from vc_service.hearings.interruption import recover_on_start
from vc_service.http.keys import SERVICES
from vc_service.live_recording import LiveRecorders
from vc_service.services import Services

LIVE = web.AppKey("live", SignalingHandler)
WS_PATH = "/ws/hearings/{hearing_id}"


def signaling_config(services: Services) -> SignalingConfig:
    settings = services.settings
    turn_secret = None
    if settings.turn_secret_file is not None:
        turn_secret = settings.turn_secret_file.read_bytes().strip()
    return SignalingConfig(
        allowed_origins=settings.origins,
        ice_servers=settings.ice_servers,
        turn_secret=turn_secret,
        turn_ttl_seconds=settings.turn_ttl_seconds,
        # Derived from the service key, so every node sharing the key accepts the same tokens.
        resume_secret=services.key.derive("signaling-resume-token"),
        grace_seconds=float(settings.reconnect_grace_seconds),
        heartbeat_seconds=float(settings.ws_heartbeat_seconds),
        rate_per_second=float(settings.ws_max_messages_per_second),
        rate_burst=2 * settings.ws_max_messages_per_second,
        redis_url=settings.redis_url,
    )


def setup(app: web.Application) -> None:
    services = app[SERVICES]
    gateway = RoomGateway(services.hearings, services.accounts)
    room_services = SignalingServices(
        authenticator=gateway,
        directory=gateway,
        audit=gateway,
        recorder=LiveRecorders.from_services(services),
        entitlements=gateway,
    )
    handler = setup_signaling(
        app, room_services, signaling_config(services), path=WS_PATH, clock=clock.seconds
    )
    # A revoked invitation closes the person's live socket at once, on whichever node it is.
    services.hearings.invitations.withdrawals.append(handler.node.exclude)
    app[LIVE] = handler
    app.on_startup.append(_record_interruptions)


async def _record_interruptions(app: web.Application) -> None:
    """After the node has started: the live hearings whose rooms died with a previous process
    (see `vc_service.hearings.interruption`)."""
    node = app[LIVE].node

    async def claim(hearing_id: str) -> bool:
        return await node.backplane.claim(hearing_id) == node.node_id

    await recover_on_start(app[SERVICES].hearings.schedule, claim, node.rooms)
