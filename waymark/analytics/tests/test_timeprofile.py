import datetime

import numpy as np

from waymark.analytics.timeprofile import time_profile


def test_counts_each_event_in_its_hour_and_weekday():
    moments = [
        datetime.datetime(2026, 11, 23, 0, 0, tzinfo=datetime.UTC),  # Monday, midnight
        datetime.datetime(2026, 11, 23, 0, 59, 59, tzinfo=datetime.UTC),  # Monday, still hour 0
        datetime.datetime(2026, 11, 26, 15, 30, tzinfo=datetime.UTC),  # Thursday
        datetime.datetime(2026, 11, 29, 23, 59, 59, tzinfo=datetime.UTC),  # Sunday, last second
        datetime.datetime(1969, 12, 31, 12, 0, tzinfo=datetime.UTC),  # Wednesday, before the epoch
    ]
    stamps = np.array([m.replace(tzinfo=None) for m in moments], dtype="datetime64[s]")
    stamps = np.append(stamps, np.datetime64("NaT", "s"))  # missing: not counted

    profile = time_profile(stamps)

    expected = np.zeros((24, 7), dtype=np.int64)
    for moment in moments:
        expected[moment.hour, moment.weekday()] += 1
    assert profile.shape == (24, 7)
    assert profile.dtype == np.int64
    np.testing.assert_array_equal(profile, expected)
    assert profile[0, 0] == 2
    assert profile.sum() == len(moments)


def test_matches_python_datetime_on_random_times():
    rng = np.random.default_rng(7)
    seconds = rng.integers(-(10**9), 2 * 10**9, size=2000)
    stamps = seconds.astype("datetime64[s]")
    expected = np.zeros((24, 7), dtype=np.int64)
    epoch = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
    for s in seconds:
        moment = epoch + datetime.timedelta(seconds=int(s))
        expected[moment.hour, moment.weekday()] += 1
    np.testing.assert_array_equal(time_profile(stamps), expected)


def test_empty_input_gives_zeros():
    profile = time_profile(np.array([], dtype="datetime64[s]"))
    np.testing.assert_array_equal(profile, np.zeros((24, 7), dtype=np.int64))
