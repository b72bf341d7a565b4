"""The `marksix` command line: a thin layer over the library.

Subcommands live in their own modules and are imported only when run, so
`marksix pick` never pays for the web, database or LLM stacks.
"""

from __future__ import annotations

import sys
from importlib import import_module
from typing import Any

import click

from marksix import __version__
from marksix.errors import MarksixError

#: command name -> (module, attribute, one-line help shown in `marksix --help`)
COMMANDS: dict[str, tuple[str, str, str]] = {
    "draws": ("marksix.cli.draws", "draws", "Show, import and update the official draw history."),
    "odds": ("marksix.cli.rules", "odds", "Exact odds of every prize tier."),
    "check": ("marksix.cli.rules", "check", "Check a ticket against a draw and price it."),
    "stats": ("marksix.cli.stats", "stats", "Frequencies, gaps and patterns, with an honest verdict."),
    "backtest": ("marksix.cli.stats", "backtest", "Walk-forward test of every pick strategy against chance."),
    "pick": ("marksix.cli.picks", "pick", "Draw combinations for the next draw."),
    "popularity": ("marksix.cli.popularity", "popularity", "Fit and report the player-popularity model."),
    "ev": ("marksix.cli.popularity", "ev", "Expected return of a combination in the next draw."),
    "reply": ("marksix.cli.reply", "reply", "Write the bot's reply to one comment."),
    "serve": ("marksix.cli.serve", "serve", "Run the webhook service, worker and sandbox."),
    "worker": ("marksix.worker.__main__", "main", "Run reply workers in their own process."),
    "scheduler": ("marksix.cli.scheduler", "scheduler", "Run the periodic jobs (exactly one per service)."),
    "post": ("marksix.cli.post", "post", "Render and publish the draw-day post card."),
    "accounts": ("marksix.cli.accounts", "accounts", "The connected Instagram accounts and their webhooks."),
    "doctor": ("marksix.cli.doctor", "doctor", "Check what going live needs; each check ok or a fix."),
    "record": ("marksix.cli.record", "record", "The public record of the lines handed out, per draw."),
    "article": ("marksix.cli.article", "article", "Write a Hong Kong Chinese post from a story, checked."),
    "demo": ("marksix.cli.demo", "demo", "A short tour: next draw's picks and a statistics summary."),
}


class LazyGroup(click.Group):
    """A group whose subcommands are imported when they are used."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [name for name in COMMANDS if self._available(name)]

    @staticmethod
    def _available(name: str) -> bool:
        from importlib.util import find_spec

        return find_spec(COMMANDS[name][0]) is not None

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = COMMANDS.get(cmd_name)
        if entry is None or not self._available(cmd_name):
            return None
        command = getattr(import_module(entry[0]), entry[1])
        if not isinstance(command, click.Command):
            raise TypeError(f"{entry[0]}.{entry[1]} is not a click command")
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # Short help comes from the table, so `--help` imports no subcommand.
        rows = [(name, COMMANDS[name][2]) for name in self.list_commands(ctx)]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="marksix")
def cli() -> None:
    """Honest Mark Six (六合彩) tools over every official draw since 2002.

    Draws are random: no statistic or strategy here raises the chance of
    winning. 18+ only. Help with gambling problems: 1834 633.

    \b
    Examples:
      marksix draws latest
      marksix check 2 13 33 35 38 49 --draw 12/110
      marksix pick --strategy balanced --lines 3
      marksix stats --last 100
    """


def main(argv: list[str] | None = None) -> Any:
    try:
        return cli.main(args=argv, prog_name="marksix", standalone_mode=False)
    except click.exceptions.Exit as stop:
        sys.exit(stop.exit_code)
    except click.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(1)
    except click.ClickException as problem:
        problem.show()
        sys.exit(problem.exit_code)
    except MarksixError as problem:
        click.echo(f"Error: {problem}", err=True)
        sys.exit(1)
