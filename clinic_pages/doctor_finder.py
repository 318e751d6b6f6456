"""The doctor finder of the doctors section: filters, cards, next free times (a doctor page's too).

Who offers what comes from booking's directory snapshot (no table read when
warm); the free times of the doctors on one page of the list come from the
slot cache in a few batched reads, never one slot search a doctor.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.paginator import Page as PaginatorPage
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils import timezone

from wagtail.images import get_image_model

from booking.directory import directory
from booking.free_slots import FreeSlot, slot_policy
from booking.selectors import default_service, next_free_slots, service_for
from booking.slot_cache import cached_free_slots
from catalog.models import Branch, Doctor, Service, Specialty
from clinic_pages.slugs import transliterated_slug

PER_PAGE = 10
TIMES_A_CARD = 4
DAYS_AHEAD = 14  # as far as a doctor page looks for free times
PHOTO_FILTER = "fill-144x144|format-webp"  # shown at 72x72 CSS pixels
EAGER_PHOTOS = 2  # cards above the fold on a phone; the rest load lazily

# The remembered city or branch: a signed token, so only values this site
# issued exist (the page cache keys its variants by it).
BRANCH_COOKIE = "clinic_branch"
BRANCH_COOKIE_SALT = "clinic_pages.branch"
BRANCH_COOKIE_SECONDS = 365 * 24 * 3600
_TOKEN = re.compile(r"^(?:\d{1,9}|[a-z][a-z0-9-]{0,39})$")


def remembered_branch(request: HttpRequest) -> str | None:
    """The branch (id) or city (slug) token the visitor chose before, if the cookie is ours.

    Reads no database: the page cache asks it before a page is routed."""
    if BRANCH_COOKIE not in request.COOKIES:
        return None
    token = request.get_signed_cookie(
        BRANCH_COOKIE, default=None, salt=BRANCH_COOKIE_SALT, max_age=BRANCH_COOKIE_SECONDS
    )
    return token if token and _TOKEN.match(token) else None


def remember_branch(response: HttpResponse, token: str | None) -> None:
    """Keep the choice a year (or forget it: «all cities»)."""
    if token:
        response.set_signed_cookie(
            BRANCH_COOKIE,
            token,
            salt=BRANCH_COOKIE_SALT,
            max_age=BRANCH_COOKIE_SECONDS,
            samesite="Lax",
            httponly=True,
            secure=_secure_cookies(),
        )
    else:
        response.delete_cookie(BRANCH_COOKIE, samesite="Lax")


def _secure_cookies() -> bool:
    return bool(settings.SESSION_COOKIE_SECURE)


# --- places ---------------------------------------------------------------------

_CITY = re.compile(r"^\s*(?:г\.|город)\s*([^,]+)", re.IGNORECASE)


def branch_city(branch: Branch) -> str:
    """«Москва» from «г. Москва, ул. Примерная, д. 12» (the MIS has no city field)."""
    match = _CITY.match(branch.address or "")
    return match.group(1).strip() if match else ""


@dataclass(frozen=True)
class Place:
    """A choice of the place filter: one branch, or every branch of a city."""

    token: str
    label: str
    branch_ids: frozenset[int]
    city: str
    is_city: bool = False


@dataclass(frozen=True)
class City:
    name: str
    places: tuple[Place, ...]  # the city itself first when it has several branches


def places(branches: list[Branch]) -> list[City]:
    """The place choices, by city: «Москва: все филиалы» only where a city has several."""
    by_city: dict[str, list[Branch]] = {}
    for branch in sorted(branches, key=lambda b: (branch_city(b), b.name)):
        by_city.setdefault(branch_city(branch) or branch.name, []).append(branch)
    cities = []
    for name, members in by_city.items():
        choices = [
            Place(str(b.pk), b.name, frozenset({b.pk}), name) for b in members
        ]  # fmt: skip
        if len(members) > 1:
            slug = transliterated_slug(name)
            choices.insert(0, Place(slug, name, frozenset(b.pk for b in members), name, True))
        cities.append(City(name, tuple(choices)))
    return cities


# --- filters --------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    specialty: Specialty | None = None
    place: Place | None = None
    day: date | None = None
    online: bool = False
    page: int = 1
    # The place came from the request (to remember), not from the cookie.
    place_asked: bool = False
    place_token_asked: str | None = None

    def query(self, **changes: object) -> str:
        """This filter as a query string, with some values changed (None drops one)."""
        values = {
            "specialty": self.specialty.pk if self.specialty else None,
            "branch": self.place.token if self.place else None,
            "date": self.day.isoformat() if self.day else None,
            "online": "1" if self.online else None,
            "page": self.page if self.page > 1 else None,
        }
        values.update(changes)
        params = QueryDict(mutable=True)
        for key, value in values.items():
            if value not in (None, ""):
                params[key] = str(value)
        return params.urlencode()

    @property
    def is_filtered(self) -> bool:
        return bool(self.specialty or self.place or self.day or self.online)


def today() -> date:
    return timezone.localdate()


def days_offered(*, now: datetime | None = None) -> list[date]:
    first = timezone.localdate(now) if now else today()
    return [first + timedelta(days=n) for n in range(DAYS_AHEAD)]


def parse_filters(
    params: QueryDict,
    *,
    remembered: str | None,
    specialties: dict[int, Specialty],
    cities: list[City],
    now: datetime | None = None,
) -> Filters:
    """The finder's filters from the query string; a bad value is ignored, not an error."""
    by_token = {p.token: p for c in cities for p in c.places}
    specialty = specialties.get(_int(params.get("specialty")))
    asked = "branch" in params
    token = params.get("branch", "").strip() if asked else (remembered or "")
    day = None
    try:
        day = date.fromisoformat(params.get("date", ""))
    except ValueError:
        day = None
    if day is not None and day not in days_offered(now=now):
        day = None
    page = max(1, _int(params.get("page")) or 1)
    return Filters(
        specialty=specialty,
        place=by_token.get(token),
        day=day,
        online=params.get("online") in ("1", "on", "true"),
        page=page,
        place_asked=asked,
        place_token_asked=token if asked and token in by_token else None,
    )


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


