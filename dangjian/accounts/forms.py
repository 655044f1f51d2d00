from django import forms
from django.contrib.auth.password_validation import password_validators_help_texts
from django.utils.translation import gettext_lazy as _

from dangjian.core.forms import StyledForm
from dangjian.core.permissions import SystemRole


class LoginForm(StyledForm):
    identifier = forms.CharField(label=_("工号/学号或用户名"), max_length=150,
                                 widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}))
    password = forms.CharField(label=_("密码"), strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))


class PasswordChangeForm(StyledForm):
    old_password = forms.CharField(label=_("原密码"), strip=False, widget=forms.PasswordInput)
    new_password = forms.CharField(label=_("新密码"), strip=False, widget=forms.PasswordInput,
                                   help_text=lambda: " ".join(password_validators_help_texts()))
    new_password2 = forms.CharField(label=_("确认新密码"), strip=False, widget=forms.PasswordInput)

    def clean(self):
        data = super().clean()
        if data.get("new_password") and data.get("new_password") != data.get("new_password2"):
            self.add_error("new_password2", _("两次输入的新密码不一致。"))
        return data


class TokenForm(StyledForm):
    name = forms.CharField(label=_("用途"), max_length=60, required=False,
                           widget=forms.TextInput(attrs={"placeholder": _("例如：学校党员管理系统同步")}))


class UserCreateForm(StyledForm):
    username = forms.CharField(label=_("用户名"), max_length=150)
    staff_no = forms.CharField(label=_("关联人员的工号/学号"), max_length=30, required=False,
                               help_text=_("党务人员的账号须关联花名册中的人员；三员账号留空。"))
    system_role = forms.ChoiceField(label=_("系统角色"), choices=SystemRole.choices, required=False)
    password = forms.CharField(label=_("初始密码"), strip=False, widget=forms.PasswordInput)
