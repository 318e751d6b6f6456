"""The demo site of the embedded default: home page, doctors index, settings."""

from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction

from wagtail.models import Page, Site

from clinic_pages.models import ClinicSettings, DoctorIndexPage, HomePage
from clinic_pages.services import ensure_doctor_pages

DEMO_PHONE = "+74950000000"


@transaction.atomic
def ensure_demo_site() -> HomePage:
    """Create the demo site's pages if missing; a second call changes nothing."""
    home = HomePage.objects.first()
    if home is None:
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
    if not DoctorIndexPage.objects.exists():
        home.add_child(
            instance=DoctorIndexPage(
                title="Врачи",
                slug="doctors",
                intro="Врачи клиники: выберите специалиста и свободное время приёма.",
            )
        )
    clinic = ClinicSettings.load()
    if clinic.phone != DEMO_PHONE or clinic.name != "Клиника «Демо»":
        clinic.name, clinic.phone = "Клиника «Демо»", DEMO_PHONE
        clinic.save()
    ensure_doctor_pages()
    return home
