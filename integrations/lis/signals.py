"""Signals of the LIS path: what other parts of the platform may listen to."""

from django.dispatch import Signal

# Sent once per newly stored report, after the transaction that stored it
# commits; keywords: patient and report, as the results store returned them
# (the cabinet's Patient and its records LabReport).
lab_report_arrived = Signal()
