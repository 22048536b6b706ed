"""The settings of the test suite: the application's, with a secret key made for the run (the
application refuses to start without one when debugging is off, as in the tests)."""
import os
import secrets

os.environ.setdefault("MOTCUA_SECRET_KEY", "tests-" + secrets.token_urlsafe(40))

from motcua.settings import *  # noqa: E402, F403
