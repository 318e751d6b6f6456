"""The БИТ.УМЦ simulator: its public HTTP service `/hs/bwi/<Op>` (POST, JSON, `Key`).

Written from the public record, not from our adapter: the specification of
БИТ.Управление медицинским центром's site exchange (GitHub
czdetstvo/1bit-api-spec, `docs/api-docs/http-services/*.md`, dated 28.11.2024)
and the public client alex-nzr/bit-umc-php-sdk; summarised in
../shared/MIS-PROTOCOLS.md §3.1. Each operation below names its page.
Modelled quirks: Cyrillic keys under `Ответ`; booleans as the strings
"true"/"false"; a list of one element is serialised as the element itself and
an empty one as ""; times without a zone on the base's clock (ISO
`yyyy-MM-ddTHH:mm:ss` out, `dd.MM.yyyy HH:mm:ss` or ISO in; a time alone as
`H:mm:ss` or `0001-01-01THH:mm:ss`); an overlapping Заявка or бронь is HTTP 500
with the platform's text "Не удалось записать документ…" (reservation.md);
a Reservation holds the time `reservation_minutes` (15) and then lapses; there
is no idempotency key. This simulator's own (the record is silent): a wrong Key
is `Результат "false"` with a description; a time outside the employee's work
is `Результат "false"`; strict mode refuses unknown operations (HTTP 404, as a
1C publication does for an unknown URL) and fields (`Результат "false"`).
"""

from __future__ import annotations

import base64
import hmac
import json
import uuid
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from email.message import Message
from typing import Any
from urllib.parse import urlsplit

from integrations.ports import BookingRequest, MisError, Patient, SlotTaken
from integrations.simulators import register
from integrations.simulators._mis_http import MisHttpSimulator, MisKnobs, Reply

ROOT = "/umc/hs/bwi"
DEMO_KEY = "1111aaaa2222bbbb3333cccc4444dddd"
ISO = "%Y-%m-%dT%H:%M:%S"
# The free time's kind (ВидВремени) the spec's examples carry; busy time has "".
WORK_KIND = "624f2a40-5aa8-4f01-83f4-0f38535364bb"
OVERLAP = (
    "Не удалось записать документ. {now} - {{ОбщийМодуль.ВебИнтеграция.Модуль(358)}}: "
    'Ошибка при вызове метода контекста (Записать): Не удалось записать: "Заявка"!'
)
CREATE_METHODS = frozenset(
    {
        "BookAnAppointment",
        "BookAnAppointmentWithClient",
        "BookAnAppointmentWithParams",
        "FastBookAnAppointment",
        "FastBookAnAppointmentWithClient",
    }
)
# Fields each operation takes besides `Key` (the spec's tables); strict mode refuses others.
FIELDS: dict[str, frozenset[str]] = {
    "Schedule": frozenset(
        {"Method", "StartDate", "FinishDate", "Clinic", "Employees", "Format", "OnlyFreeTime"}
    ),
    "AppointmentCreate": frozenset(
        {
            "Method",
            "Date",
            "TimeBegin",
            "Clinic",
            "EmployeeID",
            "EquipmentCabinet",
            "Client",
            "Service",
            "GUID",
            "PatientSurname",
            "PatientName",
            "PatientFatherName",
            "Comment",
            "Phone",
            "Email",
            "Address",
            "Specialization",
            "Birthday",
            "Duration",
            "DurationType",
        }
    ),  # fmt: skip
    "AppointmentStatus": frozenset({"GUID"}),
    "AppointmentCancel": frozenset({"GUID", "Reason", "AdditionalInformation"}),
    "DictionaryData": frozenset({"Method", "SearchName", "EmployeeID", "Clinic"}),
    "Reservation": frozenset(
        {"Date", "TimeBegin", "Duration", "Clinic", "EmployeeID", "EquipmentCabinet"}
    ),
}


class Refused(Exception):
    """Answered as `{"Ответ": {"Результат": "false", "ОписаниеОшибки": text}}`."""


class Overlap(Exception):
    """Answered as HTTP 500 with the platform's plain-text write error."""


