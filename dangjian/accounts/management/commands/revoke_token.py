"""`dangjian revoke_token PREFIX_OR_ID`: revoke an API token by its prefix (`dj_xxxxxxx`) or its number."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from dangjian.accounts.models import ApiToken
from dangjian.accounts.services import revoke_token


class Command(BaseCommand):
    help = "按前缀或编号吊销 API 令牌。"

    def add_arguments(self, parser):
        parser.add_argument("token", help="令牌前缀（如 dj_AbC1234）或编号")

    def handle(self, *args, **options):
        ref = options["token"].strip()
        tokens = ApiToken.objects.select_related("user")
        matches = list(tokens.filter(pk=int(ref)) if ref.isdigit() else tokens.filter(prefix=ref)[:2])
        if not matches:
            raise CommandError(f"没有找到令牌“{ref}”。")
        if len(matches) > 1:
            raise CommandError(f"前缀“{ref}”对应多个令牌，请改用编号。")
        token = matches[0]
        if token.revoked_at is not None:
            self.stdout.write(f"令牌 {token.prefix}（{token.user.username}）已于 {timezone.localtime(token.revoked_at):%Y-%m-%d %H:%M} 吊销。")
            return
        revoke_token(token=token, actor=None)  # the server's command line acts as "system"
        self.stdout.write(f"已吊销令牌 {token.prefix}（{token.user.username}）。")
