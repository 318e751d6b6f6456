"""The demo site of the embedded default: every page type, filled with synthetic content.

Everything here creates what is missing and changes nothing that exists, so a
second load writes nothing (and an editor's changes survive a reload).
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterable
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.images import ImageFile
from django.db import transaction
from django.utils import timezone

from wagtail.images.models import Image
from wagtail.models import Page, Site, Workflow, WorkflowPage, WorkflowTask

from PIL import Image as PillowImage
from PIL import ImageDraw

from catalog.models import Branch, CheckupProgram, Doctor, LabTest, Service, Specialty
from clinic_pages import demo_content as content
from clinic_pages.models import (
    ArticleIndexPage,
    ArticlePage,
    BranchPage,
    CheckupIndexPage,
    CheckupPage,
    ClinicSettings,
    ContactsPage,
    CorporateInquiryField,
    CorporatePage,
    DoctorIndexPage,
    DoctorPage,
    HomePage,
    LabTestIndexPage,
    LabTestPage,
    MedicalReviewer,
    MedicalReviewTask,
    ServiceIndexPage,
    ServicePage,
    SymptomMapping,
)
from clinic_pages.services import ensure_doctor_pages
from clinic_pages.slugs import transliterated_slug

DEMO_PHONE = "+74950000000"
# The demo doctor who approves articles signs in to the Wagtail admin (/admin/) with these.
REVIEWER_USERNAME = "doctor"
REVIEWER_PASSWORD = "demo-doctor-2026"
REVIEW_WORKFLOW = "Медицинская проверка статей"

SECTIONS = (
    # model, slug, title, intro
    (DoctorIndexPage, "doctors", "Врачи", "Врачи клиники: выберите специалиста и свободное время приёма."),
    (ServiceIndexPage, "services", "Услуги и цены", "Приёмы врачей, диагностика и процедуры: цены из прайс-листа клиники."),
    (LabTestIndexPage, "lab-tests", "Анализы", "Лабораторные анализы: подготовка, сроки и цены."),
    (CheckupIndexPage, "checkups", "Программы check-up", "Комплексные обследования: отметьте нужное и узнайте цену."),
    (ArticleIndexPage, "articles", "Статьи о здоровье", "Статьи врачей клиники, проверенные медицинским редактором."),
    (ContactsPage, "contacts", "Контакты и филиалы", "Адреса, телефоны и часы работы филиалов."),
)  # fmt: skip


@transaction.atomic
def ensure_demo_site() -> HomePage:
    """Create the demo site's pages if missing; a second call changes nothing."""
    home = HomePage.objects.first()
    if home is None:
        home = _create_home()
    for model, slug, title, intro in SECTIONS:
        if not model.objects.exists():
            home.add_child(instance=model(title=title, slug=slug, intro=intro, show_in_menus=True))
    clinic = ClinicSettings.load()
    if clinic.phone != DEMO_PHONE or clinic.name != "Клиника «Демо»":
        clinic.name, clinic.phone = "Клиника «Демо»", DEMO_PHONE
        clinic.save()
    ensure_doctor_pages()
    return home


@transaction.atomic
def ensure_demo_content() -> None:
    """Pages for the synced catalog, branches, articles, images, the review workflow."""
    _service_pages()
    _lab_test_pages()
    _checkup_pages()
    _branch_pages()
    _doctor_photos()
    reviewer = _reviewer()
    _articles(reviewer)
    _review_workflow()
    _corporate_page()
    _symptoms()


CORPORATE_FIELDS = (
    # name, label, type, required
    ("company", "Компания", "singleline", True),
    ("contact_person", "Контактное лицо", "singleline", True),
    ("phone", "Телефон", "singleline", True),
    ("email", "Электронная почта", "email", False),
    ("employees", "Число сотрудников", "number", False),
    ("message", "Что вас интересует", "multiline", False),
)


def _corporate_page() -> None:
    if CorporatePage.objects.exists():
        return
    home = HomePage.objects.first()
    page = CorporatePage(
        title="Корпоративным клиентам и ДМС",
        slug="corporate",
        show_in_menus=True,
        intro=(
            "<p>Обслуживание сотрудников по программам добровольного медицинского "
            "страхования (ДМС), корпоративные check-up и профилактические осмотры. "
            "Работаем с ведущими страховыми компаниями по прямым договорам.</p>"
        ),
        thank_you_text=(
            "<p>Спасибо! Менеджер по работе с корпоративными клиентами перезвонит вам "
            "в течение рабочего дня.</p>"
        ),
        to_address="corporate@example.invalid",
        from_address="site@example.invalid",
        subject="Заявка корпоративного клиента с сайта",
    )
    for order, (name, label, field_type, required) in enumerate(CORPORATE_FIELDS):
        page.form_fields.add(
            CorporateInquiryField(
                sort_order=order,
                clean_name=name,
                label=label,
                field_type=field_type,
                required=required,
            )
        )
    home.add_child(instance=page)


