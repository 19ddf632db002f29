"""The `vc-service` command line (also `python -m vc_service`)."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import getpass
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

from aiohttp import web

from legal_profiles import cli as legal_cli
from legal_profiles.errors import LegalError
from vc_service import demo, logs, migrate
from vc_service.accounts.models import Role
from vc_service.audit import cli as audit_cli
from vc_service.closing import cli as closing_cli
from vc_service.closing import recording_cli
from vc_service.config import Settings, load_settings, parse_bind
from vc_service.errors import ServiceError
from vc_service.hearings import withdrawal
from vc_service.http.app import create_app
from vc_service.services import Services

EXIT_BAD_INPUT = 2

# Feature packages add their commands here: each takes the subparsers object.
Registrar = Callable[["argparse._SubParsersAction[argparse.ArgumentParser]"], None]
EXTRA_COMMANDS: list[Registrar] = []
EXTRA_COMMANDS.append(audit_cli.register)
EXTRA_COMMANDS.append(legal_cli.register)
EXTRA_COMMANDS.append(closing_cli.register)
EXTRA_COMMANDS.append(recording_cli.register)


def progress(message: str) -> None:
    print(f"  - {message}", flush=True)


def _settings(args: argparse.Namespace) -> Settings:
    config: Path | None = getattr(args, "config", None)
    return load_settings(config_file=config)


def _run(args: argparse.Namespace, body: Callable[[Services], Awaitable[int]]) -> int:
    services = Services.build(_settings(args))

    async def go() -> int:
        try:
            return await body(services)
        finally:
            await services.close()

    return asyncio.run(go())


# -- serve --------------------------------------------------------------------------------


def cmd_serve(args: argparse.Namespace) -> int:
    settings = _settings(args)
    if args.bind:
        parse_bind("--bind", args.bind)
        settings = dataclasses.replace(settings, bind=args.bind)
    logs.configure(settings.log_level, settings.log_format)
    services = Services.build(settings)

    async def prepare() -> None:
        print(f"==> database {_redact(settings.database_url)}", flush=True)
        await migrate.upgrade(services.db, progress)
        if args.bootstrap_demo:
            made = await demo.bootstrap_demo(services)
            text = demo.describe(made) if made else demo.saved_description(services)
            if text:
                print(text, end="", flush=True)

    asyncio.run(prepare())
    ssl_context = None
    if settings.tls_cert_file and settings.tls_key_file:
        import ssl

        ssl_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ssl_context.load_cert_chain(settings.tls_cert_file, settings.tls_key_file)
    ready = f"==> vc-service listening on {settings.base_url}/  (sign in at /sign-in)"
    web.run_app(
        create_app(services, own_services=True),
        host=settings.bind_host,
        port=settings.bind_port,
        ssl_context=ssl_context,
        # run_app calls this once the socket is bound, so the line means "ready".
        print=lambda _: print(ready, flush=True),
        access_log=None,
    )
    return 0


def _redact(url: str) -> str:
    if "@" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url


# -- db -----------------------------------------------------------------------------------


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    async def body(services: Services) -> int:
        print(f"==> upgrading {_redact(services.settings.database_url)}", flush=True)
        await migrate.upgrade(services.db, progress)
        revisions = ", ".join(sorted(await migrate.current_revisions(services.db)))
        print(f"==> at revision {revisions}")
        return 0

    return _run(args, body)


# -- courts and users ---------------------------------------------------------------------


def cmd_court_add(args: argparse.Namespace) -> int:
    async def body(services: Services) -> int:
        court = await services.accounts.create_court(args.name, args.state.upper(), args.tz)
        print(court.id)
        return 0

    return _run(args, body)


def _read_password(args: argparse.Namespace) -> str:
    if args.password_file:
        return Path(args.password_file).read_text(encoding="utf-8").strip()
    if sys.stdin.isatty():
        first = getpass.getpass("password: ")
        if getpass.getpass("again: ") != first:
            raise ServiceError("the passwords differ", code="user.password_mismatch")
        return first
    return sys.stdin.readline().rstrip("\n")


def cmd_user_add(args: argparse.Namespace) -> int:
    password = _read_password(args)

    async def body(services: Services) -> int:
        user = await services.accounts.create_user(
            court_id=args.court,
            username=args.username,
            display_name=args.name or args.username,
            role=Role(args.role),
            password=password,
            email=args.email,
            time_zone=args.tz,
        )
        print(f"created {user.role.value} {user.username} ({user.id})")
        return 0

    return _run(args, body)


def cmd_user_list(args: argparse.Namespace) -> int:
    async def body(services: Services) -> int:
        users = await services.accounts.list_users()
        print(f"{'username':<20} {'role':<10} {'2FA':<8} {'status':<9} name")
        for user in users:
            status = "disabled" if user.disabled else "active"
            totp = "enrolled" if user.totp_enrolled else "pending"
            print(
                f"{user.username:<20} {user.role.value:<10} {totp:<8} {status:<9} "
                f"{user.display_name}"
            )
        return 0

    return _run(args, body)


def cmd_user_disable(args: argparse.Namespace) -> int:
    async def body(services: Services) -> int:
        user = await services.accounts.set_disabled(args.username, not args.enable)
        print(f"{user.username} is now {'disabled' if user.disabled else 'enabled'}")
        if user.disabled:
            await withdraw_from_rooms(services, user.id)
        return 0

    return _run(args, body)


async def withdraw_from_rooms(services: Services, user_id: str) -> None:
    """The disable is committed; now close the account's live sockets. This process serves no
    room: with Redis each room's owner is told at once; without it, the serving process finds
    out on its next tick (every third of the room lease), and refuses every act and resume of
    the account meanwhile."""
    if services.settings.redis_url:
        told = await withdrawal.tell_rooms_over_redis(
            services.db, services.settings.redis_url, user_id
        )
        print(f"live rooms told: {told}")
    elif await withdrawal.live_seats(services.db, user_id):
        print("live rooms withdraw the account at their next check (within seconds)")


def cmd_user_reset_totp(args: argparse.Namespace) -> int:
    async def body(services: Services) -> int:
        user = await services.accounts.reset_totp(args.username)
        print(f"{user.username} enrols a new second factor at the next sign-in; sessions ended")
        return 0

    return _run(args, body)


# -- parser -------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="vc-service",
        description="Coordination service for cross-border witness hearings by videoconference.",
    )
    parser.add_argument("--config", type=Path, help="TOML settings file (or set VC_CONFIG)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = sub.add_parser("serve", help="apply migrations and run the HTTP server")
    serve.add_argument("--bind", help="HOST:PORT to listen on (default VC_BIND or 127.0.0.1:8080)")
    serve.add_argument(
        "--bootstrap-demo",
        action="store_true",
        help="on an empty database, create demo accounts and print how to sign in",
    )
    serve.set_defaults(func=cmd_serve)

    db = sub.add_parser("db", help="database maintenance")
    db_sub = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    db_sub.add_parser("upgrade", help="apply all pending migrations").set_defaults(
        func=cmd_db_upgrade
    )

    court = sub.add_parser("court", help="courts and other organisations")
    court_sub = court.add_subparsers(dest="court_command", required=True, metavar="ACTION")
    court_add = court_sub.add_parser("add", help="add a court; prints its id")
    court_add.add_argument("name")
    court_add.add_argument("--state", required=True, help="ISO 3166-1 alpha-2 code, e.g. DE")
    court_add.add_argument("--tz", required=True, help="IANA time zone, e.g. Europe/Berlin")
    court_add.set_defaults(func=cmd_court_add)

    user = sub.add_parser("user", help="staff accounts (judges, clerks, authorities, admins)")
    user_sub = user.add_subparsers(dest="user_command", required=True, metavar="ACTION")
    add = user_sub.add_parser(
        "add", help="add an account; the password is asked for, or read from --password-file"
    )
    add.add_argument("username")
    add.add_argument("--role", required=True, choices=[role.value for role in Role])
    add.add_argument("--court", required=True, help="court id (see `court add`)")
    add.add_argument("--name", help="display name")
    add.add_argument("--email", default="")
    add.add_argument("--tz", default="UTC", help="IANA time zone for this user's views")
    add.add_argument("--password-file", help="read the password from this file")
    add.set_defaults(func=cmd_user_add)
    user_sub.add_parser("list", help="list accounts").set_defaults(func=cmd_user_list)
    disable = user_sub.add_parser("disable", help="disable an account and end its sessions")
    disable.add_argument("username")
    disable.set_defaults(func=cmd_user_disable, enable=False)
    enable = user_sub.add_parser("enable", help="enable a disabled account")
    enable.add_argument("username")
    enable.set_defaults(func=cmd_user_disable, enable=True)
    reset_totp = user_sub.add_parser(
        "reset-totp",
        help="forget the account's second factor (lost phone): it enrols again at next sign-in",
    )
    reset_totp.add_argument("username")
    reset_totp.set_defaults(func=cmd_user_reset_totp)

    for register in EXTRA_COMMANDS:
        register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        return func(args)
    except (ServiceError, LegalError) as exc:
        print(f"error: {exc.message} [{exc.code}]", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
