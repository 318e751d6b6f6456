"""What booking tells whoever listens, without knowing who (the waitlist does).

- `time_freed(doctor_id, start)`: sent after the commit that freed a time of
  a doctor (a cancellation, an expired hold, a refusal of the MIS).
- `holds_expired(appointments)`: sent inside the transaction that marked
  these holds expired.
"""

from django.dispatch import Signal

time_freed = Signal()
holds_expired = Signal()
