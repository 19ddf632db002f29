"""Fixtures for the live recording: the signaling servers and loopback ICE of tests/signaling."""

from tests.signaling.conftest import loopback_ice, session, start_server

__all__ = ["loopback_ice", "session", "start_server"]
