"""Run the МЕДИАЛОГ simulator as a process: python -m integrations.simulators.medialog."""

from __future__ import annotations

from integrations.simulators._mis_http import run_as_process
from integrations.simulators.medialog.server import MedialogSimulator


def main(argv: list[str] | None = None) -> None:
    run_as_process(
        MedialogSimulator,
        argv,
        name="medialog",
        port=8091,
        # The demo login; windows-1251 like many MEDIALOG installations.
        options={"user": "medialog", "password": "medialog", "encoding": "utf-8"},  # noqa: S106
    )


if __name__ == "__main__":
    main()
