"""`probity serve`: migrations, then gunicorn (a production-grade WSGI server) with WhiteNoise."""

from __future__ import annotations

import os
from typing import Any

from gunicorn.app.base import BaseApplication

from probity.errors import UsageError


class _ProbityServer(BaseApplication):  # type: ignore[misc]
    def __init__(self, application: Any, options: dict[str, Any]) -> None:
        self.application = application
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        return self.application


def django_setup() -> None:
    """Configure Django for the CLI (settings errors surface as ConfigurationError)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "probity.web.config.settings")
    import django

    django.setup()


def serve(*, host: str = "127.0.0.1", port: int = 8000, workers: int = 2,
          threads: int = 4) -> None:
    if not 0 < port < 65536:
        raise UsageError(f"--port {port} is not a TCP port (1-65535)")
    django_setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    from django.db import connections

    from probity.web.core.dbstats import database_analyze

    if connections["default"].vendor == "sqlite":  # PostgreSQL: autovacuum keeps them
        database_analyze()
    connections.close_all()  # workers open their own (preload_app forks this process)
    from probity.web.config.wsgi import application

    options = {
        "bind": f"{host}:{port}",
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread",
        "accesslog": "-",
        "errorlog": "-",
        "timeout": 60,
        "graceful_timeout": 10,
        "proc_name": "probity",
        "preload_app": True,
        "control_socket_disable": True,
    }
    print(f"Probity is serving on http://{host}:{port}/ (Ctrl-C to stop)", flush=True)
    _ProbityServer(application, options).run()
