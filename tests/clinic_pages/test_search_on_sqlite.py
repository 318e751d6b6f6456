"""The site search on the demo site's real pages, on PostgreSQL (full-text
search) and on SQLite, the embedded default, where the substring fallback is
all there is (a fallback that found nothing would leave `make run` without a
search)."""

from clinic_pages.models import DoctorPage
from clinic_pages.selectors import search_pages
from tests.sqlite import run_on_sqlite


def test_the_search_finds_the_demo_sites_pages(demo_site, client):
    titles = [page.title for page in search_pages(query="анализ крови")]
    assert "Общий анализ крови" in titles
    assert "Общий анализ крови с лейкоцитарной формулой" in titles
    cardiologist = DoctorPage.objects.filter(doctor__specialties__name="Кардиология").first()
    assert cardiologist.pk in {page.pk for page in search_pages(query="кардиолог")}
    by_name = search_pages(query=cardiologist.doctor.last_name)
    assert cardiologist.pk in {page.pk for page in by_name}
    assert search_pages(query="Фывапролдж") == []
    html = client.get("/search/", {"q": "анализ крови"}).content.decode()
    assert "Общий анализ крови" in html


def test_the_search_on_sqlite(request, tmp_path_factory):
    """The same test on a SQLite file, in a pytest process of its own."""
    assert run_on_sqlite(request, tmp_path_factory) == 1
