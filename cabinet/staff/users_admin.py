"""Wagtail's user admin with the staff member's mobile number.

The number on an account is where a staff member without a second factor
gets the code that lets them set up the authenticator app
(cabinet/accounts/enrolment.py); only whoever manages users in the admin
sets it. Wired in by `users_app.ClinicUsersAppConfig` in INSTALLED_APPS.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from wagtail.users.forms import UserCreationForm, UserEditForm
from wagtail.users.views.users import UserViewSet

from cabinet.accounts.forms import PhoneField


class _PhoneMixin(forms.ModelForm):
    phone = PhoneField(
        label=_("Mobile phone"),
        required=False,
        help_text=_(
            "A staff member without an authenticator app gets a code to this number "
            "after the password, to set the app up. Leave empty to give them an "
            "enrolment link instead (manage.py staff_enrolment_link)."
        ),
    )

    def clean_phone(self):
        return self.cleaned_data.get("phone") or None  # unique: no two empty strings


class StaffUserCreationForm(_PhoneMixin, UserCreationForm):
    class Meta(UserCreationForm.Meta):
        fields = {*UserCreationForm.Meta.fields, "phone"}


class StaffUserEditForm(_PhoneMixin, UserEditForm):
    class Meta(UserEditForm.Meta):
        fields = {*UserEditForm.Meta.fields, "phone"}


class StaffUserViewSet(UserViewSet):
    def get_form_class(self, for_update=False):
        return StaffUserEditForm if for_update else StaffUserCreationForm
