from django.contrib import admin

from smrsite.pagecache import InvalidatesPageCacheAdmin
from techniques import comment_services
from techniques.models import (
    Comment,
    CommentFlag,
    FaqEntry,
    Region,
    Step,
    Stretch,
    Technique,
    Tool,
)


@admin.register(Region)
class RegionAdmin(InvalidatesPageCacheAdmin, admin.ModelAdmin):
    list_display = ["name", "position", "colour"]
    list_editable = ["position"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]


@admin.register(Tool)
class ToolAdmin(InvalidatesPageCacheAdmin, admin.ModelAdmin):
    list_display = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name", "description"]


class StepInline(admin.StackedInline):
    model = Step
    extra = 1
    fields = [("position", "text"), ("image", "image_alt")]
    ordering = ["position"]


class FaqEntryInline(admin.StackedInline):
    """The "Asked and answered" entries shown on the technique page."""

    model = FaqEntry
    extra = 0
    fields = [("position", "question"), "answer", "source_comment"]
    raw_id_fields = ["source_comment"]
    ordering = ["position"]


@admin.register(Technique)
class TechniqueAdmin(InvalidatesPageCacheAdmin, admin.ModelAdmin):
    list_display = ["name", "region", "kind", "position", "min_frequency_days", "is_published"]
    list_filter = ["region", "kind", "is_published", "tools", "series"]
    list_editable = ["position", "is_published"]
    list_select_related = ["region"]
    search_fields = ["name", "slug", "target_muscles", "indications", "summary"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["after", "paired_stretch"]
    filter_horizontal = ["tools"]
    inlines = [StepInline, FaqEntryInline]
    save_on_top = True
    fieldsets = [
        (
            None,
            {"fields": [("name", "slug"), ("kind", "series"), ("region", "position"), "summary"]},
        ),
        ("What it works", {"fields": ["target_muscles", "why_it_matters", "indications"]}),
        (
            "Doing it",
            {
                "fields": [
                    "tools",
                    ("duration_seconds", "per_side"),
                    "pressure",
                    "cautions",
                    ("after", "min_frequency_days"),
                    ("paired_stretch", "pairing_advice"),
                ]
            },
        ),
        ("Stretches", {"fields": ["target_minutes", "progression"], "classes": ["collapse"]}),
        ("Media", {"fields": [("image", "image_alt"), "video"]}),
        (None, {"fields": ["is_published"]}),
    ]


@admin.register(Stretch)
class StretchAdmin(TechniqueAdmin):
    def get_queryset(self, request):
        return super().get_queryset(request).filter(kind=Technique.Kind.STRETCH)

    def get_changeform_initial_data(self, request):
        return {"kind": Technique.Kind.STRETCH, **super().get_changeform_initial_data(request)}


# --- Questions and answers ------------------------------------------------------------------


class CommentFlagInline(admin.TabularInline):
    model = CommentFlag
    extra = 0
    fields = ["member", "reason", "created_at", "resolved_at"]
    readonly_fields = ["member", "reason", "created_at"]
    raw_id_fields = ["member"]


@admin.register(Comment)
class CommentAdmin(InvalidatesPageCacheAdmin, admin.ModelAdmin):
    """The moderation queue: filter by status (pending first), approve or hide in bulk."""

    list_display = ["__str__", "technique", "author", "kind", "status", "created_at", "answered"]
    list_filter = ["status", "kind", "technique"]
    list_select_related = ["technique", "author"]
    search_fields = ["body", "author__username", "author__profile__display_name"]
    raw_id_fields = ["author", "parent", "root", "answer"]
    readonly_fields = ["depth", "created_at", "edited_at", "answered_at"]
    date_hierarchy = "created_at"
    actions = ["approve", "hide"]
    inlines = [CommentFlagInline]

    @admin.display(boolean=True)
    def answered(self, obj: Comment) -> bool | None:
        return obj.answer_id is not None if obj.is_question else None

    @admin.action(description="Approve the selected comments")
    def approve(self, request, queryset):
        for comment in queryset:
            comment_services.comment_approve(comment=comment, by=request.user)
        self.message_user(request, f"Approved {len(queryset)} comment(s).")

    @admin.action(description="Hide the selected comments from readers")
    def hide(self, request, queryset):
        for comment in queryset:
            comment_services.comment_hide(comment=comment, by=request.user)
        self.message_user(request, f"Hid {len(queryset)} comment(s).")
