"""The sms.ru simulator: `SmsRuSimulator(**knobs)` serves it in a thread (a context manager).

`manage.py simulate smsru --port N` runs it as a process; knobs in ../_http.py.
"""

from __future__ import annotations

from integrations.simulators.smsru.server import SmsRuSimulator

__all__ = ["SmsRuSimulator"]
