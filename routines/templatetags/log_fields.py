"""One field of the day's log forms (each item's feedback, and the stretch), in the
markup crispy-forms' Bootstrap 5 pack gives the site's other forms.

Written in Python because "today" and the session have a field per question per item:
as a template (an include per field, a loop and a dozen conditions per option) it was
the largest part of the "today" page's render. Same markup, character for character.
"""

from html import escape

from django import template
from django.forms import BoundField
from django.forms.formsets import (
    INITIAL_FORM_COUNT,
    MAX_NUM_FORM_COUNT,
    MIN_NUM_FORM_COUNT,
    TOTAL_FORM_COUNT,
    BaseFormSet,
)
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


def _text(value: object) -> str:
    """A value as ``{{ value }}`` writes it: localised, then escaped."""
    if type(value) is str:
        # Most values are plain text: escaped as Django escapes it, without its lazy checks.
        return escape(value)
    return conditional_escape(localize(value))


def _radios(field: BoundField, id_: str, errors, current, subject, error_id) -> str:
    invalid = " is-invalid" if errors or error_id else ""
    aria = ""
    if errors or error_id:
        own = f"{id_}_error" if errors else ""
        gap = " " if errors and error_id else ""
        aria = f' aria-invalid="true" aria-describedby="{own}{gap}{_text(error_id or "")}"'
    name = _text(field.html_name)
    chosen = "" if current is None else current
    options = []
    for n, (value, label) in enumerate(field.field.choices):
        checked = " checked" if value == chosen else ""
        options.append(
            '\n  <div class="form-check">\n'
            f'    <input type="radio" class="form-check-input{invalid}" name="{name}"'
            f' value="{_text(value)}" id="{id_}_{n}"{checked}{aria}>\n'
            f'    <label for="{id_}_{n}" class="form-check-label">{_text(label)}</label>\n'
            "  </div>\n  "
        )
    data_subject = f' data-subject="{_text(subject)}"' if subject else ""
    return (
        f'\n<div id="div_{id_}" class="mb-3"><fieldset class="log-choice" data-log-choice'
        f"{data_subject}>\n"
        f'  <legend class="form-label fs-6">{_text(field.label)}</legend>\n'
        f"  {''.join(options)}\n"
    )


def _checkbox(field: BoundField, id_: str, errors, current) -> str:
    invalid = " is-invalid" if errors else ""
    aria = f' aria-invalid="true" aria-describedby="{id_}_error"' if errors else ""
    checked = " checked" if current else ""
    return (
        f'\n<div id="div_{id_}" class="mb-3"><div class="form-check">\n'
        f'  <input type="checkbox" name="{_text(field.html_name)}"'
        f' class="checkboxinput form-check-input{invalid}" id="{id_}"{checked}{aria}>\n'
        f'  <label for="{id_}" class="form-check-label">{_text(field.label)}</label>\n'
    )


def _other(field: BoundField, kind: str, id_: str, errors, current) -> str:
    required = field.field.required
    invalid = " is-invalid" if errors else ""
    aria = f' aria-invalid="true" aria-describedby="{id_}_error"' if errors else ""
    name = _text(field.html_name)
    asterisk = '<span class="asteriskField" aria-hidden="true">*</span>' if required else ""
    head = (
        f'\n<div id="div_{id_}" class="mb-3">\n'
        f'  <label for="{id_}" class="form-label{" requiredField" if required else ""}">'
        f"{_text(field.label)}{asterisk}</label>\n  "
    )
    attrs = field.field.widget.attrs
    if kind == "textarea":
        shown = "" if current is None else current
        control = (
            f'\n  <textarea name="{name}" rows="{_text(attrs.get("rows", ""))}"'
            f' maxlength="{_text(field.field.max_length)}"'
            f' class="textarea form-control{invalid}" id="{id_}"{aria}>\n'
            f"{_text(shown)}</textarea>\n  "
        )
    elif kind == "select":
        options = "".join(
            f'<option value="{_text(value)}"{" selected" if value == current else ""}>'
            f"{_text(label)}</option>"
            for value, label in field.field.choices
        )
        control = (
            f'\n  <select name="{name}" class="select form-select{invalid}" id="{id_}"'
            f"{' required' if required else ''}{aria}>\n"
            f"    {options}\n"
            "  </select>\n  "
        )
    else:
        shown = "" if current is None else current
        extra = "".join(f' {_text(key)}="{_text(value)}"' for key, value in attrs.items())
        help_text = field.help_text
        invalid_aria = ' aria-invalid="true"' if errors else ""
        described = ""
        if errors or help_text:
            parts = (
                f"{id_}_helptext" if help_text else "",
                " " if errors and help_text else "",
                f"{id_}_error" if errors else "",
            )
            described = f' aria-describedby="{"".join(parts)}"'
        control = (
            f'\n  <input type="{_text(kind)}" name="{name}" value="{_text(shown)}"{extra}'
            f' class="{_text(kind)}input form-control{invalid}" id="{id_}"'
            f"{' required' if required else ''}{invalid_aria}{described}>\n  "
        )
    return f"{head}{control}\n"


