"""Login, logout, password, personal API tokens, and the account pages of the 三员."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangjian.core.errors import DomainError
from dangjian.core.permissions import Action, has_system_action

from . import services
from .forms import LoginForm, PasswordChangeForm, TokenForm, UserCreateForm
from .models import ApiToken, User


def login_view(request):
    if request.user.is_authenticated:
        return redirect("home")
    form = LoginForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            user = services.attempt_login(
                identifier=form.cleaned_data["identifier"], password=form.cleaned_data["password"]
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
            status = 429 if exc.code == "locked" else 200
        else:
            login(request, user, backend="dangjian.accounts.backends.StaffNoOrUsernameBackend")
            target = request.GET.get("next", "")
            if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
                target = ""
            return redirect(target or "home")
    return render(request, "accounts/login.html", {"form": form}, status=status)


@require_POST
def logout_view(request):
    logout(request)
    messages.info(request, _("已退出登录。"))
    return redirect("accounts:login")


@login_required
def password_change(request):
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.change_password(
                user=request.user,
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password"],
            )
        except DomainError as exc:
            form.add_error("old_password" if exc.code == "bad_credentials" else "new_password", exc.message)
        else:
            update_session_auth_hash(request, request.user)
            messages.success(request, _("密码已修改。"))
            return redirect("home")
    return render(request, "accounts/password_change.html", {"form": form})


@login_required
def tokens(request):
    form = TokenForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        _token, new_key = services.create_token(user=request.user, name=form.cleaned_data["name"])
        form = TokenForm()
    rows = ApiToken.objects.filter(user=request.user)
    return render(request, "accounts/tokens.html", {"form": form, "tokens": rows, "new_key": new_key})


@login_required
@require_POST
def token_revoke(request, pk: int):
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    services.revoke_token(token=token, actor=request.user)
    messages.success(request, _("令牌已吊销。"))
    return redirect("accounts:tokens")


def _require_account_admin(user) -> None:
    if not (has_system_action(user, Action.ACCOUNTS_MANAGE) or has_system_action(user, Action.SECURITY_MANAGE)):
        raise DjangoPermissionDenied


@login_required
def users(request):
    """Accounts for the system administrator (create) and the security administrator (lockouts)."""
    _require_account_admin(request.user)
    can_create = has_system_action(request.user, Action.ACCOUNTS_MANAGE)
    form = UserCreateForm(request.POST or None) if can_create else None
    if request.method == "POST" and can_create and form.is_valid():
        data = form.cleaned_data
        try:
            services.create_account(
                actor=request.user,
                username=data["username"],
                password=data["password"],
                staff_no=data["staff_no"],
                system_role=data["system_role"] or "",
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("账号已创建。"))
            return redirect("accounts:users")
    q = request.GET.get("q", "").strip()
    qs = User.objects.order_by("username")
    if q:
        qs = qs.filter(username__icontains=q)
    page = Paginator(qs.only("id", "username", "system_role", "is_active", "last_login", "locked_until",
                             "failed_logins"), 50).get_page(request.GET.get("page"))
    return render(request, "accounts/users.html", {
        "page": page, "form": form, "q": q,
        "can_unlock": has_system_action(request.user, Action.SECURITY_MANAGE),
    })


@login_required
@require_POST
def user_unlock(request, pk: int):
    if not has_system_action(request.user, Action.SECURITY_MANAGE):
        raise DjangoPermissionDenied
    user = get_object_or_404(User, pk=pk)
    services.unlock_user(user=user, actor=request.user)
    messages.success(request, _("账号 %(u)s 已解锁。") % {"u": user.username})
    return redirect("accounts:users")
