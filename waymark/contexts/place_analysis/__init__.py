"""The analysis of places: where children may be at risk, and when.

The topic modules turn concerns into arrays for `waymark.analytics` and shape what comes back for
the Places pages and the API: `hotspots` (Gi* and emerging hot spots), `cells` (one H3 area),
`time_profiles`, `near_repeats` (the Knox test) and `shared_contexts`. They read through
`points`, which filters the concerns once and caches every result by data version.

Counts are aggregates over every concern with a place and handling code P, whoever recorded it,
as `place_counts` is: they say nothing about who, and a handling-code C concern never moves a
count that agencies outside its audience see. Who (the children behind a shared context, the concerns in a cell)
goes through the need-to-know selectors of the people and concerns apps, in `selectors`, so a
user sees only what they could see on the records themselves.
"""
