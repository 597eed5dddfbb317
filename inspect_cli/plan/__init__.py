"""The bureau's year (issue 18): risk classes and the annual plan, look-backs and self-reporting.

- :mod:`.classes` reads the risk classes and their yearly frequencies from the settings;
- :mod:`.annual` makes the reproducible, recorded 年度监督检查计划 (``inspect plan year``);
- :mod:`.progress` compares a plan with the inspections done (``inspect plan progress``);
- :mod:`.lookback` draws closed hazards or certified sites to re-check (回头看) and links relapses;
- :mod:`.selfreport` finds the sites whose self-reports (自查自报) stayed at zero.

Campaigns (专项整治) are in :mod:`inspect_cli.campaign`. See docs/planning.md.
"""