# --- the list ---------------------------------------------------------------------


@dataclass
class DoctorCard:
    doctor: Doctor
    page: object  # the DoctorPage
    service: Service | None  # the visit its times and price are for
    specialties: list[str]
    branches: list[tuple[str, str]]  # (branch name, city)
    free_slots: list[FreeSlot] = field(default_factory=list)
    eager_photo: bool = False
    photo: object | None = None  # the photo's rendition (PHOTO_FILTER), or None

    @property
    def price(self):
        return self.service.price if self.service else None

    @property
    def initials(self) -> str:
        return "".join(p[:1] for p in (self.doctor.last_name, self.doctor.first_name)).upper()


@dataclass
class Finder:
    filters: Filters
    cities: list[City]
    specialties: list[Specialty]
    days: list[date]
    cards: list[DoctorCard]
    paginator_page: PaginatorPage
    total: int

    def specialty_links(self) -> list[tuple[Specialty | None, str, bool]]:
        """The chips: (specialty or None for «all», query string, is current); one tap
        each, keeping the other filters and going back to the first page."""
        current = self.filters.specialty
        links = [(None, self.filters.query(specialty=None, page=None), current is None)]
        links += [
            (
                s,
                self.filters.query(specialty=s.pk, page=None),
                current is not None and current.pk == s.pk,
            )
            for s in self.specialties
        ]
        return links

    def all_cities_query(self) -> str:
        # An empty branch= says «all cities» and forgets the remembered one.
        rest = self.filters.query(branch=None, page=None)
        return f"{rest}&branch=" if rest else "branch="

    def page_query(self, number: int) -> str:
        return self.filters.query(page=number if number > 1 else None)

    def previous_query(self) -> str | None:
        page = self.paginator_page
        return self.page_query(page.previous_page_number()) if page.has_previous() else None

    def next_query(self) -> str | None:
        page = self.paginator_page
        return self.page_query(page.next_page_number()) if page.has_next() else None


def offered_service(offer, *, online: bool):
    """The visit a card offers: the first consultation (the doctor page's default),
    or with «online» the doctor's first online one (the slot search's rule)."""
    return service_for(offer, online=True) if online else default_service(offer.doctor)


