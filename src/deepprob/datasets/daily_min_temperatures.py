"""Daily minimum temperatures in Melbourne, 1981-1990 (3,650 days), the courses' CSV.

``load_data()`` reads ``daily-min-temperatures.csv`` from ``$DEEPPROB_DATA/daily_min_temperatures/``
or ``~/.deepprob/datasets/daily_min_temperatures/``, else the complete copy bundled with deepprob
(Australian Bureau of Meteorology via the Time Series Data Library; origin in
``_bundled/SOURCES.md``).
"""

from __future__ import annotations

import numpy as np

from deepprob.timeseries._files import find_csv, read_columns

FILENAME = "daily-min-temperatures.csv"
SPLIT_TIME = 2500


def load_data(path=None, return_dates: bool = False):
    """``(time, series)`` as the course's ``parse_data_from_file``: ``time`` the day index
    (int64, 0..3649), ``series`` the temperature in degrees Celsius (float64). The course splits
    at ``SPLIT_TIME = 2500``.

    Args:
        path: an explicit CSV path (``"Date","Temp"`` layout); default: search as above.
        return_dates: also return the dates (``datetime64[D]``) as a third array.

    Example:
        >>> time, series = load_data()
        >>> len(series), float(series[0])
        (3650, 20.7)
    """
    file = find_csv("daily_min_temperatures", FILENAME, "daily_min_temperatures.csv.gz", path)
    dates, values = read_columns(file, value_column=1, date_column=0)
    time = np.arange(len(values), dtype=np.int64)
    if return_dates:
        return time, values, dates.astype("datetime64[D]")
    return time, values
