"""Form styling shared by every app: Tabler classes and errors beside the field (DESIGN §9)."""

from django import forms


class StyledFormMixin:
    """Adds Tabler/Bootstrap classes to widgets, and `is-invalid` to fields with errors."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, (forms.CheckboxInput, forms.CheckboxSelectMultiple, forms.RadioSelect)):
                css = "form-check-input"
            elif isinstance(widget, (forms.Select, forms.SelectMultiple)):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()
            if isinstance(widget, forms.DateInput):
                widget.input_type = "date"
                widget.format = "%Y-%m-%d"

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                w = self.fields[name].widget
                w.attrs["class"] = w.attrs.get("class", "") + " is-invalid"
                w.attrs["aria-invalid"] = "true"


class StyledForm(StyledFormMixin, forms.Form):
    pass


class ServiceModelForm(StyledFormMixin, forms.ModelForm):
    """A ModelForm used for its fields and initial values only: it never touches the instance or the
    database, because the service validates (one rule, one place) and writes."""

    def _post_clean(self):
        pass


def add_domain_error(form, exc) -> None:
    """Show a service's coded error beside the field it names (params['field']) or above the form."""
    field = exc.params.get("field") if getattr(exc, "params", None) else None
    if field and field in form.fields:
        form.add_error(field, exc.message)
    else:
        form.add_error(None, exc.message)
