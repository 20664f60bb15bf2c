"""Settings of a worker whose activation steps are slow (4 s inside the step's transaction), so that a test can
kill it in the middle of one. The production code reads the hook as a setting, never from the environment."""

from config.settings import *  # noqa: F403

INVENTORY_STEP_DELAY_SECONDS = 4
