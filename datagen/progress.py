"""Progress bars for long writes: a tqdm bar on a terminal, nothing anywhere else.

Bars go to stderr only; stdout belongs to the command's output.
"""
from __future__ import annotations

import contextlib
import sys


def progress_enabled(progress: bool | None, stream=None) -> bool:
    """None = automatic: a bar only when the stream (stderr) is a terminal."""
    if progress is not None:
        return bool(progress)
    stream = sys.stderr if stream is None else stream
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # closed or replaced stream
        return False


class _NoBar:
    def update(self, n: int = 1) -> None:  # noqa: D401 - same signature as tqdm.update
        pass


@contextlib.contextmanager
def rows_bar(label: str, total: int, enabled: bool):
    """A per-table bar counting rows, showing rows/s; a no-op when disabled."""
    if not enabled:
        yield _NoBar()
        return
    from tqdm import tqdm

    with tqdm(
        total=total,
        desc=label,
        unit=" rows",
        unit_scale=True,
        file=sys.stderr,
        leave=True,
        dynamic_ncols=True,
        mininterval=0.2,
    ) as bar:
        yield bar
