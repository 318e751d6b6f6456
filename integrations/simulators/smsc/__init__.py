"""The smsc.ru simulator: `SmscSimulator(**knobs)` serves it in a thread (a context manager).

`manage.py simulate smsc --port N` runs it as a process; knobs in ../_http.py.
"""

from __future__ import annotations

from integrations.simulators.smsc.server import SmscSimulator

__all__ = ["SmscSimulator"]
