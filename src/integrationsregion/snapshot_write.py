"""Writing the snapshot so that nothing can corrupt it: one exclusive lock, and a journal for the multi-file replace.

`commit` replaces several files of the snapshot directory (observations, manifest, regions) together:
1. every new file is written to a temp file beside its target (fsync, checked);
2. a journal `.snapshot-journal.json` naming each temp file and its sha256 appears atomically;
3. each temp file is renamed over its target; 4. the journal is removed.
A kill before step 2 leaves the old snapshot (plus temp files that `recover` removes); a kill after it leaves a
journal that `recover` rolls forward. `recover` runs at the start of every commit, of `update` and of
`validate` (under the lock); `validation.manifest_problems` tells whether manifest and observations belong together.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import time
from collections.abc import Iterator
from pathlib import Path

from integrationsregion import atomic
from integrationsregion.settings import get_settings

JOURNAL = ".snapshot-journal.json"
SNAPSHOT_FILES = ("observations.csv", "manifest.json", "regions.csv")


class SnapshotLocked(RuntimeError):
    """Another process holds the snapshot lock."""


def lock_path(data_dir: Path) -> Path:
    """The lock file of a snapshot directory, in the state directory (never inside the snapshot)."""
    digest = hashlib.sha256(str(Path(data_dir).resolve()).encode()).hexdigest()[:16]
    return get_settings().state_dir / "locks" / f"snapshot-{digest}.lock"


@contextlib.contextmanager
def snapshot_lock(data_dir: Path, wait: float = 0.0) -> Iterator[None]:
    """Hold the exclusive lock of `data_dir` (waiting up to `wait` seconds); raise SnapshotLocked otherwise.

    The lock is an `flock` on a file in the state directory: the kernel releases it when the process ends,
    so a killed update never leaves a stale lock.
    """
    path = lock_path(data_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise SnapshotLocked(
                        f"Ein anderes Update schreibt gerade in {data_dir} (Sperre {path.name}) – Schnappschuss "
                        "unverändert, später erneut starten / another update is writing to this snapshot "
                        "(lock held) – snapshot unchanged, run again later"
                    ) from None
                time.sleep(0.1)
        yield
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _temp_files(data_dir: Path) -> list[Path]:
    names = (*SNAPSHOT_FILES, JOURNAL)
    return [p for name in names for p in data_dir.glob(f".{name}.*.tmp")]


def recover(data_dir: Path) -> list[str]:
    """Finish an interrupted commit (roll forward) and remove stale temp files; call it under the lock.

    Returns one line per repair (empty when there was nothing to do).
    """
    done: list[str] = []
    journal = data_dir / JOURNAL
    if journal.exists():
        try:
            entries = json.loads(journal.read_text(encoding="utf-8"))["files"]
        except (OSError, ValueError, KeyError, TypeError):
            entries = None  # never complete: the journal appears by rename, so nothing was replaced yet
        if isinstance(entries, dict):
            for name, entry in entries.items():
                target, tmp = data_dir / name, data_dir / str(entry["tmp"])
                if tmp.exists() and _sha256(tmp) == entry["sha256"]:
                    os.replace(tmp, target)
                    done.append(
                        f"{name}: unterbrochenes Schreiben abgeschlossen / interrupted write completed"
                    )
            _fsync_dir(data_dir)
        journal.unlink()
        _fsync_dir(data_dir)
        done.append(
            f"{JOURNAL}: Schreibvorgang abgeschlossen / write completed"
            if entries is not None
            else f"{JOURNAL}: unlesbares Journal verworfen / unreadable journal discarded"
        )
    for tmp in _temp_files(data_dir):
        tmp.unlink(missing_ok=True)
        done.append(f"{tmp.name}: liegengebliebene Temp-Datei entfernt / stale temp file removed")
    return done


def commit(data_dir: Path, files: dict[str, bytes]) -> None:
    """Replace the given files of `data_dir` together (see the module docstring); call it under the lock."""
    recover(data_dir)
    temps: dict[str, Path] = {}
    try:
        for name, body in files.items():
            temps[name] = atomic.write_temp(data_dir / name, body)
        journal = {
            "files": {
                name: {"tmp": tmp.name, "sha256": hashlib.sha256(files[name]).hexdigest()}
                for name, tmp in temps.items()
            }
        }
        atomic.replace(data_dir / JOURNAL, json.dumps(journal, indent=1).encode())
        _fsync_dir(data_dir)
    except BaseException:
        for tmp in temps.values():
            tmp.unlink(missing_ok=True)
        (data_dir / JOURNAL).unlink(missing_ok=True)
        raise
    # From here on the journal makes the change durable: a failure is finished by the next `recover`.
    for name, tmp in temps.items():
        os.replace(tmp, data_dir / name)
    _fsync_dir(data_dir)
    (data_dir / JOURNAL).unlink()
    _fsync_dir(data_dir)
