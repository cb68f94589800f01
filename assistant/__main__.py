"""`python -m assistant` runs the `hrc-assistant` command."""

from assistant.cli import main

main()
