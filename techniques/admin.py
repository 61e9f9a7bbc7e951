from django.contrib import admin

from smrsite.pagecache import InvalidatesPageCacheAdmin
from techniques.models import FaqEntry, Region, Step, Stretch, Technique, Tool


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