def _symptoms() -> None:
    """The demo's symptom-to-specialty mappings, once: after that they are the editors'."""
    if SymptomMapping.objects.exists():
        return
    by_name = {s.name: s for s in Specialty.objects.filter(is_active=True)}
    for phrases, names in content.SYMPTOMS:
        specialties = [by_name[name] for name in names if name in by_name]
        if specialties:
            mapping = SymptomMapping.objects.create(phrases=phrases)
            mapping.specialties.set(specialties)


def _create_home() -> HomePage:
    root = Page.get_first_root_node()
    # Wagtail's migrations leave a placeholder welcome page (and a site on it).
    for placeholder in root.get_children():
        if placeholder.specific_class is Page:
            placeholder.delete()
    home = root.add_child(
        instance=HomePage(
            title="Клиника «Демо»",
            slug="home",
            intro="Многопрофильная клиника: запись к врачу онлайн за пару касаний.",
            seo_title="Клиника «Демо» — запись к врачу онлайн",
            search_description=(
                "Многопрофильная клиника: 44 врача 14 специальностей в трёх филиалах. "
                "Свободное время приёма онлайн."
            ),
            body=[
                ("heading", "Почему нам доверяют"),
                (
                    "paragraph",
                    "<p>Врачи высшей категории, собственная лаборатория и результаты "
                    "анализов в личном кабинете.</p>",
                ),
            ],
        )
    )
    address = urlsplit(settings.WAGTAILADMIN_BASE_URL)
    Site.objects.update_or_create(
        is_default_site=True,
        defaults={
            "root_page": home,
            "hostname": address.hostname or "localhost",
            "port": address.port or 80,
            "site_name": "Клиника «Демо»",
        },
    )
    return home


def _add(parent: Page, page: Page, taken: set[str]) -> None:
    """Add `page` under `parent` with a free Latin slug (`taken`: the siblings' slugs)."""
    base = slug = transliterated_slug(page.title)
    number = 2
    while slug in taken:
        slug, number = f"{base}-{number}", number + 1
    taken.add(slug)
    page.slug = slug
    parent.add_child(instance=page)


def _slugs(parent: Page) -> set[str]:
    return set(parent.get_children().values_list("slug", flat=True))


def _missing(model, relation: str, catalog: Iterable) -> list:
    have = set(model.objects.values_list(f"{relation}_id", flat=True))
    return [row for row in catalog if row.pk not in have]


def _service_pages() -> None:
    index = ServiceIndexPage.objects.first()
    services = Service.objects.filter(is_active=True).order_by("name")
    taken = _slugs(index)
    for service in _missing(ServicePage, "service", services):
        _add(
            index,
            ServicePage(title=service.name, service=service, **content.service_content(service)),
            taken,
        )


def _lab_test_pages() -> None:
    index = LabTestIndexPage.objects.first()
    tests = LabTest.objects.filter(is_active=True).order_by("name")
    taken = _slugs(index)
    for test in _missing(LabTestPage, "lab_test", tests):
        _add(
            index,
            LabTestPage(title=test.name, lab_test=test, **content.lab_test_content(test)),
            taken,
        )


def _checkup_pages() -> None:
    index = CheckupIndexPage.objects.first()
    programs = CheckupProgram.objects.filter(is_active=True).order_by("name")
    taken = _slugs(index)
    for program in _missing(CheckupPage, "program", programs):
        _add(
            index,
            CheckupPage(title=program.name, program=program, **content.checkup_content(program)),
            taken,
        )


def _branch_pages() -> None:
    index = ContactsPage.objects.first()
    taken = _slugs(index)
    for branch in _missing(BranchPage, "branch", Branch.objects.filter(is_active=True)):
        latitude, longitude, how = content.BRANCH_PLACES.get(branch.external_id, (None, None, ""))
        _add(
            index,
            BranchPage(
                title=branch.name,
                branch=branch,
                latitude=latitude,
                longitude=longitude,
                how_to_get_there=how,
                opening_hours=content.branch_hours(branch),
                photo=_image(f"demo-branch-{branch.external_id}", _building, branch.external_id),
            ),
            taken,
        )


AVATARS = 8  # distinct drawn avatars, shared by the doctors


