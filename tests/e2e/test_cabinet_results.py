"""The patient opens a lab result on a phone and sees its trend chart (real Chromium)."""

from django.test import Client

import pytest
from playwright.sync_api import expect

from cabinet.accounts.models import Patient
from cabinet.demo import ensure_demo_users
from tests.cabinet.conftest import import_history, open_cabinet

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def logged_in_phone(live_server, phone):
    """A phone whose browser carries the demo patient's session cookie."""
    ensure_demo_users()
    patient = Patient.objects.get(mis_id="pt-demo-0001")
    import_history(patient)
    client = Client()
    open_cabinet(client, patient.account)
    session = client.cookies["sessionid"].value
    phone.context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])
    return phone


def test_open_a_result_and_see_its_chart(live_server, logged_in_phone):
    phone = logged_in_phone
    phone.goto(live_server.url + "/cabinet/")
    phone.get_by_role("link", name="Результаты анализов").or_(
        phone.get_by_role("link", name="Lab results")
    ).first.tap()
    phone.locator("a.card__title", has_text="Гормоны щитовидной железы").first.tap()
    expect(phone.locator("h1")).to_have_text("Гормоны щитовидной железы")
    expect(phone.locator(".analyte--high")).to_contain_text("7,8")

    phone.locator("a.analyte__name", has_text="ТТГ").tap()
    canvas = phone.locator("#analyte-chart")
    expect(canvas).to_be_visible()
    phone.wait_for_function("() => window.Chart && Chart.getChart('analyte-chart')")
    drawn = phone.evaluate(
        """() => {
            const chart = Chart.getChart('analyte-chart');
            const [values, low, high] = chart.data.datasets;
            return {points: values.data, low: low.data, high: high.data,
                    labels: chart.data.labels, width: chart.width, height: chart.height};
        }"""
    )
    assert drawn["points"] == [7.8, 4.6, 2.1]  # oldest first
    assert set(drawn["low"]) == {0.4} and set(drawn["high"]) == {4.0}  # the reference band
    assert len(drawn["labels"]) == 3
    assert drawn["width"] > 300 and drawn["height"] > 200
    # Pixels were painted: a blank canvas has the same colour everywhere.
    painted = phone.evaluate(
        """() => {
            const c = document.getElementById('analyte-chart');
            const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            let coloured = 0;
            for (let i = 3; i < data.length; i += 4) if (data[i] > 0) coloured++;
            return coloured;
        }"""
    )
    assert painted > 1000
    assert phone.errors == []
