"""`vc-service demo-hearing [--data-dir DIR]` and `vc-service log seal HEARING`."""

from __future__ import annotations

import argparse
import asyncio
import logging
import tempfile
from pathlib import Path

from vc_service.closing.demo_hearing import run_demo
from vc_service.closing.sealing import close_and_seal
from vc_service.config import load_settings
from vc_service.errors import ServiceError
from vc_service.services import Services

EXIT_OK, EXIT_FAILED = 0, 1


def cmd_demo_hearing(args: argparse.Namespace) -> int:
    logging.basicConfig(level=logging.WARNING)
    folder = args.data_dir or Path(tempfile.mkdtemp(prefix="vc-demo-hearing-"))
    folder.mkdir(parents=True, exist_ok=True)
    return asyncio.run(run_demo(folder.resolve()))


def cmd_log_seal(args: argparse.Namespace) -> int:
    services = Services.build(load_settings(config_file=getattr(args, "config", None)))

    async def go() -> int:
        try:
            result = await close_and_seal(services, args.hearing)
        except ServiceError as exc:
            print(f"error: {exc.message} [{exc.code}]")
            return EXIT_FAILED
        finally:
            await services.close()
        steps = ", ".join(result.done) or "nothing (already sealed)"
        print(f"sealed hearing {result.hearing_id}: {result.size} events; did {steps}")
        return EXIT_OK

    return asyncio.run(go())


def _subcommands(
    parser: argparse.ArgumentParser,
) -> argparse._SubParsersAction[argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action
    raise LookupError(f"{parser.prog} has no subcommands")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    demo = sub.add_parser(
        "demo-hearing",
        help="run a complete synthetic hearing (real app, real aiortc peers on 127.0.0.1), "
        "seal it, export and verify its bundle",
    )
    demo.add_argument(
        "--data-dir", type=Path, default=None, help="where to keep it all (default: a new temp dir)"
    )
    demo.set_defaults(func=cmd_demo_hearing)
    # `log` belongs to the audit CLI (registered before us); sealing is one more of its verbs.
    log_parser = sub.choices.get("log")
    if log_parser is not None:
        seal = _subcommands(log_parser).add_parser(
            "seal", help="seal a closed hearing: minutes, hearing.closed, final checkpoint"
        )
        seal.add_argument("hearing", help="hearing id")
        seal.set_defaults(func=cmd_log_seal)