@register.simple_tag
def log_field(field: BoundField, subject: str = "", error_id: str = "") -> SafeString:
    """One field: radios, a textarea, a select, a checkbox or an input, with its errors.

    ``error_id``: the id of an error shown elsewhere (one error of a whole item) that
    this field is marked invalid for; ``subject``: the item's name, which
    static/js/daylog.js puts in the name of the one-button answer it makes of radios.
    """
    kind = field.widget_type
    id_ = _text(field.auto_id)
    errors = field.errors
    current = field.value()
    if kind == "radioselect":
        body = _radios(field, id_, errors, current, subject, error_id)
    elif kind == "checkbox":
        body = _checkbox(field, id_, errors, current)
    else:
        body = _other(field, kind, id_, errors, current)
    error_block = ""
    if errors:
        paragraphs = "".join(
            f'<p id="error_{n}_{id_}"><strong>{_text(error)}</strong></p>'
            for n, error in enumerate(errors, start=1)
        )
        error_block = f'<div id="{id_}_error" class="invalid-feedback d-block">{paragraphs}</div>'
    help_block = ""
    if field.help_text:
        help_block = f'<div id="{id_}_helptext" class="form-text">{_text(field.help_text)}</div>'
    closing = {"radioselect": "</fieldset>", "checkbox": "</div>"}.get(kind, "")
    # S308: every value above is escaped by _text, the rest is fixed markup.
    return mark_safe(f"\n{body}\n  {error_block}\n  {help_block}\n{closing}</div>\n\n")


@register.simple_tag
def hidden_input(field: BoundField) -> SafeString:
    """A hidden field as its widget writes it: no ``value`` when the field has none."""
    value = field.value()
    shown = ""
    if value is not None and value != "":
        shown = f' value="{conditional_escape(str(value))}"'
    name, id_ = _text(field.html_name), _text(field.auto_id)
    # S308: every value is escaped, the rest is fixed markup.
    return mark_safe(f'<input type="hidden" name="{name}"{shown} id="{id_}">')


@register.simple_tag
def management_inputs(formset: BaseFormSet) -> SafeString:
    """A formset's management form as the hidden inputs Django's ``ManagementForm`` writes.

    Written from the formset's own counts instead of from that form: Django's rendering
    runs a widget template per input, and making the form deep-copies its four fields;
    together about 3% of "today" with every cache off (py-spy under gunicorn). A bound
    formset writes the counts it read, so a broken management form writes no forms.
    """
    counts = {
        TOTAL_FORM_COUNT: formset.total_form_count(),
        INITIAL_FORM_COUNT: formset.initial_form_count(),
        MIN_NUM_FORM_COUNT: formset.min_num,
        MAX_NUM_FORM_COUNT: formset.max_num,
    }
    auto_id = formset.auto_id
    inputs = []
    for count, value in counts.items():
        name = formset.add_prefix(count)
        # Django's rule (BoundField.auto_id): a format with %s, else the name, else none.
        id_ = (auto_id % name if "%s" in str(auto_id) else name) if auto_id else ""
        inputs.append(
            f'<input type="hidden" name="{_text(name)}" value="{value:d}"'
            + (f' id="{_text(id_)}">' if id_ else ">")
        )
    # S308: the counts are integers and the names escaped, the rest is fixed markup.
    return mark_safe("".join(inputs))
