"""A Django formset as one field of an admin form: rows a service takes together with the record (a bundle's
items), edited on the add page itself, validated with the form, and shown with their errors.

``FormsetField(SomeFormSet)`` cleans to the list of its rows' ``cleaned_data`` (deleted and empty rows left
out); the admin's ``service_save`` hands them to the service. A row refused by the service is shown on the field
(``core.admin.add_domain_error``)."""

from django import forms
from django.forms.formsets import BaseFormSet
from django.utils.html import format_html, format_html_join

ADD_ROW_SCRIPT = "core/formset_rows.js"


class FormsetWidget(forms.Widget):
    """Renders the formset (management form, one fieldset per row, a template row for "Add another") and reads
    it back bound to the POST."""

    def __init__(self, formset_class, attrs=None):
        super().__init__(attrs)
        self.formset_class = formset_class

    @property
    def media(self):
        return forms.Media(js=[ADD_ROW_SCRIPT])

    def value_from_datadict(self, data, files, name):
        return self.formset_class(data, files, prefix=name)

    def value_omitted_from_data(self, data, files, name):
        return f"{name}-TOTAL_FORMS" not in data

    def render(self, name, value, attrs=None, renderer=None):
        formset = value if isinstance(value, BaseFormSet) else self.formset_class(prefix=name)
        rows = format_html_join(
            "",
            '<fieldset class="module formset-row"><legend>{} {}</legend>{}</fieldset>',
            ((self.formset_class.row_label, i + 1, form.as_div()) for i, form in enumerate(formset.forms)),
        )
        empty = formset.empty_form
        template = format_html(
            '<template class="formset-empty"><fieldset class="module formset-row"><legend>{} __n__</legend>{}'
            "</fieldset></template>",
            self.formset_class.row_label,
            empty.as_div(),
        )
        return format_html(
            '<div class="formset-field" data-prefix="{}">{}{}<div class="formset-rows">{}</div>{}'
            '<p><button type="button" class="button formset-add">Add another {}</button></p></div>',
            name,
            formset.management_form,
            formset.non_form_errors() if formset.is_bound else "",
            rows,
            template,
            self.formset_class.row_label.lower(),
        )


class FormsetField(forms.Field):
    """A formset edited as one field; ``required`` means at least one row."""

    def __init__(self, formset_class, **kwargs):
        kwargs.setdefault("widget", FormsetWidget(formset_class))
        super().__init__(**kwargs)
        self.formset_class = formset_class

    def bound_data(self, data, initial):
        return data

    def has_changed(self, initial, data):
        return isinstance(data, BaseFormSet) and data.has_changed()

    def clean(self, value):
        if not isinstance(value, BaseFormSet):
            value = None
        elif not value.is_valid():
            raise forms.ValidationError("Correct the rows below.", code="invalid_rows")
        rows = [
            form.cleaned_data
            for form in (value.forms if value is not None else ())
            if form.has_changed() and form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        if self.required and not rows:
            raise forms.ValidationError(f"Add at least one {self.formset_class.row_label.lower()}.", code="required")
        return rows
