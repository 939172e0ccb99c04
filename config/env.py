"""Environment access for settings. Every setting that varies by deployment comes from here."""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
# A local .env file is read when present; real deployments set the environment directly.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)
