"""Entry point of the `dialogue` console script."""

from __future__ import annotations

import sys


def main() -> None:
    """Run the `dialogue` command line; `serve` first patches the standard library for gevent."""
    if "serve" in sys.argv[1:]:
        from gevent import monkey

        monkey.patch_all()
    from flask.cli import FlaskGroup

    from .app import create_app

    cli = FlaskGroup(create_app=lambda: create_app(), add_default_commands=False,
                     help="The dialogue platform's command line.")
    cli.main(prog_name="dialogue")


if __name__ == "__main__":
    main()
