"""One function run in a forked child process, its result sent back through a pipe: the second core of
the SQLite loader (datagen/sqlite_helper.py) and of the SQLite refresh (schema/refresh_sqlite.py).

    call = ForkedCall(work, name="sqlite-load-helper")   # work(mark) -> a picklable result
    call.start()                                          # fork: the child sees the parent's memory
    ...                                                   # the parent does its own share meanwhile
    result = call.result()                                # or ForkedCallFailed(step, reason)
    call.stop()                                           # always (kills a child still running)

`work` calls `mark(name)` as it goes, so a failure says which step it was in.
"""
from __future__ import annotations

import multiprocessing
from collections.abc import Callable


class ForkedCallFailed(RuntimeError):
    """The child raised (``step``: the last name it marked, None if none) or died."""

    def __init__(self, step: str | None, reason: str):
        super().__init__(reason)
        self.step = step


class ForkedCall:
    def __init__(self, work: Callable[[Callable[[str | None], None]], object], *, name: str):
        self.work, self.name = work, name
        self._process = None
        self._receiver = None

    def start(self) -> None:
        ctx = multiprocessing.get_context("fork")
        self._receiver, sender = ctx.Pipe(duplex=False)
        self._process = ctx.Process(target=self._run, args=(sender,), name=self.name, daemon=True)
        self._process.start()
        sender.close()

    def _run(self, sender) -> None:  # in the child
        step: list[str | None] = [None]
        try:
            sender.send(("ok", self.work(lambda name: step.__setitem__(0, name))))
        except BaseException as exc:  # noqa: BLE001 - reported to the parent
            sender.send(("error", (step[0], str(exc).strip() or type(exc).__name__)))
        finally:
            sender.close()

    def result(self):
        """Block until the child is done; what `work` returned. Raises ForkedCallFailed."""
        try:
            status, value = self._receiver.recv()
        except EOFError:
            self._process.join()
            raise ForkedCallFailed(None, f"the helper process died (exit code {self._process.exitcode})") from None
        self._process.join()
        if status != "ok":
            raise ForkedCallFailed(*value)
        return value

    def stop(self) -> None:
        if self._process is not None and self._process.is_alive():
            self._process.terminate()
            self._process.join(timeout=5)
        if self._receiver is not None:
            self._receiver.close()
