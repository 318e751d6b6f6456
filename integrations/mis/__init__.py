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
    if name == "medialog":
        from integrations.mis.medialog import MedialogMis

        return MedialogMis(
            url=getattr(settings, "MEDIALOG_URL", "http://127.0.0.1:8091/medialog/PlanningService"),
            user=getattr(settings, "MEDIALOG_USER", ""),
            password=getattr(settings, "MEDIALOG_PASSWORD", ""),
            time_zone=getattr(settings, "MEDIALOG_TIME_ZONE", "Europe/Moscow"),
            timeout=getattr(settings, "MEDIALOG_TIMEOUT", 10.0),
        )
    raise ValueError(f"Unknown MIS_ADAPTER {name!r}; known: demo, medialog.")
