"""Run the CLI in-process through the same boundary as the console script."""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Optional

from click.testing import CliRunner

from inspect_cli.cli.main import main


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


def invoke(args: list[str], input: Optional[str] = None, env: Optional[dict] = None) -> Result:
    """Like the installed ``inspect`` command: exit codes from the error boundary in main()."""
    runner = CliRunner()
    codes: list[int] = []

    # CliRunner calls a command's main(); route it through our boundary instead.
    class Boundary:
        name = "inspect"

        def main(self, args=None, **kw):
            codes.append(main(list(args or [])))
            raise SystemExit(codes[-1])

    r = runner.invoke(Boundary(), args, input=input, env=env, catch_exceptions=False)  # type: ignore[arg-type]
    return Result(codes[-1] if codes else r.exit_code, r.stdout, r.stderr)
