"""Decrypt a recording for the clerk: files a third party checks with `sha256sum -c SHA256SUMS`.

The output folder holds `manifest.json`, each final file (and, if asked, each part) under its
manifest path without the `.vcrec` suffix, and `SHA256SUMS` in coreutils format. Every decrypted
file is checked against the manifest's hash and length, and so against the audit log's
`media.segment` events, before it is listed. Blocking: call it in a thread.
"""

from __future__ import annotations

from pathlib import Path

from recordings import vault
from recordings.errors import RecordingError
from recordings.manifest import Manifest, exported_path, key_context

SUMS_NAME = "SHA256SUMS"


def export_recording(
    manifest: Manifest, directory: Path, key: bytes, out_dir: Path, *, parts: bool = False
) -> list[Path]:
    """Decrypt the final files (and the parts if `parts`) into `out_dir`; return their paths."""
    manifest.check()
    wanted: list[tuple[str, str, int | None, str, int]] = []
    for track in manifest.tracks:
        if parts or track.final is None:
            wanted += [(track.track, p.path, p.part, p.sha256, p.bytes) for p in track.parts]
        if track.final is not None:
            final = track.final
            wanted.append((track.track, final.path, None, final.sha256, final.bytes))
    written: list[Path] = []
    sums: list[str] = []
    for track_name, rel, part, sha256, length in wanted:
        name = exported_path(rel)
        dest = out_dir / name
        context = key_context(manifest.hearing, manifest.recording, track_name, part)
        opened = vault.open_file(key, context, directory / rel, dest)
        if (opened.sha256, opened.bytes) != (sha256, length):
            dest.unlink()
            raise RecordingError(
                "recording.part_mismatch",
                f"{rel} decrypts, but not to the file the manifest recorded",
                details={"path": rel},
            )
        written.append(dest)
        sums.append(f"{sha256}  {name}\n")
    vault.write_atomic(out_dir / "manifest.json", manifest.dumps())
    vault.write_atomic(out_dir / SUMS_NAME, "".join(sums).encode())
    return written
