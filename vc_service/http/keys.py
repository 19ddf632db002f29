"""Typed keys for what the aiohttp application and requests carry."""

from __future__ import annotations

from aiohttp import web

from vc_service.accounts.service import Principal
from vc_service.services import Services

SERVICES = web.AppKey("services", Services)
PRINCIPAL_KEY: web.RequestKey[Principal | None] = web.RequestKey("principal")
