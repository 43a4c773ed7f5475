"""`python -m bot.cli`: the `kudos` command."""

import sys

from bot.cli import main

sys.exit(main())
