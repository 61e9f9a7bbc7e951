"""Names for the admin's inputs that sit in table cells, where Django gives them no label.

``list_editable`` columns on a list page and ``TabularInline`` rows show their inputs
under a column heading only: a screen reader hears "edit text" and no name (axe's
``label`` and ``select-name`` rules). Here each such input gets an ``aria-label`` of its
column and its row: "Position, Hip", "Region, row 2", "Delete, row 2".
"""

from collections.abc import Callable

from django.contrib import admin
from django.forms import BaseFormSet, Form


def named_formset(
    formset_class: type[BaseFormSet], row_name: Callable[[Form, int | None], str]
) -> type[BaseFormSet]:
    """``formset_class`` whose forms' visible inputs are named "<field label>, <row name>"."""

    class NamedFormSet(formset_class):
        def add_fields(self, form, index):
            super().add_fields(form, index)  # after the formset's own DELETE and ORDER
            row = row_name(form, index)
            for name, field in form.fields.items():
                # The admin wraps a related field's select (with its add and change
                # links); the wrapper's attrs are not this form's copy, the select's are.
                widget = getattr(field.widget, "widget", field.widget)
                if not widget.is_hidden:
                    widget.attrs["aria-label"] = f"{field.label or name}, {row}"

    NamedFormSet.__name__ = formset_class.__name__
    return NamedFormSet


class NamedListEditableAdmin:
    """``ModelAdmin`` mixin: each ``list_editable`` input is named after its column and row."""

    def get_changelist_formset(self, request, **kwargs):
        formset = super().get_changelist_formset(request, **kwargs)
        return named_formset(formset, lambda form, index: str(form.instance))


class NamedTabularInline(admin.TabularInline):
    """A ``TabularInline`` whose inputs are named after their column and row number."""

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        return named_formset(
            formset, lambda form, index: "new row" if index is None else f"row {index + 1}"
        )
