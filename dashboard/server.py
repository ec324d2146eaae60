"""Serving the dashboard: Flask's development server, or gunicorn with N worker processes.

`python run.py serve` and `python run.py demo` call `serve()`. Problems a user can fix (port taken,
database down) are `UserError`s with one-line messages, checked before anything starts.
"""
from __future__ import annotations

import errno
import socket
import sys

from schema.config import Settings
from schema.errors import UserError


def check_port(host: str, port: int) -> None:
    """Raise a one-line UserError when nothing can listen on host:port."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise UserError(f"port {port} on {host} is already in use; stop the other server or pick one with --port") from None
            if exc.errno == errno.EACCES:
                raise UserError(f"no permission to listen on port {port}; use a port above 1023 with --port") from None
            raise UserError(f"cannot listen on {host}:{port}: {exc.strerror}") from None


def check_database(settings: Settings) -> bool:
    """Raise DatabaseUnavailable when the database cannot be reached; return True when it holds data."""
    from schema.db import check_available, create_engine
    from schema.manage import is_empty

    engine = create_engine(settings.database_url)
    try:
        check_available(engine)
        return not is_empty(engine)
    finally:
        engine.dispose()


def serve(settings: Settings, *, host: str = "127.0.0.1", port: int = 8050, workers: int | None = None,
          debug: bool = False) -> int:
    check_port(host, port)
    if not check_database(settings):
        print("warning: the database holds no data yet; `python run.py demo` generates some", file=sys.stderr)
    if workers:
        return _gunicorn(settings, host, port, workers)
    from dashboard.app import create_app

    app = create_app(settings)
    print(f"dashboard on http://{host}:{port}/ (Ctrl+C stops it)", file=sys.stderr)
    app.run(host=host, port=port, debug=debug, dev_tools_disable_version_check=True)
    return 0


def _gunicorn(settings: Settings, host: str, port: int, workers: int) -> int:
    """gunicorn's Python API: each worker builds its own app (Dash pages register per process)."""
    from gunicorn.app.base import BaseApplication

    class Application(BaseApplication):
        def load_config(self):
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("accesslog", "-")

        def load(self):
            from dashboard.app import create_app

            return create_app(settings).server

    print(f"dashboard on http://{host}:{port}/ with {workers} gunicorn workers (Ctrl+C stops it)", file=sys.stderr)
    Application().run()
    return 0
