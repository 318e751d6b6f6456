"""MIS adapters, one module per system, and the factory that picks one."""

from functools import lru_cache

from django.conf import settings

from integrations.ports import MisAdapter


def get_mis_adapter() -> MisAdapter:
    """The adapter named by settings.MIS_ADAPTER (one instance per configuration
    and process: building one costs a generated directory or a WSDL download)."""
    from integrations.circuit import GuardedMis

    return GuardedMis(_adapter())


def _adapter() -> MisAdapter:
    name = settings.MIS_ADAPTER
    if name == "demo":
        return _demo(settings.MIS_DEMO_SEED, settings.MIS_DEMO_OUTAGE, settings.MIS_DEMO_STORE)
    if name == "medialog":
        return _medialog(
            settings.MEDIALOG_URL,
            settings.MEDIALOG_USER,
            settings.MEDIALOG_PASSWORD,
            settings.MEDIALOG_TIME_ZONE,
            settings.MEDIALOG_TIMEOUT,
        )
    if name == "infoclinica":
        return _infoclinica(
            settings.INFOCLINICA_URL,
            settings.INFOCLINICA_CLIENT_ID,
            settings.INFOCLINICA_CLIENT_KEY,
            settings.INFOCLINICA_TIME_ZONE,
            settings.INFOCLINICA_TIMEOUT,
        )
    if name == "onec":
        return _onec(
            settings.ONEC_URL,
            settings.ONEC_USER,
            settings.ONEC_PASSWORD,
            settings.ONEC_TIME_ZONE,
            settings.ONEC_TIMEOUT,
        )
    if name == "fhir":
        return _fhir(
            settings.FHIR_URL, settings.FHIR_TOKEN, settings.FHIR_TIME_ZONE, settings.FHIR_TIMEOUT
        )
    if name == "n3":
        return _n3(
            settings.N3_URL,
            settings.N3_GUID,
            settings.N3_FHIR_URL,
            settings.N3_TIME_ZONE,
            settings.N3_TIMEOUT,
        )
    raise ValueError(
        f"Unknown MIS_ADAPTER {name!r}; known: demo, medialog, infoclinica, onec, fhir, n3."
    )


@lru_cache(maxsize=8)
def _demo(seed: int, outage: bool, store: str) -> MisAdapter:
    from integrations.mis.demo import DemoMis

    return DemoMis(seed=seed, outage=outage, store=store)


@lru_cache(maxsize=8)
def _medialog(url: str, user: str, password: str, time_zone: str, timeout: float) -> MisAdapter:
    from integrations.mis.medialog import MedialogMis

    return MedialogMis(url=url, user=user, password=password, time_zone=time_zone, timeout=timeout)


@lru_cache(maxsize=8)
def _infoclinica(url: str, client_id: str, key: str, time_zone: str, timeout: float) -> MisAdapter:
    from integrations.mis.infoclinica import InfoclinicaMis

    return InfoclinicaMis(
        url=url, client_id=client_id, client_key=key, time_zone=time_zone, timeout=timeout
    )


@lru_cache(maxsize=8)
def _onec(url: str, user: str, password: str, time_zone: str, timeout: float) -> MisAdapter:
    from integrations.mis.onec import OnecMis

    return OnecMis(url=url, user=user, password=password, time_zone=time_zone, timeout=timeout)


@lru_cache(maxsize=8)
def _fhir(url: str, token: str, time_zone: str, timeout: float) -> MisAdapter:
    from integrations.mis.fhir import FhirMis

    return FhirMis(url=url, token=token, time_zone=time_zone, timeout=timeout)


@lru_cache(maxsize=8)
def _n3(url: str, guid: str, fhir_url: str, time_zone: str, timeout: float) -> MisAdapter:
    from integrations.mis.n3 import N3Mis

    return N3Mis(
        url=url,
        guid=guid,
        fhir_url=fhir_url,
        time_zone=time_zone,
        timeout=timeout,
    )
