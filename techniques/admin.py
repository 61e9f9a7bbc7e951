from django import forms
from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected
from django.contrib.admin.utils import unquote
from django.db import models
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.text import get_text_list

from smrsite.admin_fields import NamedListEditableAdmin, NamedTabularInline
from techniques import services
from techniques.models import FaqEntry, FormerSlug, Region, Step, Stretch, Technique, Tool
from techniques.templatetags.illustrations import technique_drawing

DELETE_LOGGED_REFUSED = (
    "{names} cannot be deleted: members have logged {them}, and their logs are their "
    "history. Unpublish instead (untick “Published” and save): it leaves the catalogue "
    "and every plan, and the logs stay."
)


@admin.register(Region)
class RegionAdmin(NamedListEditableAdmin, admin.ModelAdmin):
    list_display = ["name", "position", "colour"]
    list_editable = ["position"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]


@admin.register(Tool)
class ToolAdmin(admin.ModelAdmin):
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


class FormerSlugInline(NamedTabularInline):
    """Old addresses that answer with a redirect to the technique; a rename adds one."""

    model = FormerSlug
    extra = 0
    fields = ["slug"]
    verbose_name = "former slug"
    verbose_name_plural = "former slugs: old addresses that redirect here"


@admin.register(Technique)
class TechniqueAdmin(NamedListEditableAdmin, admin.ModelAdmin):
    list_display = ["name", "region", "kind", "position", "min_frequency_days", "is_published"]
    list_filter = ["region", "kind", "is_published", "tools", "series"]
    list_editable = ["position", "is_published"]
    list_select_related = ["region"]
    search_fields = ["name", "slug", "target_muscles", "indications", "summary"]
    prepopulated_fields = {"slug": ["name"]}
    # Plain selects and checkboxes: select2's autocomplete and the two-box filter widget
    # give screen readers unnamed inputs and mislabelled icons (WCAG 2.2 AA, axe).
    formfield_overrides = {models.ManyToManyField: {"widget": forms.CheckboxSelectMultiple}}
    inlines = [StepInline, FaqEntryInline, FormerSlugInline]
    save_on_top = True
    readonly_fields = ["picture_preview"]

    class Media:
        css = {"all": ["css/admin-pictures.css"]}

    change_list_template = "admin/techniques/technique/change_list.html"
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
        (
            "Picture of the position",
            {
                "fields": [
                    ("pose", "pose_tool"),
                    ("contact_point", "direction"),
                    "picture_preview",
                ],
                "description": "Drawn from these four choices (save to see a change); an "
                "uploaded image below is shown instead when there is one.",
            },
        ),
        ("Media", {"fields": [("image", "image_alt"), "video"]}),
        (None, {"fields": ["is_published"]}),
    ]

    @admin.display(description="Picture")
    def picture_preview(self, obj: Technique) -> str:
        drawing = technique_drawing(obj) if obj.pk else ""
        if not drawing:
            return "No picture yet: choose the four values above and save."
        return format_html(
            '<div class="picture-preview">{}</div><p>{}</p>', drawing, obj.picture_description
        )

    def _kept_by_history(self, techniques) -> list[Technique]:
        """Those of ``techniques`` that rows elsewhere protect, e.g. members' log entries."""
        ids = {t.pk for t in techniques}
        kept = set()
        # Hidden relations too: LogEntry.technique has no reverse name.
        relations = Technique._meta.get_fields(include_hidden=True)
        for relation in relations:
            if (
                relation.auto_created
                and not relation.concrete
                and relation.one_to_many
                and relation.on_delete is models.PROTECT
                and ids - kept
            ):
                kept |= set(
                    relation.related_model._base_manager.filter(
                        **{f"{relation.field.name}__in": ids - kept}
                    ).values_list(relation.field.attname, flat=True)
                )
        return [t for t in techniques if t.pk in kept]

    def _refuse_delete(self, request, techniques) -> None:
        names = get_text_list(sorted(f"“{t.name}”" for t in techniques), "and")
        them = "it" if len(techniques) == 1 else "them"
        self.message_user(
            request, DELETE_LOGGED_REFUSED.format(names=names, them=them), messages.ERROR
        )

    def delete_view(self, request, object_id, extra_context=None):
        # Django would list every protected log row of every member; one sentence
        # saying what to do instead serves staff better.
        technique = self.get_object(request, unquote(object_id))
        if (
            technique is not None
            and self.has_delete_permission(request, technique)
            and self._kept_by_history([technique])
        ):
            self._refuse_delete(request, [technique])
            return redirect(self._change_url(technique))
        return super().delete_view(request, object_id, extra_context)

    def _change_url(self, technique: Technique) -> str:
        opts = self.model._meta
        return reverse(
            f"admin:{opts.app_label}_{opts.model_name}_change",
            args=[technique.pk],
            current_app=self.admin_site.name,
        )

    def get_actions(self, request):
        found = super().get_actions(request)
        if "delete_selected" in found:
            _, name, description = found["delete_selected"]
            found["delete_selected"] = (type(self).delete_unlogged, name, description)
        return found

    def delete_unlogged(self, request, queryset):
        """The bulk delete, refused with a message when any technique chosen was logged."""
        kept = self._kept_by_history(list(queryset))
        if kept:
            self._refuse_delete(request, kept)
            return None
        return delete_selected(self, request, queryset)

    def get_urls(self):
        pictures = path(
            "pictures/",
            self.admin_site.admin_view(self.pictures_view),
            name="techniques_technique_pictures",
        )
        return [pictures, *super().get_urls()]

    def pictures_view(self, request):
        """Every technique's picture on one page, to look them over side by side."""
        techniques = Technique.objects.select_related("region").order_by(
            "region__position", "kind", "position", "name"
        )
        context = {
            **self.admin_site.each_context(request),
            "title": "Pictures of the positions",
            "opts": self.model._meta,
            "techniques": techniques,
        }
        return TemplateResponse(request, "admin/techniques/technique/pictures.html", context)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # After the inlines, which may already hold the old slug.
        if change and "slug" in form.changed_data:
            services.former_slug_keep(technique=form.instance, slug=form.initial["slug"])


@admin.register(Stretch)
class StretchAdmin(TechniqueAdmin):
    def get_queryset(self, request):
        return super().get_queryset(request).filter(kind=Technique.Kind.STRETCH)

    def get_changeform_initial_data(self, request):
        return {"kind": Technique.Kind.STRETCH, **super().get_changeform_initial_data(request)}
