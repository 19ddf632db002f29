"""At the end of a recording: join each track's segments into one file, without re-encoding.

For each track: decrypt its parts into a private temporary folder (checking each part's SHA-256
and length against the manifest, i.e. against the audit log), join them with ffmpeg's concat
demuxer and `-c copy` (ffmpeg-python builds the command; the binary is imageio-ffmpeg's), probe the
result with PyAV (imageio-ffmpeg ships no ffprobe), seal it, and delete the plaintext. The concat
list gives each part its exact duration from the manifest, so the joined timeline is the parts'
timeline to the microsecond and does not drift over a long hearing.

Everything here blocks; `finish_recording` runs it in a thread.
"""

from __future__ import annotations

import asyncio
import subprocess
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import av
import ffmpeg
import imageio_ffmpeg

from recordings import codecs, vault
from recordings.errors import RecordingError
from recordings.manifest import FinalFile, Manifest, final_path, key_context

FFMPEG_TIMEOUT_S = 600
MANIFEST_NAME = "manifest.json"


@dataclass(frozen=True)
class Probe:
    codec: str
    container: str
    duration_us: int
    packets: int
    width: int | None
    height: int | None


def probe(path: Path) -> Probe:
    """Codec, container, duration and packet count of a one-stream file, by demuxing only."""
    try:
        with av.open(str(path)) as container:
            if len(container.streams) != 1:
                raise RecordingError(
                    "recording.probe_failed", f"{path.name} has {len(container.streams)} streams"
                )
            stream: Any = container.streams[0]
            first: int | None = None
            end = 0
            packets = 0
            for packet in container.demux(stream):
                if packet.pts is None:
                    continue  # the demuxer's end-of-stream marker
                packets += 1
                first = packet.pts if first is None else min(first, packet.pts)
                end = max(end, packet.pts + (packet.duration or 0))
            base = stream.time_base
            ticks = end - (first or 0)
            duration_us = ticks * base.numerator * 1_000_000 // base.denominator
            name = container.format.name
            context = stream.codec_context
            return Probe(
                codec=context.name,
                container=codecs.CONTAINER if "webm" in name else name,
                duration_us=duration_us,
                packets=packets,
                width=getattr(context, "width", None) or None,
                height=getattr(context, "height", None) or None,
            )
    except av.FFmpegError as exc:
        raise RecordingError("recording.probe_failed", f"{path.name}: {exc}") from None


def _concat_line(path: Path, duration_us: int) -> str:
    quoted = str(path).replace("'", "'\\''")
    seconds = f"{duration_us // 1_000_000}.{duration_us % 1_000_000:06d}"
    return f"file '{quoted}'\nduration {seconds}\n"


def concat_copy(inputs: Sequence[tuple[Path, int]], output: Path) -> None:
    """Join files (path, duration in us) into `output` with `-c copy`: packets are copied as
    they are, never decoded."""
    listing = output.with_suffix(".concat.txt")
    listing.write_text("ffconcat version 1.0\n" + "".join(_concat_line(*i) for i in inputs))
    command = (
        ffmpeg.input(str(listing), f="concat", safe=0)
        .output(str(output), c="copy", f=codecs.CONTAINER)
        .global_args("-nostdin", "-hide_banner", "-loglevel", "error")
        .overwrite_output()
        .compile(cmd=imageio_ffmpeg.get_ffmpeg_exe())
    )
    # stdin is closed: the worker's stdin is its protocol pipe, which ffmpeg must never read.
    result = subprocess.run(
        command,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=FFMPEG_TIMEOUT_S,
        check=False,
    )
    listing.unlink(missing_ok=True)
    if result.returncode != 0:
        raise RecordingError(
            "recording.finish_failed",
            f"ffmpeg could not join the segments into {output.name}",
            details={"stderr": result.stderr.decode(errors="replace")[-2000:]},
        )


def finish_track(manifest: Manifest, name: str, directory: Path, key: bytes) -> FinalFile:
    """Join one track's sealed parts into its sealed final file (blocking)."""
    track = manifest.track(name)
    with tempfile.TemporaryDirectory(dir=directory, prefix=".finish-") as tmp:
        inputs = []
        for part in track.parts:
            plain = Path(tmp) / f"{part.part:05d}.webm"
            context = key_context(manifest.hearing, manifest.recording, name, part.part)
            opened = vault.open_file(key, context, directory / part.path, plain)
            if (opened.sha256, opened.bytes) != (part.sha256, part.bytes):
                raise RecordingError(
                    "recording.part_mismatch",
                    f"part {part.part} of {name} is not the file the audit log recorded",
                    details={"track": name, "part": part.part},
                )
            inputs.append((plain, part.end_us - part.start_us))
        joined = Path(tmp) / "joined.webm"
        concat_copy(inputs, joined)
        result = probe(joined)
        if result.codec != track.codec:
            raise RecordingError(
                "recording.finish_failed",
                f"{name}: joined file is {result.codec}, its parts are {track.codec}",
            )
        path = final_path(name)
        context = key_context(manifest.hearing, manifest.recording, name, None)
        sealed = vault.seal_file(key, context, joined, directory / path)
    return FinalFile(
        path=path,
        sha256=sealed.sha256,
        bytes=sealed.bytes,
        duration_us=result.duration_us,
        packets=result.packets,
        codec=result.codec,
        container=result.container,
    )


async def finish_recording(
    manifest: Manifest,
    directory: Path,
    key: bytes,
    *,
    on_final: Callable[[str, FinalFile], None] | None = None,
) -> Manifest:
    """Finish every track, one at a time, each in a thread; the manifest with its final files.
    `on_final` is called on the event loop after each track."""
    manifest.check()
    for track in manifest.tracks:
        final = await asyncio.to_thread(finish_track, manifest, track.track, directory, key)
        manifest = manifest.with_final(track.track, final)
        if on_final is not None:
            on_final(track.track, final)
    return manifest


def write_manifest(manifest: Manifest, directory: Path) -> Path:
    """Store the manifest beside the files (it holds hashes and times, nothing secret)."""
    path = directory / MANIFEST_NAME
    vault.write_atomic(path, manifest.dumps())
    return path
