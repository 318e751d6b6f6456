"""One CommerceML exchange session: its uploaded files and the steps of its import.

A session is a directory under settings.COMMERCEML_DIR named by a random id;
1C carries the id back in a signed cookie. `import` runs in steps so that no
request does much: import*.xml is parsed into goods.json; an offers*.xml is
parsed into a plan (the first call answers "progress"), and the plan is
written to the catalog in one transaction (the next call answers "success").
A file that does not parse fails its step with the reason and writes nothing.
"""

from __future__ import annotations

import fcntl
import json
import logging
import re
import secrets
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from django.conf import settings
from django.core import signing

from integrations.commerceml.documents import CommerceMLError, Good, read_goods, read_offers
from integrations.commerceml.prices import PricePlan, apply_prices, plan_prices

COOKIE_NAME = "clinic_1c_exchange"
SESSION_SECONDS = 6 * 3600
_SALT = "integrations.commerceml.session"
_SAFE_NAME = re.compile(r"^[\w\-. /]+$")
_COPY_BUFFER = 64 * 1024
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Step:
    state: str  # progress | success | failure
    detail: str = ""

    def text(self) -> str:
        return f"{self.state}\n{self.detail}" if self.detail else self.state


def _root() -> Path:
    return Path(settings.COMMERCEML_DIR)


def open_session() -> str:
    """A new session; the cookie value that names it. Sweeps sessions left behind."""
    root = _root()
    root.mkdir(parents=True, exist_ok=True)
    cutoff = time.time() - SESSION_SECONDS
    for old in root.iterdir():
        if old.is_dir() and old.stat().st_mtime < cutoff:
            shutil.rmtree(old, ignore_errors=True)
    session_id = secrets.token_hex(16)
    (root / session_id).mkdir()
    return signing.TimestampSigner(salt=_SALT).sign(session_id)


def find_session(cookie_value: str) -> Path | None:
    try:
        session_id = signing.TimestampSigner(salt=_SALT).unsign(
            cookie_value, max_age=SESSION_SECONDS
        )
    except signing.BadSignature:
        return None
    path = _root() / session_id
    return path if path.is_dir() else None


def start(session: Path) -> Step:
    """mode=init: forget what an earlier exchange in this session uploaded."""
    for child in session.iterdir():
        if child.is_dir():
            shutil.rmtree(child)
        else:
            child.unlink()
    return Step("zip=no", f"file_limit={settings.COMMERCEML_FILE_LIMIT}")


def _file(session: Path, filename: str) -> Path:
    name = filename.strip().replace("\\", "/")
    if not name or not _SAFE_NAME.match(name) or ".." in name.split("/") or name.startswith("/"):
        raise CommerceMLError(f"bad file name {filename!r}")
    return session / "files" / name


@contextmanager
def _locked(session: Path) -> Iterator[None]:
    with (session / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def receive_chunk(session: Path, filename: str, body: BinaryIO, length: int) -> Step:
    """mode=file: append this part of the file (1C sends big files in parts)."""
    target = _file(session, filename)
    with _locked(session):
        imported = session / f"{target.name}.imported"
        if imported.exists():
            # The same file sent again after it was imported: a new version.
            imported.unlink()
            target.unlink(missing_ok=True)
            _forget_derived(session, target.name)
        size = target.stat().st_size if target.exists() else 0
        if size + length > settings.COMMERCEML_MAX_FILE_SIZE:
            raise CommerceMLError(
                f"{filename} is larger than {settings.COMMERCEML_MAX_FILE_SIZE} bytes"
            )
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("ab") as out:
            remaining = length
            while remaining > 0:
                piece = body.read(min(_COPY_BUFFER, remaining))
                if not piece:
                    break
                out.write(piece)
                remaining -= len(piece)
    return Step("success")


def _forget_derived(session: Path, name: str) -> None:
    for derived in (f"{name}.plan.json", f"{name}.result.json"):
        (session / derived).unlink(missing_ok=True)
    if name.startswith("import"):
        (session / "goods.json").unlink(missing_ok=True)


def import_step(session: Path, filename: str) -> Step:
    """mode=import: do the next step of importing `filename`."""
    source = _file(session, filename)
    if not source.exists():
        raise CommerceMLError(f"{filename} was not uploaded")
    with _locked(session):
        name = source.name
        if name.startswith("import"):
            return _import_goods(session, source)
        if name.startswith(("offers", "prices")):
            return _import_offers(session, source)
        (session / f"{name}.imported").touch()
        return Step("success", f"{filename}: nothing to import from it")


def _import_goods(session: Path, source: Path) -> Step:
    goods = read_goods(source, source.name)
    store = session / "goods.json"
    known = json.loads(store.read_text()) if store.exists() else {}
    known.update({good.id: [good.article, good.name] for good in goods})
    store.write_text(json.dumps(known, ensure_ascii=False))
    (session / f"{source.name}.imported").touch()
    return Step("success", f"{source.name}: {len(goods)} goods")


def _import_offers(session: Path, source: Path) -> Step:
    result = session / f"{source.name}.result.json"
    if result.exists():
        return Step("success", json.loads(result.read_text())["summary"])
    plan_file = session / f"{source.name}.plan.json"
    if not plan_file.exists():
        store = session / "goods.json"
        if not store.exists():
            raise CommerceMLError(f"import.xml must be imported before {source.name}")
        goods = [
            Good(id=good_id, article=article, name=name)
            for good_id, (article, name) in json.loads(store.read_text()).items()
        ]
        plan = plan_prices(
            goods=goods,
            package=read_offers(source, source.name),
            price_type=settings.COMMERCEML_PRICE_TYPE,
        )
        plan_file.write_text(json.dumps(plan.to_json(), ensure_ascii=False))
        return Step("progress", f"{source.name}: {len(plan.changes)} prices to change")
    plan = PricePlan.from_json(json.loads(plan_file.read_text()))
    written = apply_prices(plan)
    if plan.unknown:
        # Reported, not invented: a service appears in the catalog only from the MIS.
        logger.warning(
            "1C price list: %d good(s) with no service, e.g. %s",
            len(plan.unknown),
            ", ".join(plan.unknown[:50]),
        )
    summary = f"{source.name}: {plan.summary()}"
    if written != len(plan.changes):
        summary += f" (written {written}: the rest changed meanwhile)"
    result.write_text(json.dumps({"summary": summary, "plan": plan.to_json()}, ensure_ascii=False))
    (session / f"{source.name}.imported").touch()
    return Step("success", summary)
