"""Campaigns (专项整治): a YAML file names the target sites, the checklist and the targets.

- :mod:`.model` reads and checks a campaign file (untrusted input, through
  :func:`inspect_cli.inputs.load_yaml`) and records the campaign (``inspect campaign start``);
- :mod:`.report` measures coverage, findings and closure and checks the targets with the
  gates of :mod:`inspect_cli.analysis.gates` (``inspect campaign status/report``).

Inspections made with ``inspect run --campaign ID`` carry ``campaign: ID`` and kind ``special``.
See docs/planning.md.
"""
