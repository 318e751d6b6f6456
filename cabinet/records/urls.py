"""URLs of the cabinet's medical data (included at /cabinet/)."""

from django.urls import path

from cabinet.records import views

app_name = "records"
urlpatterns = [
    path("import/<int:import_id>/", views.import_progress, name="import-progress"),
    path("results/", views.results, name="results"),
    path("results/<int:report_id>/", views.report_detail, name="report"),
    path("results/<int:report_id>/pdf/", views.report_pdf, name="report-pdf"),
    path("results/analytes/<str:code>/", views.analyte, name="analyte"),
    path("card/", views.card, name="card"),
    path("card/visits/<int:visit_id>/", views.visit_detail, name="visit"),
    path("prescriptions/", views.prescriptions, name="prescriptions"),
    path("documents/", views.documents, name="documents"),
    path("documents/<int:document_id>/download/", views.document_download, name="document"),
    path("access-log/", views.access_log, name="access-log"),
]
