"""Tests for kernelkit.utils.progbar.Progbar: the exact Keras 2.2 text, and its cheap no-redraw path."""
import io
import random

import pytest

from kernelkit.utils import progbar as progbar_module
from kernelkit.utils.progbar import Progbar


class FakeClock(object):
    """Stands in for the `time` module; `now` is set by the test."""

    def __init__(self):
        self.now = 0.0

    def time(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    fake = FakeClock()
    monkeypatch.setattr(progbar_module, 'time', fake)
    return fake


def make_bar(target, dynamic=False, **kwargs):
    bar = Progbar(target, **kwargs)
    bar._dynamic_display = dynamic
    return bar


def test_verbose_1_exact_text_without_dynamic_display(clock, capsys):
    bar = make_bar(100)
    clock.now = 1.0
    bar.update(32, [('loss', 0.5)])
    clock.now = 1.02  # within `interval`: nothing drawn, but the value is still accumulated
    bar.update(64, [('loss', 0.25)])
    clock.now = 2.0
    bar.update(100, [('loss', 1.0)])
    assert capsys.readouterr().out == (
        '\n 32/100 [========>.....................] - ETA: 2s - loss: 0.5000'
        '\n100/100 [==============================] - 2s 20ms/step - loss: 0.6000\n')


def test_verbose_1_dynamic_display_redraws_and_pads_shorter_lines(clock, capsys):
    bar = make_bar(10, dynamic=True, stateful_metrics=['m'])
    clock.now = 1.0
    bar.update(1, [('m', 1e-5)])
    clock.now = 2.0
    bar.update(2, [('m', 0.5)])
    first = ' 1/10 [==>...........................] - ETA: 9s - m: 1.0000e-05'
    second = ' 2/10 [=====>........................] - ETA: 8s - m: 0.5000'
    assert capsys.readouterr().out == '\r' + first + '\r' + second + ' ' * (len(first) - len(second))


def test_time_formats(clock, capsys):
    bar = make_bar(10)
    clock.now = 4000.0
    bar.update(1)
    bar2 = make_bar(3)
    clock.now = 4000.0 + 61 * 2
    bar2.update(1)
    bar3 = make_bar(2)
    clock.now = 4122.0 + 5
    bar3.update(2)
    bar4 = make_bar(1000)
    clock.now = 4127.0 + 0.05
    bar4.update(1000)
    out = capsys.readouterr().out.split('\n')
    assert out[1].endswith('- ETA: 10:00:00')          # 9 steps x 4000 s
    assert out[2].endswith('- ETA: 4:04')              # 2 steps x 122 s
    assert out[3] == '2/2 [==============================] - 5s 2s/step'  # '%.0f' rounds 2.5 to even
    assert out[5] == '1000/1000 [==============================] - 0s 50us/step'


def test_values_are_averaged_per_sample_unless_stateful(clock, capsys):
    bar = make_bar(10, stateful_metrics={'lr'})
    clock.now = 1.0
    bar.update(2, [('loss', 1.0), ('lr', 0.1)])
    clock.now = 1.5
    bar.update(10, [('loss', 2.0), ('lr', 0.01)])
    last = capsys.readouterr().out.split('\n')[2]
    # loss: (1.0 * 2 + 2.0 * 8) / 10 = 1.8; lr is shown as last given.
    assert last.endswith(' - loss: 1.8000 - lr: 0.0100')


def test_add_moves_forward_by_n(clock, capsys):
    bar = make_bar(4, verbose=2)
    clock.now = 3.0
    bar.add(2, [('loss', 2.0)])
    bar.add(2, [('loss', 4.0)])
    assert capsys.readouterr().out == ' - 3s - loss: 3.0000\n'


def test_verbose_2_prints_one_line_at_the_end_and_compares_the_signed_value(clock, capsys):
    bar = make_bar(100, verbose=2)
    clock.now = 0.4
    bar.update(50, [('loss', -0.5), ('acc', 0.5), ('tiny', 1e-4)])
    assert capsys.readouterr().out == ''
    bar.update(100, [('loss', -0.5), ('acc', 1.0), ('tiny', 1e-4)])
    assert capsys.readouterr().out == ' - 0s - loss: -5.0000e-01 - acc: 0.7500 - tiny: 1.0000e-04\n'


def test_verbose_0_prints_nothing(clock, capsys):
    bar = make_bar(3, verbose=0)
    bar.update(3, [('loss', 1.0)])
    assert capsys.readouterr().out == ''


def test_unknown_target(clock, capsys):
    bar = make_bar(None)
    clock.now = 2.0
    bar.update(4, [('loss', 1.0)])
    assert capsys.readouterr().out == '\n      4/Unknown - 2s 500ms/step - loss: 1.0000'


def test_dynamic_display_follows_jupyter_kernel(monkeypatch):
    monkeypatch.setattr(progbar_module.sys, 'stdout', io.StringIO())  # not a tty, even under `pytest -s`
    monkeypatch.setitem(progbar_module.sys.modules, 'ipykernel', object())
    assert Progbar(5)._dynamic_display is True
    monkeypatch.delitem(progbar_module.sys.modules, 'ipykernel')
    assert Progbar(5)._dynamic_display is False


@pytest.mark.parametrize('kwargs, name', [
    ({'target': -1}, 'target'), ({'target': 'ten'}, 'target'), ({'target': 5, 'width': 0}, 'width'),
    ({'target': 5, 'verbose': 3}, 'verbose'), ({'target': 5, 'interval': -1}, 'interval'),
])
def test_bad_arguments_name_the_argument(kwargs, name):
    with pytest.raises(ValueError, match='`%s`' % name):
        Progbar(**kwargs)
    with pytest.raises(TypeError, match='stateful_metrics'):
        Progbar(5, stateful_metrics='lr')


def test_matches_tf_keras_progbar_text_for_verbose_1(monkeypatch, capsys):
    """tf_keras kept Keras 2.2's bar, ETA and per-step text for verbose 1; compare them byte for byte."""
    from tf_keras.src.utils import generic_utils as oracle_module

    fake = FakeClock()
    monkeypatch.setattr(progbar_module, 'time', fake)
    monkeypatch.setattr(oracle_module, 'time', fake)
    rng = random.Random(0)
    for target in (7, 100, 1000):
        ours, theirs = make_bar(target), oracle_module.Progbar(target)
        theirs._dynamic_display = False
        fake.now, current, texts = 0.0, 0, []
        while current < target:
            current = min(target, current + rng.randint(2, max(2, target // 5)))
            fake.now += rng.choice([0.01, 0.3, 7.0, 70.0])
            values = [('loss', rng.uniform(-1, 1)), ('acc', rng.uniform(0, 0.002))]
            for bar in (ours, theirs):
                bar.update(current, values)
                texts.append(capsys.readouterr().out)
        assert texts[0::2] == texts[1::2]
        assert texts[-1].endswith('\n')


def test_a_suppressed_update_is_cheap(clock, capsys):
    bar = make_bar(10 ** 9)
    bar.update(1, [('loss', 1.0)])
    capsys.readouterr()
    import timeit
    per_call = timeit.timeit(lambda: bar.update(2, [('loss', 1.0), ('acc', 0.5)]), number=20000) / 20000
    assert capsys.readouterr().out == ''
    assert per_call < 20e-6