def _doctor_photos() -> None:
    missing = list(
        DoctorPage.objects.filter(photo__isnull=True).values_list("pk", "doctor__external_id")
    )
    by_avatar: dict[int, list[int]] = {}
    for pk, external_id in missing:
        number = int(hashlib.sha256(external_id.encode()).hexdigest(), 16) % AVATARS
        by_avatar.setdefault(number, []).append(pk)
    for number, pks in by_avatar.items():
        avatar = _image(f"demo-avatar-{number + 1}", _avatar, f"avatar-{number}")
        # A plain UPDATE: no new revision or log entry for a demo picture.
        DoctorPage.objects.filter(pk__in=pks).update(photo=avatar)


def _reviewer() -> Doctor | None:
    """The demo doctor who reviews articles, with a login for the Wagtail admin."""
    existing = MedicalReviewer.objects.select_related("doctor").first()
    if existing is not None:
        return existing.doctor
    doctor = Doctor.objects.filter(specialties__name="Терапия", is_active=True).first()
    if doctor is None:
        return None
    User = get_user_model()
    user = User.objects.filter(username=REVIEWER_USERNAME).first()
    if user is None:
        user = User.objects.create_user(
            REVIEWER_USERNAME,
            password=REVIEWER_PASSWORD,
            first_name=doctor.first_name,
            last_name=doctor.last_name,
            is_staff=True,
            email="doctor@example.invalid",
        )
        moderators = Group.objects.filter(name="Moderators").first()
        if moderators is not None:
            user.groups.add(moderators)
    MedicalReviewer.objects.create(user=user, doctor=doctor)
    return doctor


def _articles(reviewer: Doctor | None) -> None:
    index = ArticleIndexPage.objects.first()
    if reviewer is None:
        return
    existing = set(ArticlePage.objects.values_list("slug", flat=True))
    today = timezone.localdate()
    for number, article in enumerate(content.ARTICLES):
        if article["slug"] in existing:
            continue
        author = Doctor.objects.filter(
            specialties__name=article["specialty"], is_active=True
        ).first()
        index.add_child(
            instance=ArticlePage(
                title=article["title"],
                slug=article["slug"],
                author=author,
                summary=article["summary"],
                body=article["body"],
                sources=[
                    ("source", {"title": title, "url": url, "kind": kind})
                    for title, url, kind in article["sources"]
                ],
                # The demo articles count as already through the review step.
                reviewed_by=reviewer,
                reviewed_at=today - timedelta(days=7 * (number + 1)),
            )
        )


def _review_workflow() -> None:
    """Articles go through a doctor's approval before they are published."""
    workflow = Workflow.objects.filter(name=REVIEW_WORKFLOW).first()
    if workflow is None:
        workflow = Workflow.objects.create(name=REVIEW_WORKFLOW)
        task = MedicalReviewTask.objects.create(name="Проверка врачом")
        WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    index = ArticleIndexPage.objects.first()
    if index is not None and not WorkflowPage.objects.filter(page=index).exists():
        WorkflowPage.objects.create(workflow=workflow, page=index)


# --- synthetic images (never photos of real people) -------------------------------


def _image(title: str, draw, key: str) -> Image:
    image = Image.objects.filter(title=title).first()
    if image is None:
        buffer = io.BytesIO()
        draw(key).save(buffer, format="PNG")
        image = Image(title=title)
        image.file = ImageFile(buffer, name=f"{title}.png")
        image.save()
    return image


def _palette(key: str) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
    digest = hashlib.sha256(key.encode()).digest()
    background = (200 + digest[0] % 50, 215 + digest[1] % 40, 210 + digest[2] % 45)
    figure = (30 + digest[3] % 90, 80 + digest[4] % 80, 90 + digest[5] % 80)
    return background, figure


def _avatar(key: str) -> PillowImage.Image:
    """A flat silhouette on a coloured background, like an empty-profile picture."""
    background, figure = _palette(key)
    picture = PillowImage.new("RGB", (240, 240), background)
    pen = ImageDraw.Draw(picture)
    pen.ellipse((85, 45, 155, 115), fill=figure)
    pen.ellipse((45, 130, 195, 280), fill=figure)
    return picture


def _building(key: str) -> PillowImage.Image:
    """A drawn clinic building: walls, windows, a door and a green cross."""
    background, figure = _palette(key)
    picture = PillowImage.new("RGB", (960, 540), background)
    pen = ImageDraw.Draw(picture)
    pen.rectangle((200, 140, 760, 500), fill=(245, 245, 240), outline=figure, width=6)
    for row in range(3):
        for column in range(5):
            x, y = 240 + column * 100, 180 + row * 90
            pen.rectangle((x, y, x + 60, y + 50), fill=(150, 190, 210))
    pen.rectangle((440, 420, 520, 500), fill=figure)
    pen.rectangle((465, 60, 495, 130), fill=(11, 110, 79))
    pen.rectangle((445, 80, 515, 110), fill=(11, 110, 79))
    return picture
