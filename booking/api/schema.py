"""OpenAPI generation: only the public API (/api/v1/), not Wagtail's admin API."""

PREFIX = "/api/v1/"


def only_public_api(endpoints, **_kwargs):
    return [endpoint for endpoint in endpoints if endpoint[0].startswith(PREFIX)]