@dataclass
class BitUmcKnobs(MisKnobs):
    key: str = DEMO_KEY  # the «Ключ API» of the site exchange setting
    user: str = ""  # the publication's HTTP Basic login; "" for an anonymous publication
    password: str = ""
    strict: bool = True  # refuse operations and fields the public spec does not have
    reservation_minutes: int = 15  # a бронь lapses after this (the base's scheduled job)


@register("bit_umc")
class BitUmcSimulator(MisHttpSimulator):
    """Extra knobs: key, user, password, strict, lose_create_answers,
    reservation_minutes; `orders` is its book of Заявки (УИД -> row)."""

    knobs_class = BitUmcKnobs
    path = ROOT
    methods = ("POST",)
    error_reply = Reply(500, "Ошибка СУБД: соединение прервано".encode(), "text/plain")

    def _build(self) -> None:
        super()._build()
        self.orders: dict[str, dict[str, Any]] = {}

    def banner_notes(self) -> str:
        return f"Key {self.knobs.key}, operations at <url>/<Op>"

    # --- HTTP -------------------------------------------------------------------

    def answer(self, method: str, path: str, headers: Message, body: bytes) -> Reply:
        if self.knobs.user and not self._basic_ok(headers.get("Authorization", "")):
            return Reply(401, b"", "text/plain")
        name = urlsplit(path).path.removeprefix(ROOT + "/").strip("/")
        if name not in FIELDS:
            return Reply(404, b"", "text/plain")
        self._lapse_reservations()
        try:
            form = json.loads(body.decode("utf-8") or "{}")
            if not isinstance(form, dict):
                raise Refused("ожидается объект JSON")
            if not hmac.compare_digest(str(form.pop("Key", "")), self.knobs.key):
                raise Refused("Не найдена настройка обмена с сайтом по переданному ключу")
            unknown = set(form) - FIELDS[name]
            if self.knobs.strict and unknown:
                raise Refused(f"Неизвестные параметры: {', '.join(sorted(unknown))}")
            result = getattr(self, "_" + name)(form)
        except Overlap:
            now = self.now().strftime("%d.%m.%Y %H:%M:%S")
            return Reply(500, OVERLAP.format(now=now).encode(), "text/plain; charset=utf-8")
        except (Refused, ValueError, KeyError, TypeError) as error:
            return _answer({"Результат": "false", "ОписаниеОшибки": str(error)})
        if name == "AppointmentCreate" and self.lose_this_answer():
            return self.lost_answer
        return _answer({"Результат": "true", "ОписаниеОшибки": "", **result})

    def _basic_ok(self, header: str) -> bool:
        expected = base64.b64encode(f"{self.knobs.user}:{self.knobs.password}".encode()).decode()
        return hmac.compare_digest(header, f"Basic {expected}")

    # --- DictionaryData (dictionary-data.md) -------------------------------------------

    def _DictionaryData(self, form: dict) -> dict:  # noqa: N802 - the operation's name
        """GetListClinic → Клиники{Наименование, УИД}; GetListEmployees (SearchName,
        EmployeeID "uid;uid", Clinic) → Сотрудники{Наименование, УИД, Специализация};
        GetNomenclatureAndPrices (SearchName) → Номенклатура{Наименование, УИД, Цена}."""
        search = str(form.get("SearchName") or "").casefold()
        method = form.get("Method")
        if method == "GetListClinic":
            rows = [{"Наименование": b.name, "УИД": b.external_id} for b in self.mis.branches()]
            return {"Клиники": _list(rows)}
        if method == "GetListEmployees":
            titles = {s.external_id: s.name for s in self.mis.specialties()}
            wanted, clinics = _uids(form.get("EmployeeID")), _uids(form.get("Clinic"))
            rows = []
            for d in self.mis.doctors():
                name = " ".join(p for p in (d.last_name, d.first_name, d.middle_name) if p)
                if (wanted and d.external_id not in wanted) or search not in name.casefold():
                    continue
                if clinics and not clinics & set(d.branch_ids):
                    continue
                specialty = titles.get(d.specialty_ids[0], "") if d.specialty_ids else ""
                rows.append(
                    {"Наименование": name, "УИД": d.external_id, "Специализация": specialty}
                )
            return {"Сотрудники": _list(rows)}
        if method == "GetNomenclatureAndPrices":
            rows = [
                {"Наименование": s.name, "УИД": s.external_id, "Цена": f"{s.price:f}"}
                for s in self.mis.services()
                if search in s.name.casefold()
            ]
            return {"Номенклатура": _list(rows)}
        raise Refused(f"Неизвестный метод {method!r}")

    # --- Schedule (schedule.md) ---------------------------------------------------------

    def _Schedule(self, form: dict) -> dict:  # noqa: N802
        """GetSchedule20 (the default): per employee and clinic, `ПериодыГрафика`
        {СвободноеВремя, ЗанятоеВремя}{ПериодГрафика[{Клиника, Дата, ВремяНачала,
        ВремяОкончания, ВидВремени}]} and ДлительностьПриема "0001-01-01T00:30:00";
        with OnlyFreeTime the free periods come as `ПериодГрафика` directly.
        StartDate and FinishDate are dates (their time ignored), both days included.
        Breaks are gaps: neither free nor busy (the spec: "с учётом перерывов")."""
        if form.get("Method", "GetSchedule20") != "GetSchedule20":
            raise Refused("этот симулятор отвечает только GetSchedule20")
        if form.get("Format", "JSON") != "JSON":
            raise Refused("этот симулятор отвечает только в формате JSON")
        first, last = _moment(form["StartDate"]).date(), _moment(form["FinishDate"]).date()
        employees, clinic = _uids(form.get("Employees")), str(form.get("Clinic") or "")
        only_free = str(form.get("OnlyFreeTime", "false")).lower() == "true"
        schedule = self.mis.schedule(start=first - timedelta(days=1), end=last + timedelta(days=1))
        # "With breaks and busy time accounted for": a break is a gap, a Заявка busy time.
        breaks = {(b.doctor_id, b.start, b.end) for b in schedule.breaks}
        taken = [*schedule.busy, *schedule.breaks]
        doctors = {d.external_id: d for d in self.mis.doctors()}
        titles = {s.external_id: s.name for s in self.mis.specialties()}
        groups: dict[tuple[str, str], dict[str, list]] = {}
        for work in sorted(schedule.work, key=lambda w: (w.doctor_id, w.start)):
            day = self._local(work.start).date()
            if not first <= day <= last or (employees and work.doctor_id not in employees):
                continue
            if clinic and work.branch_id != clinic:
                continue
            group = groups.setdefault((work.doctor_id, work.branch_id), {"free": [], "busy": []})
            inside = sorted(
                (max(t.start, work.start), min(t.end, work.end))
                for t in taken
                if t.doctor_id == work.doctor_id and t.start < work.end and work.start < t.end
            )
            cursor = work.start
            for start, end in inside:
                if start > cursor:
                    group["free"].append(self._period(work.branch_id, cursor, start, WORK_KIND))
                if end > cursor and (work.doctor_id, start, end) not in breaks:
                    group["busy"].append(self._period(work.branch_id, max(start, cursor), end, ""))
                cursor = max(cursor, end)
            if cursor < work.end:
                group["free"].append(self._period(work.branch_id, cursor, work.end, WORK_KIND))
        rows = []
        for (doctor_id, branch_id), periods in groups.items():
            doctor = doctors[doctor_id]
            row = {
                "Клиника": branch_id,
                "СотрудникФИО": " ".join(
                    p for p in (doctor.last_name, doctor.first_name, doctor.middle_name) if p
                ),
                "СотрудникID": doctor_id,
                "Специализация": titles.get(doctor.specialty_ids[0], "")
                if doctor.specialty_ids
                else "",
            }
            if only_free:
                row["ПериодГрафика"] = _list(periods["free"])
            else:
                row["ПериодыГрафика"] = {
                    "СвободноеВремя": _wrapped(periods["free"]),
                    "ЗанятоеВремя": _wrapped(periods["busy"]),
                }
            row["ДлительностьПриема"] = "0001-01-01T00:30:00"
            rows.append(row)
        return {"ГрафикДляСайта": _list(rows)}

    def _period(self, clinic: str, start: datetime, end: datetime, kind: str) -> dict:
        local_start, local_end = self._local(start), self._local(end)
        return {
            "Клиника": clinic,
            "Дата": datetime.combine(local_start.date(), time()).strftime(ISO),
            "ВремяНачала": local_start.strftime(ISO),
            "ВремяОкончания": local_end.strftime(ISO),
            "ВидВремени": kind,
        }

    # --- AppointmentCreate, Reservation, AppointmentStatus, AppointmentCancel -----------

    def _AppointmentCreate(self, form: dict) -> dict:  # noqa: N802
        """AppointmentCreate (appointment-create.md): Method one of the five, Date +
        TimeBegin (date and time apart), Clinic, EmployeeID, patient fields or Client,
        Service "uid;uid", Duration as a time ("0:40:00"); GUID changes that Заявка
        (a бронь becomes the Заявка) instead of writing a new one; → `УИД`. An
        overlap is HTTP 500 "Не удалось записать документ…"."""
        if form.get("Method") not in CREATE_METHODS:
            raise Refused(f"Неизвестный метод {form.get('Method')!r}")
        if form.get("Method", "").startswith("Fast"):
            raise Refused("листы ожидания этот симулятор не ведёт")
        start, end = self._interval(form)
        patient = self.add_patient(
            Patient(
                last_name=str(form.get("PatientSurname") or ""),
                first_name=str(form.get("PatientName") or ""),
                middle_name=str(form.get("PatientFatherName") or ""),
                phone=str(form.get("Phone") or ""),
                email=str(form.get("Email") or ""),
                birth_date=_moment(form["Birthday"]).date() if form.get("Birthday") else None,
            )
        )
        guid = str(form.get("GUID") or "")
        with self.lock:
            if guid:
                row = self.orders.get(guid)
                if row is None or row["status"] in {"3", "5"}:
                    raise Refused(f"Не найдена заявка {guid}")
                if (row["_start"], row["_end"], row["EmployeeID"]) != (
                    start,
                    end,
                    str(form["EmployeeID"]),
                ):
                    raise Refused("перенос заявки этот симулятор не ведёт")
            else:
                guid = str(uuid.uuid4())
                self._write(guid, form, start, end)
            self.orders[guid] |= {
                "status": "1",
                "reserved_until": None,
                "patient_id": patient.external_id,
                "Comment": str(form.get("Comment") or ""),
                "Service": str(form.get("Service") or ""),
            }
        return {"УИД": guid}

    def _Reservation(self, form: dict) -> dict:  # noqa: N802
        """Reservation (reservation.md): Date, TimeBegin, Duration, Clinic, EmployeeID → the
        бронь's `УИД`; it holds the time `reservation_minutes`; an overlap is the same
        HTTP 500 as a Заявка's."""
        start, end = self._interval(form)
        guid = str(uuid.uuid4())
        with self.lock:
            self._write(guid, form, start, end)
            until = datetime.now() + timedelta(minutes=self.knobs.reservation_minutes)
            self.orders[guid] |= {"status": "1", "reserved_until": until}
        return {"УИД": guid}

    def _AppointmentStatus(self, form: dict) -> dict:  # noqa: N802
        """AppointmentStatus (appointment-status.md): GUID → Статус "0" not found,
        "1" created, "2" confirmed, "3" cancelled, "4" done, "5" expired."""
        with self.lock:
            row = self.orders.get(str(form["GUID"]))
        code = row["status"] if row else "0"
        return {"Статус": code, "ОписаниеСтатуса": STATUS_TEXT[code]}

    def _AppointmentCancel(self, form: dict) -> dict:  # noqa: N802
        """AppointmentCancel (appointment-cancel.md): GUID, Reason, AdditionalInformation
        (both may be empty) → Результат. Cancelling a cancelled Заявка again succeeds
        (the simulator's choice: the spec shows only the success)."""
        guid = str(form["GUID"])
        with self.lock:
            row = self.orders.get(guid)
            if row is None:
                raise Refused(f"Не найдена заявка {guid}")
            if row["status"] != "3":
                row["status"] = "3"
                self.mis.cancel(appointment_id=row["_booking"], idempotency_key=guid)
        return {}

    # --- the book ---------------------------------------------------------------------

    def _interval(self, form: dict) -> tuple[datetime, datetime]:
        day = _moment(form["Date"]).date()
        begin = _time_of(str(form["TimeBegin"]))
        start = datetime.combine(day, begin, tzinfo=self.zone)
        duration = _duration(str(form.get("Duration") or "")) or timedelta(minutes=30)
        return start, start + duration

    def _write(self, guid: str, form: dict, start: datetime, end: datetime) -> None:
        """Book the time in the demo's book under the УИД (the caller holds the lock)."""
        request = BookingRequest(
            idempotency_key=guid,
            doctor_id=str(form["EmployeeID"]),
            branch_id=str(form.get("Clinic") or ""),
            service_id="",
            start=start,
            end=end,
            patient=Patient(last_name="", first_name="", phone=""),
        )
        try:
            appointment = self.book(request, lunch_is_open=False)
        except SlotTaken as exc:
            raise Overlap() from exc
        except MisError as exc:
            raise Refused(f"Время вне графика сотрудника: {exc}") from exc
        self.orders[guid] = {
            "EmployeeID": request.doctor_id,
            "Clinic": request.branch_id,
            "_start": start,
            "_end": end,
            "_booking": appointment.external_id,
        }

    def _lapse_reservations(self) -> None:
        """The base's scheduled job: a бронь past its 15 minutes is expired, its time free."""
        now = datetime.now()
        with self.lock:
            lapsed = [
                g for g, row in self.orders.items()
                if row.get("reserved_until") and row["reserved_until"] <= now
                and row["status"] == "1"
            ]  # fmt: skip
            for guid in lapsed:
                self.orders[guid]["status"] = "5"
                self.mis.cancel(appointment_id=self.orders[guid]["_booking"], idempotency_key=guid)

    def _local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.zone).replace(tzinfo=None)


