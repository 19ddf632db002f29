"""Signaling settings. vc_service maps its own configuration onto this (see docs/signaling.md)."""

from __future__ import annotations

from dataclasses import dataclass, field

_ICE_SCHEMES = ("stun:", "stuns:", "turn:", "turns:")


@dataclass(frozen=True, slots=True)
class SignalingConfig:
    # Origins a browser may open the WebSocket from, e.g. "https://vc.example.org".
    allowed_origins: tuple[str, ...] = ()
    # Non-browser clients send no Origin; a browser always does, so a missing one is no CSRF risk.
    allow_missing_origin: bool = True
    # ICE server URLs: stun:, stuns:, turn:, turns:. TURN URLs need `turn_secret`.
    ice_servers: tuple[str, ...] = ()
    turn_secret: bytes | None = field(default=None, repr=False)
    turn_ttl_seconds: int = 3600
    # Signs resume tokens. Must be the same on every node; random per process when None.
    resume_secret: bytes | None = field(default=None, repr=False)
    resume_ttl_seconds: int = 4 * 3600
    grace_seconds: float = 60.0
    hello_timeout_seconds: float = 10.0
    rate_per_second: float = 50.0
    rate_burst: int = 100
    send_queue_limit: int = 1024
    # A browser that loses its network sends no close frame: only the WebSocket heartbeat notices.
    # aiohttp pings after this long without data from the client and drops the connection when
    # no pong follows within half of it (see `detection_seconds`).
    heartbeat_seconds: float = 10.0
    # Redis pub/sub backplane; in-process when empty.
    redis_url: str = ""
    redis_prefix: str = "vc:sig"
    node_id: str = ""
    owner_lease_seconds: float = 15.0
    join_timeout_seconds: float = 5.0

    def __post_init__(self) -> None:
        for url in self.ice_servers:
            if not url.startswith(_ICE_SCHEMES):
                raise ValueError(f"ice_servers: {url!r} is not a stun:/turn: URL")
            if url.startswith(("turn:", "turns:")) and not self.turn_secret:
                raise ValueError(f"ice_servers: {url!r} needs turn_secret for credentials")
        positive = {
            "turn_ttl_seconds": self.turn_ttl_seconds,
            "resume_ttl_seconds": self.resume_ttl_seconds,
            "grace_seconds": self.grace_seconds,
            "hello_timeout_seconds": self.hello_timeout_seconds,
            "rate_per_second": self.rate_per_second,
            "rate_burst": self.rate_burst,
            "send_queue_limit": self.send_queue_limit,
            "heartbeat_seconds": self.heartbeat_seconds,
            "owner_lease_seconds": self.owner_lease_seconds,
            "join_timeout_seconds": self.join_timeout_seconds,
        }
        for name, value in positive.items():
            if value <= 0:
                raise ValueError(f"{name} must be positive, not {value!r}")
        if self.grace_seconds <= self.detection_seconds:
            raise ValueError(
                f"grace_seconds ({self.grace_seconds:g}) must be longer than the time the "
                f"heartbeat takes to notice a silent drop ({self.detection_seconds:g} s: "
                f"1.5 x heartbeat_seconds)"
            )
        if self.resume_secret is not None and len(self.resume_secret) < 32:
            raise ValueError("resume_secret must be at least 32 bytes")

    @property
    def detection_seconds(self) -> float:
        """Longest time from a client's last frame to the server dropping its silent socket: a
        ping after `heartbeat_seconds` of silence, then at most half of that for the pong (aiohttp
        rounds timers longer than 5 s up to a whole second of the loop clock)."""
        return 1.5 * self.heartbeat_seconds
