"""`python -m gui`: the same as the `aicost` command."""
import sys

from gui.cli import main

sys.exit(main())
