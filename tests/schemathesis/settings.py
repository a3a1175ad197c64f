"""The settings of the server Schemathesis calls: the project's own, with the test suite's fast password hasher.

Schemathesis posts made-up credentials to /api/auth/token/ a few hundred times per role, and each costs the
default hasher's million PBKDF2 rounds (a third of a second of CPU, also for an unknown user): what the run
checks is the answer, not the hashing, and CI runs it beside other rounds on two cores.
"""

from config.settings import *  # noqa: F403 - every setting of the project, unchanged but the one below

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
