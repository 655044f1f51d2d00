from django.contrib.auth.backends import ModelBackend

from .models import User


class StaffNoOrUsernameBackend(ModelBackend):
    """Session loading for accounts; passwords are checked by services.attempt_login (lockout, audit)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        from .services import AccountError, attempt_login

        try:
            return attempt_login(identifier=username or "", password=password or "")
        except AccountError:
            return None

    def get_user(self, user_id):
        try:
            user = User.objects.select_related("person").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
