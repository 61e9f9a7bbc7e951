from allauth.mfa.admin import AuthenticatorAdmin as AllauthAuthenticatorAdmin
from allauth.mfa.models import Authenticator
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group

from members.models import Profile
from members.services import staff_email_verify


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["public_name", "user", "time_zone", "notify_replies", "notify_new_questions"]
    list_filter = ["notify_replies", "notify_followed", "notify_new_questions", "time_zone"]
    list_select_related = ["user"]
    search_fields = ["display_name", "user__username", "user__email"]
    raw_id_fields = ["user"]
    readonly_fields = ["created_at"]


# Importing Django's UserAdmin above registered it; ours replaces it.
admin.site.unregister(get_user_model())


# Accessibility (WCAG 2.2 AA, tests/browser/test_admin_accessibility.py): Django's
# two-box filter widget gives screen readers misnamed icons, so groups and permissions
# are plain multiple selects; the date-and-time pair Django draws for a timestamp has
# no label on either box, and a record of when something happened is not staff's to
# edit, so those are read-only.
admin.site.unregister(Group)
admin.site.unregister(Authenticator)


@admin.register(Group)
class GroupAdmin(DjangoGroupAdmin):
    filter_horizontal = ()


@admin.register(Authenticator)
class AuthenticatorAdmin(AllauthAuthenticatorAdmin):
    readonly_fields = ("created_at", "last_used_at")


@admin.register(get_user_model())
class UserAdmin(DjangoUserAdmin):
    filter_horizontal = ()
    readonly_fields = ("last_login", "date_joined")

    def save_model(self, request, obj, form, change):
        """Staff given an email here can sign in with it on the site, unconfirmed."""
        super().save_model(request, obj, form, change)
        staff_email_verify(user=obj)
