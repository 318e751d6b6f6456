"""The demo MIS's patient histories: synthetic, deterministic for a given day.

The demo patient (pt-demo-0001) has four years of visits (ICD-10 diagnoses,
protocols, referrals), finished and current prescriptions, nine lab reports
with some values out of range and a few PDF documents; her child has a short
paediatric history; every other registry patient gets a small generated one.
Dates count back from the MIS's "today", so current prescriptions stay current.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from integrations.mis.demo_patients import PATIENTS
from integrations.ports import (
    Diagnosis,
    LabReport,
    Observation,
    PatientDocument,
    PatientRecord,
    Prescription,
    Visit,
)

TZ = ZoneInfo("Europe/Moscow")
FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")

# Analytes: code, name, unit, the lab's range (low, high) or None when the lab sends none.
HB = ("718-7", "Гемоглобин", "г/л", ("120", "150"))
WBC = ("6690-2", "Лейкоциты", "10⁹/л", ("4.0", "9.0"))
RBC = ("789-8", "Эритроциты", "10¹²/л", ("3.8", "5.1"))
PLT = ("777-3", "Тромбоциты", "10⁹/л", ("150", "400"))
ESR = ("30341-2", "СОЭ", "мм/ч", None)
GLU = ("2345-7", "Глюкоза", "ммоль/л", None)
HBA1C = ("4548-4", "Гликированный гемоглобин (HbA1c)", "%", ("4.0", "6.0"))
CHOL = ("2093-3", "Холестерин общий", "ммоль/л", None)
LDL = ("13457-7", "Холестерин ЛПНП", "ммоль/л", None)
HDL = ("2085-9", "Холестерин ЛПВП", "ммоль/л", None)
TG = ("2571-8", "Триглицериды", "ммоль/л", None)
TSH = ("3016-3", "ТТГ", "мМЕ/л", ("0.4", "4.0"))
FT4 = ("3024-7", "Т4 свободный", "пмоль/л", ("9.0", "19.0"))
VITD = ("1989-3", "Витамин D (25-OH)", "нг/мл", None)

CBC = "Общий анализ крови"
LIPIDS = "Липидограмма"
THYROID = "Гормоны щитовидной железы"


def _at(today: date, days_ago: int, hour: int = 9, minute: int = 0) -> datetime:
    return datetime.combine(today - timedelta(days=days_ago), time(hour, minute), TZ)


def _obs(analyte: tuple, value: str, comment: str = "") -> Observation:
    code, name, unit, lab_range = analyte
    low, high = (Decimal(lab_range[0]), Decimal(lab_range[1])) if lab_range else (None, None)
    return Observation(
        code=code,
        name=name,
        value=value.replace(".", ","),
        unit=unit,
        numeric=Decimal(value),
        ref_low=low,
        ref_high=high,
        comment=comment,
    )


def _report(patient_id, number, title, lab_test, today, days_ago, observations, conclusion=""):
    return LabReport(
        external_id=f"lr-{patient_id}-{number:02d}",
        patient_id=patient_id,
        title=title,
        collected_at=_at(today, days_ago, 8, 10),
        issued_at=_at(today, days_ago - 1, 15, 30),
        observations=tuple(observations),
        lab_test_id=lab_test,
        conclusion=conclusion,
    )


def _pdf(title: str, lines: list[str]) -> bytes:
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_title(title)
    pdf.add_page()
    if FONT.exists():
        pdf.add_font("DejaVu", fname=str(FONT))
        pdf.set_font("DejaVu", size=14)
    else:  # a system without DejaVu still gets a valid (Latin-only) file
        pdf.set_font("Helvetica", size=14)
        title, lines = "Demo clinic document", ["Synthetic demo data."]
    pdf.multi_cell(0, 8, title, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font_size(11)
    for line in lines:
        pdf.multi_cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def _document(patient_id, number, kind, title, today, days_ago, lines) -> PatientDocument:
    issued = _at(today, days_ago, 12)
    body = [*lines, "", f"Дата выдачи: {issued:%d.%m.%Y}", "Синтетические данные демо-клиники."]
    return PatientDocument(
        external_id=f"doc-{patient_id}-{number:02d}",
        patient_id=patient_id,
        kind=kind,
        title=title,
        issued_at=issued,
        content=_pdf(title, body),
        file_name=f"{kind}-{number:02d}.pdf",
    )


def _demo_patient(pid: str, today: date) -> PatientRecord:
    visits = (
        Visit(
            f"v-{pid}-01",
            pid,
            "dr-047-1",
            "br-msk",
            _at(today, 1400, 10),
            "Жалобы на заложенность носа, першение в горле, температуру до 37,8 °C в течение "
            "двух дней. Зев гиперемирован, дыхание везикулярное, хрипов нет.",
            (Diagnosis("J06.9", "Острая инфекция верхних дыхательных путей неуточнённая"),),
            ("Общий анализ крови",),
        ),
        Visit(
            f"v-{pid}-02",
            pid,
            "dr-058-1",
            "br-msk",
            _at(today, 1100, 11, 30),
            "Жалобы на утомляемость, сухость кожи. Щитовидная железа пальпаторно не увеличена, "
            "безболезненная. Рекомендовано обследование функции щитовидной железы.",
            (Diagnosis("E06.3", "Аутоиммунный тиреоидит"),),
            ("ТТГ", "Т4 свободный", "УЗИ щитовидной железы"),
        ),
        Visit(
            f"v-{pid}-03",
            pid,
            "dr-058-1",
            "br-msk",
            _at(today, 880, 12),
            "ТТГ повышен при нормальном Т4 свободном. Начата заместительная терапия, "
            "контроль ТТГ через 8 недель.",
            (
                Diagnosis("E03.8", "Другие уточнённые гипотиреозы"),
                Diagnosis("E06.3", "Аутоиммунный тиреоидит", "concomitant"),
            ),
            ("ТТГ",),
        ),
        Visit(
            f"v-{pid}-04",
            pid,
            "dr-001-2",
            "br-msk",
            _at(today, 600, 15),
            "Профилактический осмотр. Жалоб нет. Патологии не выявлено.",
            (Diagnosis("Z01.4", "Гинекологическое обследование (общее) (рутинное)"),),
            ("Общий анализ крови",),
        ),
        Visit(
            f"v-{pid}-05",
            pid,
            "dr-047-2",
            "br-msk",
            _at(today, 400, 9, 30),
            "Диспансеризация. АД 132/84 мм рт. ст., ИМТ 26,1. Повышен общий холестерин, "
            "глюкоза натощак на верхней границе.",
            (
                Diagnosis("E78.0", "Чистая гиперхолестеринемия"),
                Diagnosis(
                    "R73.0",
                    "Отклонения результатов нормы теста на толерантность к глюкозе",
                    "concomitant",
                ),
            ),
            ("Липидограмма", "Глюкоза", "Гликированный гемоглобин"),
        ),
        Visit(
            f"v-{pid}-06",
            pid,
            "dr-015-1",
            "br-spb",
            _at(today, 200, 14),
            "Жалобы на эпизоды повышения АД до 150/95 мм рт. ст. ЭКГ: ритм синусовый, 72 в минуту.",
            (Diagnosis("I10", "Эссенциальная (первичная) гипертензия"),),
            ("Эхокардиография", "Суточное мониторирование АД"),
        ),
        Visit(
            f"v-{pid}-07",
            pid,
            "dr-058-1",
            "br-msk",
            _at(today, 60, 11),
            "Контроль на фоне терапии левотироксином: самочувствие хорошее, ТТГ в норме. "
            "Дозу не менять.",
            (Diagnosis("E03.8", "Другие уточнённые гипотиреозы"),),
            ("ТТГ", "Липидограмма", "Глюкоза"),
        ),
        Visit(
            f"v-{pid}-08",
            pid,
            "dr-047-1",
            "br-msk",
            _at(today, 20, 10, 15),
            "Кашель с мокротой 5 дней, температура 37,4 °C. "
            "Дыхание жёсткое, единичные сухие хрипы.",
            (Diagnosis("J20.9", "Острый бронхит неуточнённый"),),
            (),
        ),
    )

    def rx(number, visit, medicine, dose, frequency, days_ago, duration, instructions=""):
        start = today - timedelta(days=days_ago)
        return Prescription(
            f"rx-{pid}-{number:02d}",
            pid,
            f"v-{pid}-{visit:02d}",
            medicine,
            dose,
            frequency,
            start,
            duration,
            instructions,
        )

    prescriptions = (
        rx(
            1,
            1,
            "Ибупрофен",
            "400 мг",
            "при температуре выше 38,5 °C, не чаще 3 раз в день",
            1400,
            5,
        ),
        rx(
            2,
            3,
            "Левотироксин натрия",
            "25 мкг",
            "1 раз в день",
            880,
            60,
            "Утром натощак за 30 минут до еды",
        ),
        rx(3, 5, "Аторвастатин", "10 мг", "1 раз в день", 400, 90, "Вечером"),
        rx(4, 6, "Амлодипин", "5 мг", "1 раз в день", 200, 180),
        rx(
            5,
            7,
            "Левотироксин натрия",
            "50 мкг",
            "1 раз в день",
            60,
            365,
            "Утром натощак за 30 минут до еды",
        ),
        rx(6, 8, "Ацетилцистеин", "600 мг", "1 раз в день", 20, 7, "Растворить в стакане воды"),
        rx(7, 7, "Колекальциферол", "2000 МЕ", "1 раз в день", 55, 90, "Во время еды"),
    )

    reports = (
        _report(
            pid,
            1,
            CBC,
            "lt-cbc",
            today,
            1395,
            [
                _obs(HB, "131"),
                _obs(WBC, "6.2"),
                _obs(RBC, "4.4"),
                _obs(PLT, "245"),
                _obs(ESR, "12"),
            ],
        ),
        _report(
            pid,
            2,
            THYROID,
            "lt-tsh",
            today,
            1095,
            [
                _obs(TSH, "7.8", "Рекомендуется контроль через 6–8 недель"),
                _obs(FT4, "11.2"),
            ],
            "ТТГ повышен, Т4 свободный в пределах референсного интервала.",
        ),
        _report(pid, 3, "ТТГ", "lt-tsh", today, 880, [_obs(TSH, "4.6")]),
        _report(
            pid,
            4,
            CBC,
            "lt-cbc",
            today,
            590,
            [
                _obs(HB, "116", "Рекомендуется определение ферритина"),
                _obs(WBC, "5.4"),
                _obs(RBC, "3.9"),
                _obs(PLT, "281"),
                _obs(ESR, "18"),
            ],
        ),
        _report(
            pid,
            5,
            LIPIDS,
            "lt-lipids",
            today,
            395,
            [
                _obs(CHOL, "6.4"),
                _obs(LDL, "4.1"),
                _obs(HDL, "1.3"),
                _obs(TG, "1.9"),
            ],
            "Гиперхолестеринемия.",
        ),
        _report(
            pid,
            6,
            "Глюкоза и гликированный гемоглобин",
            "lt-glucose",
            today,
            395,
            [
                _obs(GLU, "6.2", "Взято натощак"),
                _obs(HBA1C, "5.9"),
            ],
        ),
        _report(pid, 7, "ТТГ", "lt-tsh", today, 55, [_obs(TSH, "2.1")]),
        _report(
            pid,
            8,
            LIPIDS,
            "lt-lipids",
            today,
            55,
            [
                _obs(CHOL, "5.4"),
                _obs(LDL, "3.2"),
                _obs(HDL, "1.4"),
                _obs(TG, "1.4"),
            ],
        ),
        _report(pid, 9, "Глюкоза", "lt-glucose", today, 55, [_obs(GLU, "5.3")]),
        _report(pid, 10, "Витамин D (25-OH)", "lt-vitd", today, 58, [_obs(VITD, "8.5")]),
    )

    documents = (
        _document(
            pid,
            1,
            "contract",
            "Договор на оказание платных медицинских услуг",
            today,
            1400,
            ["Договор № Д-2022-0412 на оказание платных медицинских услуг."],
        ),
        _document(
            pid,
            2,
            "certificate",
            "Справка для посещения бассейна",
            today,
            600,
            ["Противопоказаний к посещению бассейна не выявлено."],
        ),
        _document(
            pid,
            3,
            "act",
            "Акт оказанных услуг",
            today,
            200,
            ["Приём врача-кардиолога первичный — 1 услуга."],
        ),
    )
    return PatientRecord(visits, prescriptions, reports, documents)


def _demo_child(pid: str, today: date) -> PatientRecord:
    visits = (
        Visit(
            f"v-{pid}-01",
            pid,
            "dr-031-1",
            "br-msk",
            _at(today, 500, 16),
            "Насморк, кашель 3 дня, температура до 38,0 °C. Зев гиперемирован, лёгкие чистые.",
            (Diagnosis("J06.9", "Острая инфекция верхних дыхательных путей неуточнённая"),),
            ("Общий анализ крови",),
        ),
        Visit(
            f"v-{pid}-02",
            pid,
            "dr-031-1",
            "br-msk",
            _at(today, 90, 16, 30),
            "Профилактический осмотр. Физическое развитие соответствует возрасту.",
            (Diagnosis("Z00.1", "Рутинное обследование состояния здоровья ребёнка"),),
            ("Общий анализ крови",),
        ),
    )
    prescriptions = (
        Prescription(
            f"rx-{pid}-01",
            pid,
            f"v-{pid}-01",
            "Парацетамол (суспензия)",
            "250 мг",
            "при температуре выше 38,5 °C",
            today - timedelta(days=500),
            3,
        ),
    )
    reports = (
        _report(
            pid,
            1,
            CBC,
            "lt-cbc",
            today,
            498,
            [
                _obs(HB, "121"),
                _obs(WBC, "11.8"),
                _obs(PLT, "310"),
                _obs(ESR, "14"),
            ],
        ),
        _report(
            pid, 2, CBC, "lt-cbc", today, 88, [_obs(HB, "128"), _obs(WBC, "7.1"), _obs(PLT, "290")]
        ),
    )
    documents = (
        _document(
            pid,
            1,
            "certificate",
            "Справка для детского сада",
            today,
            88,
            ["Здорова. Может посещать детское дошкольное учреждение."],
        ),
    )
    return PatientRecord(visits, prescriptions, reports, documents)


def _generated(pid: str, today: date) -> PatientRecord:
    rng = random.Random(f"records:{pid}")  # noqa: S311 (synthetic data)
    visits = []
    reports = []
    for number in range(1, rng.randint(2, 4)):
        days_ago = rng.randint(30, 1200)
        visits.append(
            Visit(
                f"v-{pid}-{number:02d}",
                pid,
                f"dr-047-{rng.randint(1, 4)}",
                "br-msk",
                _at(today, days_ago, rng.randint(9, 17)),
                "Профилактический осмотр. Жалоб нет.",
                (Diagnosis("Z00.0", "Общий медицинский осмотр"),),
                ("Общий анализ крови", "Глюкоза"),
            )
        )
        reports.append(
            _report(
                pid,
                number,
                "Глюкоза",
                "lt-glucose",
                today,
                days_ago - 1,
                [_obs(GLU, f"{rng.uniform(4.0, 6.4):.1f}")],
            )
        )
    return PatientRecord(tuple(visits), (), tuple(reports), ())


def _since(record: PatientRecord, since: date | None) -> PatientRecord:
    if since is None:
        return record
    return PatientRecord(
        tuple(v for v in record.visits if v.start.date() >= since),
        tuple(p for p in record.prescriptions if p.start >= since),
        tuple(r for r in record.lab_reports if r.collected_at.date() >= since),
        tuple(d for d in record.documents if d.issued_at.date() >= since),
    )


def patient_record(*, patient_id: str, today: date, since: date | None = None) -> PatientRecord:
    """The demo MIS's history of one registry patient (empty for unknown ids)."""
    if patient_id == "pt-demo-0001":
        record = _demo_patient(patient_id, today)
    elif patient_id == "pt-demo-0002":
        record = _demo_child(patient_id, today)
    elif any(p.external_id == patient_id for p in PATIENTS):
        record = _generated(patient_id, today)
    else:
        record = PatientRecord()
    return _since(record, since)
