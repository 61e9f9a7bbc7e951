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
from smrsite.admin_fields import NamedTabularInline


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
class RoutineAdmin(admin.ModelAdmin):
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
class LogEntryAdmin(admin.ModelAdmin):
    list_display = ["day", "member", "technique", "status", "sensitivity", "movement"]
    list_filter = ["status", "sensitivity", "movement", "technique__region", "day"]
    list_select_related = ["member", "technique"]
    search_fields = ["member__email", "technique__name", "note"]
    raw_id_fields = ["member", "technique"]
    date_hierarchy = "day"


@admin.register(StretchLog)
class StretchLogAdmin(admin.ModelAdmin):
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