def find_doctors(
    *,
    params: QueryDict,
    remembered: str | None,
    doctor_pages,
    now: datetime | None = None,
    per_page: int = PER_PAGE,
) -> Finder:
    """The finder for one request. `doctor_pages`: the live DoctorPages to list from.

    A handful of queries whatever the filters: the pages' doctor ids, the page's
    DoctorPages with their photos' renditions, and the slot cache's reads (two
    queries more for the doctor-days it misses).
    """
    now = now or timezone.now()
    snapshot = directory()
    listed = dict(doctor_pages.values_list("doctor_id", "pk"))
    offers = [
        o for o in snapshot.offers if o.doctor.pk in listed and not o.doctor.is_room
    ]  # fmt: skip
    specialties = {
        s.pk: s for o in offers for s in o.doctor.specialties.all() if s.is_active
    }  # fmt: skip
    branch_rows = {b for o in offers for b in o.branch_ids}
    branches = [
        b for pk, b in snapshot.branches.items() if pk in branch_rows and b.is_active
    ]  # fmt: skip
    cities = places(branches)
    filters = parse_filters(
        params, remembered=remembered, specialties=specialties, cities=cities, now=now
    )

    chosen = []
    for offer in offers:
        if filters.specialty and filters.specialty.pk not in offer.specialty_ids:
            continue
        if filters.place and not offer.branch_ids & filters.place.branch_ids:
            continue
        service = offered_service(offer, online=filters.online)
        if service is None:
            continue
        chosen.append((offer.doctor, service))
    chosen.sort(key=lambda pair: (pair[0].last_name, pair[0].first_name, pair[0].middle_name))

    branch_ids = filters.place.branch_ids if filters.place else None
    times: dict[int, list[FreeSlot]] = {}
    if filters.day is not None:
        # Only the doctors free that day: one day of each, from the slot cache.
        times = free_times_on(chosen, day=filters.day, now=now, branch_ids=branch_ids)
        chosen = [pair for pair in chosen if times.get(pair[0].pk)]

    paginator = Paginator(chosen, per_page)
    page_obj = paginator.get_page(filters.page)
    on_page = list(page_obj.object_list)
    if filters.day is None:
        times = next_free_times(on_page, now=now, branch_ids=branch_ids)

    pages = {
        p.doctor_id: p
        for p in doctor_pages.filter(doctor_id__in=[d.pk for d, _s in on_page]).prefetch_related(
            Prefetch("photo", queryset=get_image_model().objects.prefetch_renditions(PHOTO_FILTER))
        )
    }
    cards = []
    for number, (doctor, service) in enumerate(on_page):
        page = pages.get(doctor.pk)
        doctor_branches = sorted(doctor.branches.all(), key=lambda b: (branch_city(b), b.name))
        cards.append(
            DoctorCard(
                doctor=doctor,
                page=page,
                photo=_photo(page),
                service=service,
                specialties=[s.name for s in doctor.specialties.all()],
                branches=[(b.name, branch_city(b)) for b in doctor_branches if b.is_active],
                free_slots=times.get(doctor.pk, [])[:TIMES_A_CARD],
                eager_photo=number < EAGER_PHOTOS,
            )
        )
    return Finder(
        filters=filters,
        cities=cities,
        specialties=sorted(specialties.values(), key=lambda s: s.name),
        days=days_offered(now=now),
        cards=[c for c in cards if c.page is not None],
        paginator_page=page_obj,
        total=paginator.count,
    )


# --- free times, batched ---------------------------------------------------------

# The windows read one after the other: most doctors have their first few free
# times within three days, so later days are read only for the others.
_WINDOWS = (timedelta(days=3), timedelta(days=7), timedelta(days=DAYS_AHEAD))


