"""/healthz: JSON status of database, cache, broker and MIS; 503 when one is down."""

import time

from django.test import override_settings

import pytest

from clinic_site.celery import app as celery_app

pytestmark = pytest.mark.django_db


def test_all_up_on_postgres_and_redis(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert {name: c["status"] for name, c in body["checks"].items()} == {
        "database": "ok",
        "cache": "ok",
        "broker": "ok",
        "mis": "ok",
    }
    assert body["checks"]["database"]["detail"] == "postgresql"
    assert body["checks"]["cache"]["detail"] == "RedisCache"
    assert body["checks"]["broker"]["detail"] == "redis"


def test_unreachable_redis_cache_is_reported_down(client, closed_port):
    dead = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_port}/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    with override_settings(CACHES=dead):
        began = time.monotonic()
        response = client.get("/healthz")
        elapsed = time.monotonic() - began
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["status"] == "down"
    assert body["checks"]["cache"]["status"] == "down"
    assert body["checks"]["database"]["status"] == "ok"
    assert elapsed < 10  # answers instead of hanging on the dead server


def test_unreachable_broker_is_reported_down(client, closed_port):
    original = celery_app.conf.broker_url
    celery_app.conf.broker_url = f"redis://127.0.0.1:{closed_port}/0"
    try:
        response = client.get("/healthz")
    finally:
        celery_app.conf.broker_url = original
    assert response.status_code == 503
    assert response.json()["checks"]["broker"]["status"] == "down"


@override_settings(MIS_DEMO_OUTAGE=True)
def test_mis_outage_is_reported_down(client):
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["checks"]["mis"] == {
        "status": "down",
        "error": "MisUnavailable",
        "ms": body["checks"]["mis"]["ms"],
    }
    # No trace or internal detail leaks into the answer.
    assert "Traceback" not in response.content.decode()
