"""MIS adapters, one module per system, and the factory that picks one."""

from django.conf import settings

from integrations.ports import MisAdapter


def get_mis_adapter() -> MisAdapter:
    """The adapter named by settings.MIS_ADAPTER."""
    name = settings.MIS_ADAPTER
    if name == "demo":
        from integrations.mis.demo import DemoMis

        return DemoMis(
            seed=settings.MIS_DEMO_SEED,
            outage=settings.MIS_DEMO_OUTAGE,
            store=settings.MIS_DEMO_STORE,
        )
    raise ValueError(f"Unknown MIS_ADAPTER {name!r}; known: demo.")