def next_free_times(
    pairs: list[tuple[Doctor, Service]],
    *,
    now: datetime,
    limit: int = TIMES_A_CARD,
    branch_ids: frozenset[int] | None = None,
) -> dict[int, list[FreeSlot]]:
    """The first `limit` free times of each (doctor, service) within DAYS_AHEAD,
    in `branch_ids` when given: one slot-cache read a window for all of them."""
    found: dict[int, list[FreeSlot]] = {d.pk: [] for d, _s in pairs}
    start = now
    for reach in _WINDOWS:
        wanting = [(d, s) for d, s in pairs if len(found[d.pk]) < limit]
        end = now + reach
        if not wanting or end <= start:
            break
        for slot in _cached(wanting, start=start, end=end, now=now):
            if branch_ids is None or (slot.branch and slot.branch.pk in branch_ids):
                found[slot.doctor.pk].append(slot)
        start = end
    return {pk: sorted(slots, key=lambda s: s.start)[:limit] for pk, slots in found.items()}


def free_times_on(
    pairs: list[tuple[Doctor, Service]],
    *,
    day: date,
    now: datetime,
    branch_ids: frozenset[int] | None = None,
) -> dict[int, list[FreeSlot]]:
    """Each doctor's free times on `day`, a date at the branch (its own time zone)."""
    zones = {ZoneInfo(b.time_zone) for b in directory().branches.values()} or {
        timezone.get_current_timezone()
    }
    start = min(datetime.combine(day, time(), z) for z in zones)
    end = max(datetime.combine(day + timedelta(days=1), time(), z) for z in zones)
    found: dict[int, list[FreeSlot]] = {d.pk: [] for d, _s in pairs}
    for slot in _cached(pairs, start=max(start, now), end=end, now=now):
        if slot.local_start.date() != day:
            continue
        if branch_ids is None or (slot.branch and slot.branch.pk in branch_ids):
            found[slot.doctor.pk].append(slot)
    return {pk: sorted(slots, key=lambda s: s.start) for pk, slots in found.items()}


def _cached(pairs, *, start: datetime, end: datetime, now: datetime) -> list[FreeSlot]:
    if not pairs or end <= start:
        return []
    return cached_free_slots(
        doctors=pairs,
        start=start,
        end=end,
        policy=slot_policy(),
        now=now,
        branches=directory().branches,
    )


def _photo(page):
    """The card's rendition of the doctor's photo. get_renditions(), unlike the image
    tag's get_rendition(), takes prefetched renditions without writing each back to
    the cache (ten cache writes a list)."""
    image = getattr(page, "photo", None)
    if image is None:
        return None
    return image.get_renditions(PHOTO_FILTER)[PHOTO_FILTER]


def doctor_cards(doctor_pages: list) -> list[DoctorCard]:
    """Cards without free times (site search), from the directory snapshot: no query."""
    snapshot = directory()
    cards = []
    for page in doctor_pages:
        doctor = snapshot.doctors.get(page.doctor_id)
        if doctor is None:
            continue
        cards.append(
            DoctorCard(
                doctor=doctor,
                page=page,
                photo=_photo(page),
                service=default_service(doctor),
                specialties=[s.name for s in doctor.specialties.all()],
                branches=[
                    (b.name, branch_city(b))
                    for b in sorted(doctor.branches.all(), key=lambda b: (branch_city(b), b.name))
                    if b.is_active
                ],
                eager_photo=len(cards) < EAGER_PHOTOS,
            )
        )
    return cards


def remembered_branch_ids(request: HttpRequest) -> frozenset[int] | None:
    """The branches of the visitor's remembered choice (a branch, or a city's), for
    pages outside the finder that list times (a doctor's page); None: no choice."""
    token = remembered_branch(request)
    if token is None:
        return None
    active = [b for b in directory().branches.values() if b.is_active]
    for city in places(active):
        for place in city.places:
            if place.token == token:
                return place.branch_ids
    return None


DOCTOR_PAGE_TIMES = 8


def doctor_page_free_slots(request: HttpRequest, *, doctor: Doctor) -> list[FreeSlot]:
    """A doctor page's next free times: those at the city or branch the visitor chose
    in the finder, when the doctor has any there; else the doctor's nearest."""
    chosen = remembered_branch_ids(request)
    slots = next_free_slots(doctor=doctor, limit=200 if chosen else DOCTOR_PAGE_TIMES)
    there = [s for s in slots if s.branch and s.branch.pk in chosen] if chosen else []
    return (there or slots)[:DOCTOR_PAGE_TIMES]
