"""LiveCurves in the classroom: legends outside the plots, earlier runs of the same cell or model overlaid
faintly (with a toggle, bounded), and optional smoothing of the per-batch curves."""
import numpy as np
import pytest

import kernelkit as keras
from kernelkit import layers
from kernelkit.widgets import _env, _runs, live
from kernelkit.widgets._curvedata import smooth
from kernelkit.widgets.live import LiveCurves


@pytest.fixture(autouse=True)
def fresh_runs(monkeypatch):
    _runs.forget_all()
    monkeypatch.setattr(live, '_display', lambda obj: 'handle')
    monkeypatch.setattr(live, '_update_display', lambda handle, bundle: None)
    yield
    _runs.forget_all()


def model_and_data():
    model = keras.Sequential([layers.Dense(4, activation='relu', input_shape=(3,)), layers.Dense(1)])
    model.compile(optimizer='sgd', loss='mse')
    x = np.random.RandomState(0).rand(48, 3).astype('float32')
    return model, x, x.sum(axis=1, keepdims=True)


def fit(model, x, y, epochs=2, **kwargs):
    curves = LiveCurves(mode='widget', update_interval=0, **kwargs)
    history = model.fit(x, y, batch_size=8, epochs=epochs, validation_split=0.25, verbose=0, callbacks=[curves])
    return curves, history


def test_legends_sit_below_the_plotting_area():
    model, x, y = model_and_data()
    curves, _ = fit(model, x, y)
    for figure in curves.view.linear_figures + curves.view.log_figures:
        legends = [item for item in figure.below if type(item).__name__ == 'Legend']
        assert len(legends) == 1 and legends[0].orientation == 'horizontal'
        assert not [item for item in figure.center if type(item).__name__ == 'Legend']


def test_a_second_fit_on_the_same_model_overlays_the_first_faintly():
    model, x, y = model_and_data()
    first, first_history = fit(model, x, y, epochs=2)
    assert first.earlier_runs == [] and first.view.earlier_toggle.layout.display == 'none'
    second, _ = fit(model, x, y, epochs=3)
    assert [run.label for run in second.earlier_runs] == ['run 1']
    earlier = second.earlier_runs[0].curves['loss']
    assert earlier['epoch']['y'] == pytest.approx(first_history.history['loss'])
    assert earlier['val']['y'] == pytest.approx(first_history.history['val_loss'])
    renderers = second.view.earlier_renderers
    assert len(renderers) == 2 * 2  # train and validation lines, in the linear and the log panel
    assert all(r.glyph.line_alpha == 0.35 for r in renderers)
    assert second.view.earlier_toggle.description == 'earlier runs (1)'
    second.view.earlier_toggle.value = False
    assert not any(r.visible for r in renderers)
    second.view.earlier_toggle.value = True
    assert all(r.visible for r in renderers)
    labels = [item.label['value'] for item in second.view.linear_figures[0].legend[0].items]
    assert 'run 1' in labels and 'validation' in labels


def test_runs_of_the_same_cell_are_compared_and_other_models_are_not(monkeypatch):
    cell = ['cell-a']
    monkeypatch.setattr(_env, 'current_cell_id', lambda: cell[0])
    model, x, y = model_and_data()
    fit(model, x, y)
    other_model, _, _ = model_and_data()
    rerun, _ = fit(other_model, x, y)  # a re-run of the same cell builds a new model
    assert [run.label for run in rerun.earlier_runs] == ['run 1']
    cell[0] = 'cell-b'
    third_model, _, _ = model_and_data()
    elsewhere, _ = fit(third_model, x, y)
    assert elsewhere.earlier_runs == []
    off, _ = fit(model, x, y, compare_runs=False)
    assert off.earlier_runs == []


def test_at_most_five_earlier_runs_are_drawn_and_twenty_kept():
    model, x, y = model_and_data()
    for _ in range(_runs.MAX_RUNS + 2):
        curves, _ = fit(model, x, y, epochs=1)
    assert len(_runs._runs) == _runs.MAX_RUNS
    assert len(curves.earlier_runs) == _runs.MAX_SHOWN
    assert curves.view.earlier_toggle.description == 'earlier runs (5)'


def test_smooth_is_a_bias_corrected_moving_average():
    values = [1.0, 3.0, 2.0, 5.0]
    expected, average = [], 0.
    for i, value in enumerate(values):
        average = 0.5 * average + 0.5 * value
        expected.append(average / (1 - 0.5 ** (i + 1)))
    assert smooth(values, 0.5) == pytest.approx(expected)
    assert smooth(values, 0.) == values
    with pytest.raises(ValueError, match='smoothing factor'):
        smooth(values, 1.0)
    with pytest.raises(ValueError, match='smoothing factor'):
        LiveCurves(smoothing=-0.1)


def test_the_smooth_toggle_redraws_the_batch_curve_and_keeps_the_raw_points():
    model, x, y = model_and_data()
    curves, _ = fit(model, x, y, smoothing=0.6)
    raw = curves.store.data('loss', 'batch')
    source = curves.view.sources['loss']['batch']
    assert source.data['y'] == pytest.approx(raw['y'])
    curves.view.smooth_toggle.value = True
    assert source.data['y'] == pytest.approx(smooth(raw['y'], 0.6))
    assert source.data['x'] == pytest.approx(raw['x'])
    assert curves.store.data('loss', 'batch') == raw
    curves.view.smooth_toggle.value = False
    assert source.data['y'] == pytest.approx(raw['y'])
