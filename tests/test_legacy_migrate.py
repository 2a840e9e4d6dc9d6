"""The source migrator: `migrate_source`, notebooks, and the `kernelkit migrate` command.

The migrator and the run-time interfaces read the same table; `test_every_conversion_row_migrates_to_the_same_layer`
checks that for every row of the run-time conversion tests: the migrated source builds the same layer as the
Keras 1 call did at run time, without any migration warning.
"""
import json
import re
import warnings

import pytest

from kernelkit import layers
from kernelkit.legacy import KerasMigrationWarning, migrate_source, table
from kernelkit.cli import main
from kernelkit.legacy.migrate import migrate_notebook

from test_legacy_interfaces import ROWS, _config


def _namespace():
    return {name: getattr(layers, name) for name in dir(layers) if not name.startswith('_')}


@pytest.mark.parametrize('keras1', [r[0] for r in ROWS], ids=[r[0][:60] for r in ROWS])
def test_every_conversion_row_migrates_to_the_same_layer(keras1):
    new_code, notes = migrate_source(keras1)
    assert all(n.level != 'ERROR' for n in notes), notes
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        runtime = eval(keras1, _namespace())
        caught.clear()
        migrated = eval(new_code, _namespace())
    assert [w for w in caught if issubclass(w.category, KerasMigrationWarning)] == [], new_code
    assert type(migrated) is type(runtime) and _config(migrated) == _config(runtime), new_code
    assert migrate_source(new_code)[0] == new_code


SOURCES = [
    # (Keras 1 source, Keras 2 source)
    ('model.add(Convolution2D(32, 3, 3,  # filters and kernel\n'
     '                        border_mode="same", dim_ordering=\'th\'))  # keep me\n',
     'model.add(Conv2D(32, (3, 3),  # filters and kernel\n'
     '                 padding="same", data_format=\'channels_first\'))  # keep me\n'),
    ('from keras.layers import Dense, Convolution2D as C2D\nC2D(8, 3, 3)\n',
     'from keras.layers import Dense, Conv2D as C2D\nC2D(8, (3, 3))\n'),
    ('import keras\nx = keras.layers.Convolution1D(nb_filter=4, filter_length=3, input_dim=8)\n',
     'import keras\nx = keras.layers.Conv1D(filters=4, kernel_size=3, input_shape=(None, 8))\n'),
    ('from keras.layers import merge, Input\ns = merge([a, b], mode="sum", name="s")\n'
     'c = merge([a, b], mode="concat", concat_axis=1)\nd = merge(inputs=[a, b], mode="dot", dot_axes=1)\n',
     'from keras.layers import add, concatenate, dot, Input\ns = add([a, b], name="s")\n'
     'c = concatenate([a, b], axis=1)\nd = dot([a, b], axes=1)\n'),
    ('from keras.layers import Merge\nm = Merge(mode="max")\nn = Merge(mode="ave")\n',
     'from keras.layers import Average, Maximum\nm = Maximum()\nn = Average()\n'),
    ('from keras.layers.core import TimeDistributedDense\n'
     'layer = TimeDistributedDense(10, input_dim=5, input_length=7, init="zero", name="t")\n',
     'from keras.layers import Dense, TimeDistributed\n'
     'layer = TimeDistributed(Dense(10, kernel_initializer="zero"), name="t", input_shape=(7, 5))\n'),
    ('from keras.regularizers import l1l2, activity_l2\nd = Dense(2, W_regularizer=l1l2(0.1, 0.1), '
     'activity_regularizer=activity_l2(0.1))\n',
     'from keras.regularizers import l1_l2, l2\nd = Dense(2, kernel_regularizer=l1_l2(0.1, 0.1), '
     'activity_regularizer=l2(0.1))\n'),
    ('from keras import objectives\nfrom keras.objectives import mse\n',
     'from keras import losses as objectives\nfrom keras.losses import mse\n'),
    ('from keras.utils.np_utils import to_categorical\ny = to_categorical(labels, nb_classes=10)\n',
     'from keras.utils.np_utils import to_categorical\ny = to_categorical(labels, num_classes=10)\n'),
    ('import keras.backend as K\nif K.image_dim_ordering() != "tf":\n    pass\nK.set_image_dim_ordering("th")\n',
     'import keras.backend as K\nif K.image_data_format() != "channels_last":\n    pass\n'
     'K.set_image_data_format("channels_first")\n'),
    ('model.fit(x, y, nb_epoch=10, batch_size=32)\nmodel.fit_generator(gen, samples_per_epoch=100, nb_epoch=2, '
     'nb_worker=2, pickle_safe=True, max_q_size=4)\n',
     'model.fit(x, y, epochs=10, batch_size=32)\nmodel.fit_generator(gen, steps_per_epoch=100, epochs=2, '
     'workers=2, use_multiprocessing=True, max_queue_size=4)\n'),
    ('g = datagen.flow(x, y, batch_size=bs)\nmodel.fit_generator(g, samples_per_epoch=n)\n'
     'model.fit_generator(datagen.flow(x, y), samples_per_epoch=640)\n',
     'g = datagen.flow(x, y, batch_size=bs)\nmodel.fit_generator(g, steps_per_epoch=n // bs)\n'
     'model.fit_generator(datagen.flow(x, y), steps_per_epoch=20)\n'),
    ('m = Model(input=[a, b], output=out)\n', 'm = Model(inputs=[a, b], outputs=out)\n'),
    ('class Pow(Layer):\n    def get_output_shape_for(self, input_shape):\n        return input_shape\n'
     '    def f(self, s):\n        return self.get_output_shape_for(s)\n',
     'class Pow(Layer):\n    def compute_output_shape(self, input_shape):\n        return input_shape\n'
     '    def f(self, s):\n        return self.compute_output_shape(s)\n'),
    ('W = self.add_weight((n, m), "uniform", name="W")\n',
     'W = self.add_weight(shape=(n, m), initializer="uniform", name="W")\n'),
    ('BatchNormalization(mode=0, axis=1)\n', 'BatchNormalization(axis=1)\n'),
    ('Conv2D(32, (3, 3), padding="same")\nDense(10, activation="relu")\nmodel.fit(x, y, epochs=3)\n',
     'Conv2D(32, (3, 3), padding="same")\nDense(10, activation="relu")\nmodel.fit(x, y, epochs=3)\n'),
]


