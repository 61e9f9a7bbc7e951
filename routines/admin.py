from django import forms
from django.contrib import admin
from django.db import models

from routines.models import (
    DailySession,
    LogEntry,
    ReminderSent,
    Routine,
    RoutinePass,
    RoutineRegion,
    StretchLog,
)
from smrsite import pagecache
from smrsite.admin_fields import NamedTabularInline


class ChangesMemberPlanAdmin:
    """``ModelAdmin`` mixin: saves and deletes here forget the member's stored "today" page.

    Admin edits bypass routines.services, so the admin says itself whose plan changed
    (``save_related`` covers inlines and many-to-many fields such as pins).
    """

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        pagecache.member_changed(member_id=obj.member_id)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        pagecache.member_changed(member_id=form.instance.member_id)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        pagecache.member_changed(member_id=obj.member_id)

    def delete_queryset(self, request, queryset):
        members = set(queryset.values_list("member_id", flat=True))
        super().delete_queryset(request, queryset)
        for member_id in members:
            pagecache.member_changed(member_id=member_id)


class RoutineRegionInline(NamedTabularInline):
    model = RoutineRegion
    extra = 0
    ordering = ["position"]


class RoutinePassInline(NamedTabularInline):
    """The member's place: each region pass and the day it began, newest first (read only,
    as the planner records them; changing the routine's regions moves the place)."""

    model = RoutinePass
    extra = 0
    ordering = ["-since", "-id"]
    max_num = 0
    readonly_fields = ["region", "since"]
    can_delete = False


class DailySessionInline(NamedTabularInline):
    model = DailySession
    extra = 0
    ordering = ["-day"]
    max_num = 0
    readonly_fields = ["day", "region", "finished"]
    can_delete = False


@admin.register(Routine)
class RoutineAdmin(ChangesMemberPlanAdmin, admin.ModelAdmin):
    list_display = ["member", "per_day", "tension", "start_date", "reminders_on", "reminder_time"]
    list_filter = ["per_day", "tension", "reminders_on"]
    list_select_related = ["member"]
    search_fields = ["member__email", "member__username"]
    raw_id_fields = ["member"]
    # Checkboxes rather than the two-box filter widget, whose icons screen readers misname.
    formfield_overrides = {models.ManyToManyField: {"widget": forms.CheckboxSelectMultiple}}
    readonly_fields = ["feed_token", "created_at", "updated_at"]
    inlines = [RoutineRegionInline, RoutinePassInline, DailySessionInline]


@admin.register(LogEntry)
class LogEntryAdmin(ChangesMemberPlanAdmin, admin.ModelAdmin):
    list_display = ["day", "member", "technique", "status", "sensitivity", "movement"]
    list_filter = ["status", "sensitivity", "movement", "technique__region", "day"]
    list_select_related = ["member", "technique"]
    search_fields = ["member__email", "technique__name", "note"]
    raw_id_fields = ["member", "technique"]
    date_hierarchy = "day"


@admin.register(StretchLog)
class StretchLogAdmin(ChangesMemberPlanAdmin, admin.ModelAdmin):
    list_display = ["day", "member", "prop", "unbroken_minutes", "tension"]
    list_filter = ["prop", "tension", "day"]
    list_select_related = ["member"]
    search_fields = ["member__email"]
    raw_id_fields = ["member"]
    date_hierarchy = "day"


@admin.register(ReminderSent)
class ReminderSentAdmin(admin.ModelAdmin):
    list_display = ["day", "member", "sent_at"]
    search_fields = ["member__email"]
    raw_id_fields = ["member"]
