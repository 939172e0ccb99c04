"""Time profile: when in the week concerns happen, as an hour-of-day by day-of-week matrix."""

from typing import Any

import numpy as np
import numpy.typing as npt

HOURS = 24
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# 1970-01-01, day 0 of datetime64, was a Thursday (Monday = 0).
_EPOCH_WEEKDAY = 3


def time_profile(occurred_at: Any) -> npt.NDArray[np.int64]:
    """Counts of events by hour of day (rows 0-23) and day of week (columns, Monday = 0).

    Timestamps are datetime64 in local time, as recorded; missing ones (NaT) are not counted.
    """
    stamps = np.asarray(occurred_at)
    if stamps.size and not np.issubdtype(stamps.dtype, np.datetime64):
        raise ValueError("occurred_at must be datetime64 timestamps")
    stamps = stamps.astype("datetime64[s]").ravel()
    stamps = stamps[~np.isnat(stamps)]
    days = stamps.astype("datetime64[D]")
    hour = ((stamps - days).astype(np.int64) // 3600).astype(np.intp)
    weekday = ((days.astype(np.int64) + _EPOCH_WEEKDAY) % 7).astype(np.intp)
    counts = np.bincount(hour * 7 + weekday, minlength=HOURS * 7)
    return counts.reshape(HOURS, 7).astype(np.int64)
