"""Tests of the SMS layer: adapters, simulators, delivery."""
