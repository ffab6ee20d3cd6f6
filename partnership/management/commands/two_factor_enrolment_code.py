"""Issue a one-time two-factor enrolment code from the server, e.g. for the first superuser."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from partnership.services import two_factor_enrolment_code_issue


class Command(BaseCommand):
    help = "Utfärda en engångskod så att kontot kan koppla en autentiseringsapp."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"Det finns inget konto med användarnamnet {username}.")
        self.stdout.write(two_factor_enrolment_code_issue(user=user))
