"""`python -m tests.browser.loopback_serve ARGS`: `vc-service ARGS` whose recorder gathers media
candidates on 127.0.0.1 only, so a recording browser test's traffic stays on loopback.

The recorder process runs aiortc, and aioice gathers every address of the machine except
loopback; the service has no setting for the recorder's addresses (`LiveRecorders.host_addresses`
is how the in-process tests set it), so this entry point sets it and runs the real CLI.
"""

from __future__ import annotations

import sys

from vc_service import live_recording
from vc_service.cli import main
from vc_service.services import Services

LOOPBACK = ("127.0.0.1",)
_from_services = live_recording.LiveRecorders.from_services


def _on_loopback(services: Services) -> live_recording.LiveRecorders:
    recorders = _from_services(services)
    recorders.host_addresses = LOOPBACK
    return recorders


if __name__ == "__main__":
    live_recording.LiveRecorders.from_services = _on_loopback  # type: ignore[method-assign]
    sys.exit(main())
