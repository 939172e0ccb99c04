from waymark.records.tests.conftest import manager  # noqa: F401 (a fixture the records commands use)
