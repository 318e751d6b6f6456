"""The site's URLs plus one stand-in medical view: it opens what
`acting_patient()` allows, as every medical view of the cabinet does."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import include, path

from cabinet.access import acting_patient, on_behalf_of


@login_required
def medical_probe(request):
    patient = acting_patient(request)
    child = on_behalf_of(request)
    proxy = f" for {child.mis_id} by {request.user.username}" if child else ""
    return HttpResponse(f"record of {patient.mis_id}{proxy}")


urlpatterns = [
    path("cabinet/probe/", medical_probe, name="medical_probe"),
    path("", include("clinic_site.urls")),
]
