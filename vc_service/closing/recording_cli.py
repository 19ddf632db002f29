"""`vc-service recording list HEARING` and `vc-service recording export HEARING -o DIR`.

The export writes one folder per finished recording, as `recordings.export` lays it out:
`DIR/<recording>/final/<track>.webm` (and `segments/...` with `--parts`), `manifest.json` and
`SHA256SUMS`, so `cd DIR/<recording> && sha256sum -c SHA256SUMS` checks it. Only recordings whose
manifest matches the signed log are exported (see `recording_catalog`).

Exit codes: 0 every recording exported (or none to export), 1 a recording could not be exported
(failed, unfinished or damaged: each is named), 2 bad input (unknown or not yet closed hearing).
"""

from __future__ import annotations

import argparse
import asyncio
import json
from collections.abc import Awaitable, Callable
from pathlib import Path

from vc_service.closing import recording_catalog as catalog
from vc_service.closing.recording_routes import ended_hearing
from vc_service.config import load_settings
from vc_service.errors import ServiceError
from vc_service.services import Services

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2
Body = Callable[[Services, list[catalog.RecordingEntry]], Awaitable[int]]


async def _entries(services: Services, hearing_id: str) -> list[catalog.RecordingEntry]:
    await ended_hearing(services, hearing_id, court_id=None)
    events = [json.loads(raw) for raw in await services.audit.events(hearing_id)]
    data_dir = services.settings.data_dir
    return await asyncio.to_thread(catalog.catalog, events, data_dir, hearing_id)


def _seconds(microseconds: int) -> str:
    return f"{microseconds / 1_000_000:.1f} s"


def _describe(entry: catalog.RecordingEntry) -> list[str]:
    lines = [f"recording {entry.recording}: {entry.state}, started {entry.started_at}"]
    if entry.problem is not None:
        lines.append(f"  NOT INTACT: {entry.problem.message} [{entry.problem.code}]")
    for track in entry.tracks:
        who = "unknown participant"
        if track.person is not None:
            who = f"{track.person.name} ({track.person.role})"
        lines.append(
            f"  {track.track}: {who}, {track.kind} {track.codec}, {_seconds(track.duration_us)}, "
            f"{track.parts} part(s)"
        )
        if track.file is not None and entry.manifest is not None:
            lines.append(f"    {track.sha256}  {track.file}")
    return lines


def _run(args: argparse.Namespace, body: Body) -> int:
    services = Services.build(load_settings(config_file=getattr(args, "config", None)))

    async def go() -> int:
        try:
            return await body(services, await _entries(services, args.hearing))
        except ServiceError as exc:
            print(f"error: {exc.message} [{exc.code}]")
            return EXIT_BAD_INPUT
        finally:
            await services.close()

    return asyncio.run(go())


def cmd_recording_list(args: argparse.Namespace) -> int:
    async def body(_: Services, entries: list[catalog.RecordingEntry]) -> int:
        if not entries:
            print(f"hearing {args.hearing} has no recording")
        for entry in entries:
            print("\n".join(_describe(entry)))
        return EXIT_OK

    return _run(args, body)


def cmd_recording_export(args: argparse.Namespace) -> int:
    out: Path = args.output

    async def body(services: Services, entries: list[catalog.RecordingEntry]) -> int:
        key = services.key.derive(f"recording:{args.hearing}")
        status = EXIT_OK
        if not entries:
            print(f"hearing {args.hearing} has no recording")
        for entry in entries:
            folder = out / entry.recording
            directory = catalog.recording_directory(
                services.settings.data_dir, args.hearing, entry.recording
            )
            try:
                written = await asyncio.to_thread(
                    catalog.export_entry, entry, directory, key, folder, parts=args.parts
                )
            except ServiceError as exc:
                print(f"recording {entry.recording}: not exported: {exc.message} [{exc.code}]")
                status = EXIT_FAILED
                continue
            print(f"recording {entry.recording}: {len(written)} file(s) in {folder}")
            sums = (folder / "SHA256SUMS").read_text(encoding="ascii")
            print("".join(f"  {line}\n" for line in sums.splitlines()), end="")
            print(f"  check: cd {folder} && sha256sum -c SHA256SUMS")
        return status

    return _run(args, body)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    recording = sub.add_parser(
        "recording", help="a closed hearing's recordings: list them, export them decrypted"
    )
    verbs = recording.add_subparsers(dest="recording_command", required=True)
    listing = verbs.add_parser(
        "list", help="each recording with its tracks, participants, durations and SHA-256"
    )
    listing.add_argument("hearing", help="hearing id")
    listing.set_defaults(func=cmd_recording_list)
    export = verbs.add_parser(
        "export", help="decrypt each finished recording into DIR/<recording>/ with SHA256SUMS"
    )
    export.add_argument("hearing", help="hearing id")
    export.add_argument("-o", "--output", type=Path, required=True, help="folder to write into")
    export.add_argument("--parts", action="store_true", help="also the segment files")
    export.set_defaults(func=cmd_recording_export)
