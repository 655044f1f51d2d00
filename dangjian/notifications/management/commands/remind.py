from datetime import date

from django.core.management.base import BaseCommand, CommandError

from dangjian.core.scoping import today

from ...jobs import run_reminders


class Command(BaseCommand):
    help = "发送今天到期的提醒（会议、谈心谈话、发展党员）；重复运行不会重复发送。"

    def add_arguments(self, parser):
        parser.add_argument("--date", help="按指定日期计算（YYYY-MM-DD），默认今天")

    def handle(self, *args, **options):
        try:
            day = date.fromisoformat(options["date"]) if options["date"] else today()
        except ValueError:
            raise CommandError("日期格式应为 YYYY-MM-DD", returncode=2)
        result = run_reminders(day)
        self.stdout.write(
            f"{day}：新发送 {result['sent']} 条，已发送过 {result['already_sent']} 条，"
            f"无账号 {result['no_account']} 条"
        )
