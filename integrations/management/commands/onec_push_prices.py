"""`manage.py onec_push_prices`: play 1C pushing the demo clinic's price list to a site."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from integrations.simulators.onec.pricelist import price_list_files, push


class Command(BaseCommand):
    help = "Push the demo clinic's price list (CommerceML import.xml + offers.xml) as 1C does."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--url",
            default="http://127.0.0.1:8000/integrations/1c/exchange",
            help="the site's exchange endpoint",
        )
        parser.add_argument("--user", default=None, help="default: COMMERCEML_USER")
        parser.add_argument("--password", default=None, help="default: COMMERCEML_PASSWORD")
        parser.add_argument("--chunk-size", type=int, help="bytes per part (below file_limit)")
        parser.add_argument("--seed", type=int, default=2026, help="the demo clinic's seed")
        parser.add_argument(
            "--markup", type=Decimal, default=Decimal(0), help="percent added to every price"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        factor = 1 + options["markup"] / 100
        files = price_list_files(seed=options["seed"])
        if factor != 1:
            from integrations.mis.demo import DemoMis

            files = price_list_files(
                seed=options["seed"],
                prices={
                    s.code: (s.price * factor).quantize(Decimal("1"))
                    for s in DemoMis(seed=options["seed"]).services()
                },
            )
        result = push(
            options["url"],
            user=options["user"] if options["user"] is not None else settings.COMMERCEML_USER,
            password=(
                options["password"]
                if options["password"] is not None
                else settings.COMMERCEML_PASSWORD
            ),
            files=files,
            chunk_size=options["chunk_size"],
        )
        for request, answer in result.answers:
            self.stdout.write(f"{request}: {answer.replace(chr(10), ' | ')}")
        if not result.ok:
            raise CommandError(f"the exchange failed: {result.last}")
        self.stdout.write(f"pushed in {result.chunks} parts")
