"""Wire protocols several adapters speak (FHIR R4, ready-made slots): Django-free, not adapters."""