@pytest.mark.parametrize('keras1,keras2', SOURCES, ids=[s[0].split('\n')[0][:50] for s in SOURCES])
def test_source_conversions_keep_formatting_and_are_idempotent(keras1, keras2):
    new_code, notes = migrate_source(keras1)
    assert new_code == keras2
    again, notes_again = migrate_source(new_code)
    assert again == new_code
    assert [n for n in notes_again if n.level == 'INFO'] == []


REPORTED = [
    ('BatchNormalization(mode=2)\n', 'ERROR', table.BATCHNORM_MODE),
    ('BatchNormalization(0.001)\n', 'ERROR', table.BATCHNORM_POSITIONAL),
    ('Dense(10, output_dim=3, units=3)\n', 'ERROR', 'Stick to the latter!'),
    ('Conv2D(8, 3, 3, padding="same")\n', 'ERROR', 'For safety reasons, this is disallowed'),
    ('SReLU()\n', 'ERROR', table.REMOVED['SReLU']),
    ('Merge([left, right], mode="concat")\n', 'ERROR', 'functional API'),
    ('merge([a, b], mode=lambda x: x[0])\n', 'ERROR', 'Lambda('),
    ('Conv2D(8, 3, dim_ordering=ordering)\n', 'ERROR', 'the value must be converted by hand'),
    ('model.compile("sgd", "mse", metrics=["accuracy", "fmeasure"])\n', 'ERROR', table.REMOVED_METRICS['fmeasure']),
    ('Embedding(10, 4, dropout=0.5)\n', 'WARNING', table.EMBEDDING_DROPOUT),
    ('model.fit_generator(gen, samples_per_epoch=100)\n', 'WARNING', 'manual review'),
    ('model.evaluate_generator(gen, val_samples=100)\n', 'WARNING', 'manual review'),
    ('Conv2D(f, a, b)\n', 'WARNING', 'Keras 2 reads them as the Keras 1 kernel dimensions'),
    ('LSTM(8, forget_bias_init="zero")\n', 'WARNING', table.FORGET_BIAS_IGNORED),
]


