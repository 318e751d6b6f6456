"""Each pytest-xdist worker gets its own Redis key prefix and var directory.

Loaded with `-p tests.worker_env` (pyproject's addopts), so it runs before
pytest-django imports the settings, which read REDIS_KEY_PREFIX and
CLINIC_VAR_DIR once. The database needs nothing here: pytest-django gives each
worker its own test database (suffix _gw0, _gw1, ...). Child processes (Celery
workers, simulators, `manage.py` runs) inherit these variables.
"""

import os

worker = os.environ.get("PYTEST_XDIST_WORKER")
if worker:
    os.environ["REDIS_KEY_PREFIX"] = f"{os.environ.get('REDIS_KEY_PREFIX', 'test')}-{worker}"
    var_dir = os.environ.get("CLINIC_VAR_DIR")
    if var_dir:
        os.environ["CLINIC_VAR_DIR"] = os.path.join(var_dir, worker)
