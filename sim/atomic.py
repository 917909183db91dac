"""Writing files so that a reader never sees half of one, or half of a set: each file is
written to a temporary name beside its target, and all are renamed into place (atomic on
one filesystem) only once every one of them has been written."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Mapping
from pathlib import Path

Writer = Callable[[Path], object]


def write_all(writers: Mapping[str | os.PathLike, Writer]) -> list[Path]:
    """Call each `writer(tmp_path)`, then rename every result to its target, in order.

    Nothing is renamed unless all writers succeed; temporary files never outlive the call.
    A writer must not infer the format from the temporary name's suffix (`.partial`)."""
    staged: list[tuple[Path, Path]] = []
    try:
        for target, writer in writers.items():
            target = Path(target)
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = _staging_file(target)
            staged.append((tmp, target))
            writer(tmp)
        for tmp, target in staged:
            os.replace(tmp, target)
    finally:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)
    return [target for _, target in staged]


def _staging_file(target: Path) -> Path:
    """A new file beside `target` with a name no other writer uses, created with the
    permissions a plain `open` gives (the umask's; `tempfile.mkstemp` would give 0600)."""
    while True:
        tmp = target.with_name(f".{target.name}.{secrets.token_hex(6)}.partial")
        try:
            os.close(os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666))
            return tmp
        except FileExistsError:
            continue


def write_with(path: str | os.PathLike, writer: Writer) -> Path:
    """Call `writer(tmp_path)` and rename the result to `path`; nothing is left on failure."""
    return write_all({path: writer})[0]


def write_text(path: str | os.PathLike, text: str) -> Path:
    return write_with(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))