@pytest.mark.parametrize('code,level,text', REPORTED, ids=[r[0].strip()[:50] for r in REPORTED])
def test_reports_what_needs_review_or_could_not_be_converted(code, level, text):
    new_code, notes = migrate_source(code)
    assert any(n.level == level and text in n.message for n in notes), notes
    note = [n for n in notes if n.level == level][0]
    assert (note.line, note.column) >= (1, 1)
    assert re.match(r'^f\.py:\d+:\d+: (INFO|WARNING|ERROR): ', note.format('f.py'))


def test_notebook_cells_share_imports_and_keep_magics():
    notebook = {'nbformat': 4, 'nbformat_minor': 5, 'metadata': {}, 'cells': [
        {'cell_type': 'code', 'metadata': {}, 'execution_count': None, 'outputs': [],
         'source': ['%matplotlib inline\n', 'from keras.layers import merge, Convolution2D\n']},
        {'cell_type': 'markdown', 'metadata': {}, 'source': ['Keras 1: `merge(mode="sum")`']},
        {'cell_type': 'code', 'metadata': {}, 'execution_count': None, 'outputs': [],
         'source': ['!ls\n', 'y = merge([a, b], mode="sum")  # add\n', 'c = Convolution2D(4, 3, 3)']},
        {'cell_type': 'code', 'metadata': {}, 'execution_count': None, 'outputs': [],
         'source': ['%%bash\n', 'echo merge(mode="sum")\n']}]}
    text = json.dumps(notebook)
    new_text, report, changed = migrate_notebook(text, 'nb.ipynb')
    cells = json.loads(new_text)['cells']
    assert ''.join(cells[0]['source']) == '%matplotlib inline\nfrom keras.layers import add, Conv2D\n'
    assert cells[1] == notebook['cells'][1] and cells[3] == notebook['cells'][3]
    assert ''.join(cells[2]['source']) == '!ls\ny = add([a, b])  # add\nc = Conv2D(4, (3, 3))'
    assert [c[0] for c in changed] == ['nb.ipynb#cell1', 'nb.ipynb#cell3']
    assert any(loc == 'nb.ipynb#cell3' and note.line == 2 for loc, note in report)
    assert migrate_notebook(new_text, 'nb.ipynb')[0] == new_text


def test_command_line_diff_inplace_and_report(tmp_path, capsys):
    script = tmp_path / 'train.py'
    original = ('from keras.layers import Dense\n'
                'model.add(Dense(output_dim=3, init="normal"))  # layer\n'
                'model.fit(x, y, nb_epoch=2)\n')
    script.write_text(original)
    (tmp_path / 'broken.py').write_text('def (\n')
    assert main(['migrate', str(tmp_path)]) == 1   # the broken file is reported, the others still migrated
    out, err = capsys.readouterr()
    assert '-model.add(Dense(output_dim=3, init="normal"))  # layer\n' in out
    assert '+model.add(Dense(units=3, kernel_initializer="normal"))  # layer\n' in out
    assert '%s:2:11: INFO: `Dense`: output_dim -> units; init -> kernel_initializer' % script in err
    assert '%s:3:1: INFO: `fit`: %s' % (script, table.NB_EPOCH) in err
    assert 'broken.py:1:5: ERROR: cannot parse the file: invalid syntax' in err   # Python's position
    assert script.read_text() == original               # --diff (the default) leaves the file alone
    assert main(['migrate', '--inplace', '--quiet', str(script)]) == 0
    out, err = capsys.readouterr()
    assert out == '' and err == ''
    assert script.read_text() == ('from keras.layers import Dense\n'
                                  'model.add(Dense(units=3, kernel_initializer="normal"))  # layer\n'
                                  'model.fit(x, y, epochs=2)\n')
    assert main(['migrate', str(script)]) == 0
    out, err = capsys.readouterr()
    assert out == '' and err == ''
