from django.contrib import admin

from members.models import Profile
from smrsite.pagecache import InvalidatesPageCacheAdmin


@admin.register(Profile)
class ProfileAdmin(InvalidatesPageCacheAdmin, admin.ModelAdmin):
    list_display = ["public_name", "user", "time_zone", "notify_replies", "notify_new_questions"]
    list_filter = ["notify_replies", "notify_followed", "notify_new_questions", "time_zone"]
    list_select_related = ["user"]
    search_fields = ["display_name", "user__username", "user__email"]
    raw_id_fields = ["user"]
    readonly_fields = ["created_at"]
