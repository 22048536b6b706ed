"""Recount the report rollups from the dossiers' events and compare them with what is stored."""
from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from motcua.reports import rollups
from motcua.reports.models import DailyCounter, OpenLedger


class Command(BaseCommand):
    help = "Recount DailyCounter and OpenLedger from the dossiers; exit 1 when they disagree."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--rebuild", action="store_true", help="replace the rollups with the recount")

    def handle(self, *args: object, **options: object) -> None:
        expected = rollups.recount()
        if options["rebuild"]:
            with transaction.atomic():
                DailyCounter.objects.all().delete()
                OpenLedger.objects.all().delete()
                expected.write()
            self.stdout.write(f"rebuilt: {len(expected.counters)} counter rows, {len(expected.ledger)} ledger rows")
            return
        want_counters, want_ledger = rollups.normalised(expected)
        have_counters, have_ledger = rollups.normalised(rollups.stored())
        bad = [k for k in want_counters.keys() | have_counters.keys() if want_counters.get(k) != have_counters.get(k)]
        bad_ledger = [k for k in want_ledger.keys() | have_ledger.keys() if want_ledger.get(k) != have_ledger.get(k)]
        if bad or bad_ledger:
            for key in sorted(bad, key=str)[:10]:
                self.stderr.write(f"counter {key}: expected {want_counters.get(key)}, stored {have_counters.get(key)}")
            for key in sorted(bad_ledger, key=str)[:10]:
                self.stderr.write(f"ledger {key}: expected {want_ledger.get(key)}, stored {have_ledger.get(key)}")
            raise CommandError(
                f"verify_counters: {len(bad)} counter rows and {len(bad_ledger)} ledger rows disagree "
                "(run with --rebuild to recount)"
            )
        self.stdout.write(f"counters agree: {len(have_counters)} counter rows, {len(have_ledger)} ledger rows")
