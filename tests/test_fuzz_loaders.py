"""The loaders under a fixed-seed set of fuzz cases (tests/fuzz_loaders.py; `make fuzz` runs 1,000+), and
checks that the checker itself flags bad behaviour: an IndexError is unclear, a message without the file
name is unclear, a load that changed weights before failing is partial, a segfault is a crash, a sleeping
case is a hang, a marker file is code execution."""
import os
import sys

import numpy as np
import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fuzz_loaders as F  # noqa: E402

CASES = 200  # 25 per loader; about 60 s on one core


@pytest.fixture(scope='module')
def seed_dir(tmp_path_factory):
    return str(tmp_path_factory.mktemp('fuzz-seeds'))


@pytest.fixture(scope='module')
def fuzz_run(seed_dir):
    cases, results = F.run_cases(count=CASES, seed=2024, workers=1, timeout=60, directory=seed_dir)
    return cases, results, F.summarize(results)


def test_every_fixed_seed_case_follows_the_rule(fuzz_run):
    _, results, table = fuzz_run
    bad = ['case %(id)d %(driver)s %(seed)s %(mutation)s: %(outcome)s: %(detail)s' % r for r in results
           if r['outcome'] in F.BAD_OUTCOMES]
    assert not bad, '\n'.join(bad)
    assert table['total']['cases'] == CASES
    for driver in F.DRIVERS:  # every loader was driven, and each both loaded and refused something
        assert table[driver]['cases'] == CASES // len(F.DRIVERS)
        assert table[driver]['clear_error'] > 0 and table[driver]['loaded'] > 0, (driver, table[driver])


def test_every_flipped_byte_in_a_checksummed_weight_is_detected(fuzz_run):
    _, _, table = fuzz_run
    assert table['total']['flips'] >= 10
    assert table['total']['detected'] == table['total']['flips']


def test_the_table_prints_every_loader_and_the_flip_figure(fuzz_run):
    _, _, table = fuzz_run
    text = F.format_table(table)
    assert all(driver in text for driver in F.DRIVERS)
    assert 'flipped checksummed weight bytes detected: %d / %d' % (table['total']['detected'],
                                                                   table['total']['flips']) in text
    assert F.bad_count(table) == 0


def _stub_raising(error):
    def call():
        raise error
    return call


def test_the_checker_counts_an_index_error_as_unclear():
    outcome, detail = F.check(_stub_raising(IndexError('list index out of range')), lambda r: None,
                              words={'dense_1'})
    assert outcome == 'unclear_error' and 'IndexError' in detail


def test_the_checker_wants_the_file_and_a_name_in_the_message():
    path, words = '/tmp/some/model.h5', {'dense_1', 'kernel:0'}
    assert F.check(_stub_raising(ValueError('bad shape')), lambda r: None, path=path, words=words)[0] == \
        'unclear_error'
    assert F.check(_stub_raising(ValueError('dense_1 has a bad shape')), lambda r: None, path=path,
                   words=words)[0] == 'unclear_error'  # no file name
    assert F.check(_stub_raising(ValueError('dense_1 has a bad shape (in %s)' % path)), lambda r: None,
                   path=path, words=words)[0] == 'clear_error'
    assert F.check(_stub_raising(RuntimeError('dense_1 in %s' % path)), lambda r: None, path=path,
                   words=words)[0] == 'unclear_error'  # wrong family


def test_the_checker_counts_partial_loads_wrong_loads_and_code_execution(tmp_path):
    weights = [np.zeros(3)]

    def half_load():
        weights[0] = np.ones(3)
        raise ValueError('dense_1 failed')

    outcome, _ = F.check(half_load, lambda r: None, words={'dense_1'}, snapshot=(lambda: weights, [np.zeros(3)]))
    assert outcome == 'partial_load'
    assert F.check(lambda: 1, lambda r: 'weights differ')[0] == 'wrong_load'
    marker = str(tmp_path / 'MARKER')

    def runs_code():
        open(marker, 'w').close()
        raise ValueError('dense_1 refused')

    assert F.check(runs_code, lambda r: None, words={'dense_1'}, marker=marker)[0] == 'code_execution'


def test_a_segfault_is_a_crash_and_a_sleep_is_a_hang(seed_dir):
    cases = [{'id': 0, 'driver': '_crash'}, {'id': 1, 'driver': '_hang'}]
    _, results = F.run_cases(cases=cases, workers=1, timeout=3, directory=seed_dir)
    assert [r['outcome'] for r in results] == ['crash', 'hang']
    assert F.bad_count(F.summarize(results)) == 2
