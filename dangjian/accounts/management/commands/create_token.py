"""`dangjian create_token USERNAME [--name NAME]`: a personal API token; prints only the key (DESIGN §11)."""

from django.core.management.base import BaseCommand, CommandError

from dangjian.accounts.models import User
from dangjian.accounts.services import create_token


class Command(BaseCommand):
    help = "为账号创建 API 令牌，只在标准输出打印令牌本身（仅显示这一次）。"

    def add_arguments(self, parser):
        parser.add_argument("username", help="账号的用户名")
        parser.add_argument("--name", default="", help="令牌名称，便于以后识别")

    def handle(self, *args, **options):
        username = options["username"].strip()
        user = User.objects.filter(username__iexact=username).first()
        if user is None:
            raise CommandError(f"没有用户名为“{username}”的账号。")
        if not user.is_active:
            raise CommandError(f"账号“{user.username}”已停用，不能创建令牌。")
        _token, key = create_token(user=user, name=options["name"])
        # Only the key on stdout, so that `KEY=$(dangjian create_token alice)` works.
        self.stdout.write(key)
