"""Monthly mean total sunspot number, 1749-01 to 2018-07 (3,235 months): the courses' Sunspots.csv.

``load_data()`` reads ``Sunspots.csv`` from ``$DEEPPROB_DATA/sunspots/`` or
``~/.deepprob/datasets/sunspots/``, else the complete copy bundled with deepprob (SILSO data,
Royal Observatory of Belgium; origin in ``_bundled/SOURCES.md``).
"""

from __future__ import annotations

import numpy as np

from deepprob.timeseries._files import find_csv, read_columns

FILENAME = "Sunspots.csv"
SPLIT_TIME = 3000


def load_data(path=None, return_dates: bool = False):
    """``(time, series)`` as the course builds them: ``time`` the row index (int64, 0..3234),
    ``series`` the monthly mean (float64). The course splits at ``SPLIT_TIME = 3000``.

    Args:
        path: an explicit CSV path (same layout: index, date, value); default: search as above.
        return_dates: also return the dates (``datetime64[D]``) as a third array.

    Example:
        >>> time, series = load_data()
        >>> len(series), float(series[0])
        (3235, 96.7)
    """
    file = find_csv("sunspots", FILENAME, "sunspots.csv.gz", path)
    dates, values = read_columns(file, value_column=2, date_column=1)
    time = np.arange(len(values), dtype=np.int64)
    if return_dates:
        return time, values, dates.astype("datetime64[D]")
    return time, values
