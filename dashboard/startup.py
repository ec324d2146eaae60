"""Process start-up tuning shared by the server and the benchmarks that stand in for it."""
from __future__ import annotations

import gc


def freeze_startup_objects() -> None:
    """Take everything allocated so far (modules, SQLAlchemy metadata, page layouts) out of the garbage
    collector's reach. None of it ever becomes garbage, yet every full collection re-scanned all of it:
    a 50-100 ms pause inside whichever request happened to trigger one. Call once, at the end of
    start-up (before gunicorn forks its workers, which also keeps those memory pages shared)."""
    gc.collect()
    gc.freeze()
