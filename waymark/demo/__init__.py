"""Eastbridge: a synthetic town for demonstrations, training and analysis tests.

Everything here is invented. The town, its wards and places, its agencies, children, persons of
concern and concerns are generated from a seed, so two builds with the same seed hold the same
records. Some patterns are planted on purpose so that analysis can be checked against a known
truth: see `waymark.demo.truths`.

- `town`: the fixed geography (wards with boundaries, places with addresses and postcodes).
- `agencies`: the partner agencies and the demo logins.
- `plan`: how many of each record a scale asks for, references, and the planted patterns.
- `people`, `concerns`: the records themselves, built in memory.
- `generator`: writes a town to the database, detects a built one, and removes it.
"""

DEMO_PASSWORD = "eastbridge-demo-2026"  # noqa: S105 (published on purpose: demo logins only)
