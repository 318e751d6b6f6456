"""Simulators: real servers speaking each external system's protocol, with knobs."""