STATUS_TEXT = {
    "0": "Заявка не найдена",
    "1": "Заявка создана",
    "2": "Заявка подтверждена",
    "3": "Заявка отменена",
    "4": "Заявка выполнена",
    "5": "Заявка просрочена",
}


def _list(rows: list) -> Any:
    """1C's XDTO serialisation: one element bare, none as "", more as a list."""
    if not rows:
        return ""
    return rows[0] if len(rows) == 1 else rows


def _wrapped(periods: list) -> Any:
    return {"ПериодГрафика": _list(periods)} if periods else ""


def _uids(value: Any) -> set[str]:
    return {part.strip() for part in str(value or "").split(";") if part.strip()}


def _moment(text: str) -> datetime:
    """`dd.MM.yyyy[ HH:mm:ss]` or ISO `yyyy-MM-ddTHH:mm:ss`; an offset is refused."""
    text = str(text).strip()
    for pattern in ("%d.%m.%Y %H:%M:%S", "%d.%m.%Y", ISO, "%Y-%m-%d"):
        try:
            return datetime.strptime(text, pattern)
        except ValueError:
            continue
    raise Refused(f"Неверный формат даты {text!r}")


def _time_of(text: str) -> time:
    """A time alone (`9:10:00`) or with a date whose date is ignored."""
    clock = text.split("T")[-1].split(" ")[-1]
    try:
        hours, minutes, *seconds = (int(p) for p in clock.split(":"))
        return time(hours, minutes, seconds[0] if seconds else 0)
    except ValueError as exc:
        raise Refused(f"Неверный формат времени {text!r}") from exc


def _duration(text: str) -> timedelta:
    if not text:
        return timedelta()
    clock = _time_of(text)
    return timedelta(hours=clock.hour, minutes=clock.minute, seconds=clock.second)


def _answer(payload: dict) -> Reply:
    return Reply.json({"Ответ": payload}, content_type="application/json; charset=utf-8")
