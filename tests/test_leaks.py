"""No resource leaks over consecutive `fit` calls with `Sequence` workers (issue 15, item 6).

The short version of `make leaks` (tests/leak_check.py): 20 fits with worker threads and 20 with worker
processes; the Python threads, the OS threads and the child processes come back to their counts before
the first fit, and the RSS grows by less than 50 MiB (a generous bound: RSS is noisy).
"""
import pytest

import leak_check

FITS = 20


@pytest.mark.parametrize('use_multiprocessing', [False, True], ids=['threads', 'processes'])
def test_consecutive_fits_keep_counts_flat(use_multiprocessing):
    result = leak_check.measure(FITS, use_multiprocessing)
    start, end = result['start'], result['end']
    # Compared with the start, not with 0 or exactly: other tests in the same pytest worker may have left a
    # thread or a child process (which may end meanwhile); a leak would add some.
    assert end['python_threads'] <= start['python_threads'], result
    assert end['processes'] <= start['processes'], result
    assert end['os_threads'] <= start['os_threads'], result
    assert end['rss'] - start['rss'] < 50 * 2 ** 20, result
    assert len(result['rss']) == FITS


def test_problems_names_what_grew():
    flat = {'python_threads': 1, 'os_threads': 9, 'processes': 0, 'rss': 100}
    grown = dict(flat, os_threads=11, processes=2)
    assert leak_check.problems({'start': flat, 'end': flat, 'slope_kib': 1.}, 64.) == []
    assert leak_check.problems({'start': flat, 'end': grown, 'slope_kib': 80.}, 64.) == [
        'os_threads grew from 9 to 11', 'processes grew from 0 to 2',
        'RSS grows by 80.0 KiB per fit (more than 64.0)']
    with pytest.raises(ValueError, match='fits'):
        leak_check.measure(1, False)
