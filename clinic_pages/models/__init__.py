"""Wagtail page types of the public site, one module a section, and the clinic's settings."""

from clinic_pages.models.articles import ArticleIndexPage, ArticlePage
from clinic_pages.models.base import ClinicPage, ClinicPageForm, IndexPage
from clinic_pages.models.checkups import CheckupIndexPage, CheckupPage
from clinic_pages.models.contacts import BranchPage, ContactsPage
from clinic_pages.models.corporate import CorporateInquiryField, CorporatePage
from clinic_pages.models.doctors import DoctorIndexPage, DoctorPage
from clinic_pages.models.home import HomePage
from clinic_pages.models.lab_tests import LabTestIndexPage, LabTestPage
from clinic_pages.models.medical_services import ServiceIndexPage, ServicePage
from clinic_pages.models.site_settings import ClinicSettings
from clinic_pages.models.symptoms import SymptomMapping
from clinic_pages.models.workflow import MedicalReviewer, MedicalReviewTask

__all__ = [
    "ArticleIndexPage",
    "ArticlePage",
    "BranchPage",
    "CheckupIndexPage",
    "CheckupPage",
    "ClinicPage",
    "ClinicPageForm",
    "ClinicSettings",
    "ContactsPage",
    "CorporateInquiryField",
    "CorporatePage",
    "DoctorIndexPage",
    "DoctorPage",
    "HomePage",
    "IndexPage",
    "LabTestIndexPage",
    "LabTestPage",
    "MedicalReviewTask",
    "MedicalReviewer",
    "ServiceIndexPage",
    "ServicePage",
    "SymptomMapping",
]
