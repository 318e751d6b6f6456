"""`manage.py simulate <system> --port N`: serve one simulator until Ctrl-C."""

from __future__ import annotations

import signal
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from integrations.simulators import registry


class Command(BaseCommand):
    help = "Serve the simulator of an external system (integrations/simulators/)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("system", help=f"one of: {', '.join(registry())}")
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, required=True)
        parser.add_argument("--latency", type=float, help="seconds added to every answer")
        parser.add_argument("--error-code", type=int, help="refuse sends with this code")
        parser.add_argument("--error-rate", type=float, help="share of sends refused (0..1)")
        parser.add_argument("--outage", choices=["", "503"], help="503: answer every call 503")
        parser.add_argument("--callback-url", help="where delivery reports are POSTed")
        parser.add_argument("--callback-delay", type=float, help="seconds until the report")
        parser.add_argument("--delivery", choices=["delivered", "failed"])
        parser.add_argument("--seed", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        simulators = registry()
        system = options["system"]
        if system not in simulators:
            raise CommandError(f"No simulator {system!r}; known: {', '.join(simulators)}.")
        knobs = {
            name: options[name]
            for name in (
                "latency",
                "error_code",
                "error_rate",
                "outage",
                "callback_url",
                "callback_delay",
                "delivery",
                "seed",
            )
            if options[name] is not None
        }
        simulator = simulators[system](host=options["host"], port=options["port"], **knobs)
        signal.signal(signal.SIGTERM, lambda *_: simulator.stop())
        signal.signal(signal.SIGINT, lambda *_: simulator.stop())
        simulator.start()
        self.stdout.write(f"{system} simulator at {simulator.url} (knobs: {simulator.knobs_url})")
        self.stdout.flush()
        simulator.serve_forever()
