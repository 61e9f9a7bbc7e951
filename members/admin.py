from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from members.models import Profile
from members.services import staff_email_verify
from smrsite.pagecache import InvalidatesPageCacheAdmin


@admin.register(Profile)
class ProfileAdmin(InvalidatesPageCacheAdmin, admin.ModelAdmin):
    list_display = ["public_name", "user", "time_zone", "notify_replies", "notify_new_questions"]
    list_filter = ["notify_replies", "notify_followed", "notify_new_questions", "time_zone"]
    list_select_related = ["user"]
    search_fields = ["display_name", "user__username", "user__email"]
    raw_id_fields = ["user"]
    readonly_fields = ["created_at"]


# Importing Django's UserAdmin above registered it; ours replaces it.
admin.site.unregister(get_user_model())


@admin.register(get_user_model())
class UserAdmin(DjangoUserAdmin):
    def save_model(self, request, obj, form, change):
        """Staff given an email here can sign in with it on the site, unconfirmed."""
        super().save_model(request, obj, form, change)
        staff_email_verify(user=obj)
