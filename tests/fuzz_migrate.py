"""A fuzzer for the source migrator (`kernelkit migrate --inplace`): mutated Python files and notebooks go
through `kernelkit.legacy.migrate_files.migrate_file(path, inplace=True)`, one file per case in a fresh folder.

Python seeds are real Keras 1 snippets (and the scripts of tests/keras1_scripts); their mutations are random
byte and line edits, truncations, unicode, tabs, CRLF / CR line endings, a byte order mark, coding cookies,
invalid UTF-8, null bytes, deep nesting and long lines. Notebook seeds are built from the same snippets (ids,
metadata, outputs, attachments, `%`, `%%`, `!` and `?` lines, several JSON layouts); their mutations drop keys,
give values the wrong type, add huge cells or many cells, mutate the code of a cell, or damage the JSON bytes.

The rule, checked per case:
- the migrator returns, or raises its documented `MigrationError` (a `ValueError` naming the file, with a line
  and column); never another exception (a crash) or a case past its time limit (a hang);
- a file it reports, or leaves unchanged, is byte for byte as it was (mtime and mode too), with no `.bak` and
  no temporary file beside it;
- a migrated file is not corrupted: it keeps its byte order mark, encoding and kinds of line endings, parses
  (Python's own parser) when the input parsed, keeps its mode bits and a `.bak` equal to the input; a migrated
  notebook is JSON with the same keys and cells, where only the `source` of code cells changed (in the same
  type), IPython lines are kept, the new code parses when the old did, it stays valid nbformat when it was,
  and a file in a known JSON layout is written in the same layout.
Everything is deterministic for a given seed. Run `python tests/fuzz_migrate.py --cases 1000` (or
`make fuzz-migrate`).
"""
import argparse
import ast
import collections
import io
import json
import os
import random
import re
import signal
import sys
import tempfile
import time
import tokenize
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
OUTCOMES = ('migrated', 'unchanged', 'reported', 'crash', 'hang', 'corrupted')
BAD_OUTCOMES = ('crash', 'hang', 'corrupted')
BOM = b'\xef\xbb\xbf'

# ------------------------------------------------------------------------------------------------ the seeds
SNIPPETS = [
    "from keras.models import Sequential\nfrom keras.layers import Dense, Activation\nmodel = Sequential()\n"
    "model.add(Dense(output_dim=64, input_dim=100, init='uniform'))\nmodel.add(Activation('relu'))\n"
    "model.compile(loss='categorical_crossentropy', optimizer='sgd')\nmodel.fit(X, y, nb_epoch=5, batch_size=32)\n",
    "from keras.layers import Input, Dense, merge\nfrom keras.models import Model\nfrom keras.regularizers import l2\n"
    "a = Input(shape=(8,))\nb = Input(shape=(8,))\nx = merge([a, b], mode='concat', concat_axis=-1)\n"
    "out = Dense(1, activation='sigmoid', W_regularizer=l2(0.01))(x)\nmodel = Model(input=[a, b], output=out)\n",
    "from keras.layers import Convolution2D, MaxPooling2D\nfrom keras import backend as K\n"
    "if K.image_dim_ordering() == 'th':\n    shape = (1, 28, 28)\nelse:\n    shape = (28, 28, 1)\n"
    "model.add(Convolution2D(32, 3, 3, border_mode='same', subsample=(2, 2),  # a comment\n"
    "                        dim_ordering='th'))\nmodel.add(MaxPooling2D(pool_size=(2, 2)))\n",
    "from keras.models import Sequential\nfrom keras.layers import Dense, Merge\nleft = Sequential()\n"
    "left.add(Dense(32, input_dim=784))\nright = Sequential()\nright.add(Dense(32, input_dim=784))\n"
    "model = Sequential()\nmodel.add(Merge([left, right], mode='sum'))\nmodel.add(Dense(10, activation='softmax'))\n",
    "from keras.preprocessing.image import ImageDataGenerator\ndatagen = ImageDataGenerator()\n"
    "model.fit_generator(datagen.flow(X, Y, batch_size=32), samples_per_epoch=len(X), nb_epoch=3,\n"
    "                    validation_data=(Xv, Yv), nb_val_samples=100, nb_worker=2, pickle_safe=True)\n",
    "from keras.engine.topology import Layer\n\nclass MyLayer(Layer):\n    def __init__(self, output_dim, **kwargs):\n"
    "        self.output_dim = output_dim\n        super(MyLayer, self).__init__(**kwargs)\n\n"
    "    def build(self, input_shape):\n        self.W = self.add_weight((input_shape[1], self.output_dim), "
    "'uniform', name='W')\n\n    def get_output_shape_for(self, input_shape):\n"
    "        return (input_shape[0], self.output_dim)\n",
    "from keras.layers import LSTM, Embedding, TimeDistributedDense\n"
    "model.add(Embedding(1000, 64, input_length=10, dropout=0.2))\n"
    "model.add(LSTM(32, return_sequences=True, dropout_W=0.2, dropout_U=0.2))\n"
    "model.add(TimeDistributedDense(5, init='zero'))\n",
    "from keras import objectives\nfrom keras.utils.np_utils import to_categorical\n"
    "from keras.regularizers import l1l2\nfrom keras.layers.normalization import BatchNormalization\n"
    "y = to_categorical(labels, nb_classes=10)\nbn = BatchNormalization(mode=0, axis=1)\n"
    "d = Dense(2, W_regularizer=l1l2(0.1, 0.1))\nloss = objectives.mse\n",
    "import numpy as np\n\n\ndef area(r):\n    \"\"\"Not Keras at all.\"\"\"\n    return np.pi * r ** 2\n\n"
    "print(area(2.0))\n",
    "print 'a Python 2 Keras 1 script'\nmodel.fit(X, y, nb_epoch=1)\n",
]
for _name in sorted(os.listdir(os.path.join(HERE, 'keras1_scripts'))):
    if _name.endswith('.py'):
        with open(os.path.join(HERE, 'keras1_scripts', _name), encoding='utf-8') as _handle:
            SNIPPETS.append(_handle.read())
# Valid Python that drives the migrator's rules with unusual arguments (stars, missing or doubled values, odd
# types, attribute callees, star imports).
ODD_CALLS = [
    'Convolution2D(*shape)', 'Convolution2D(8, *kernel, border_mode="same")', 'Convolution2D(3, 3, 3, 3, 3)',
    'Convolution2D(nb_filter=8, nb_row=3)', 'Convolution1D(4, 3, 3, 3)', 'merge()', 'merge(mode=m)',
    'merge(x, mode="sum")', 'merge([a], mode="dot", dot_axes=(1, 2))', 'merge([a, b], mode="cos", **kw)',
    'merge(*inputs, mode="concat", concat_axis=ax)', 'Merge([a], **kw)', 'Merge()', 'Merge(layers=[l], mode=f)',
    'Dense(output_dim=1, units=2)', 'Dense(**config)', 'Dense(*args, init="zero")', 'model.fit_generator()',
    'model.fit_generator(samples_per_epoch=10)', 'model.fit_generator(g, 10, 2, samples_per_epoch=5)',
    'model.fit(nb_epoch=None, *a)', 'TimeDistributedDense()', 'TimeDistributedDense(*a, input_dim=3)',
    'Model(input=a)', 'Model(a, b, input=c)', 'K.image_dim_ordering()[0]', 'K.set_image_dim_ordering(o)',
    'K.image_dim_ordering() in ("th",)', 'ZeroPadding2D(padding={"bad": 1})', 'ZeroPadding2D({"top_pad": p})',
    'keras.layers.merge([a, b], mode="sum")', 'keras.layers.convolutional.Convolution2D(1, 2, 3)',
    'layers.Convolution2D(1, 2, 3)', 'BatchNormalization(mode=m)', 'BatchNormalization(0.9, mode=0)',
    'LSTM(dropout_W=None)', 'Embedding(dropout=d)', 'AtrousConvolution2D(4, 3, 3, atrous_rate=(2, 2))',
    'to_categorical(nb_classes=3)', 'l1l2()', 'activity_l2(*a)', 'self.add_weight()',
    'self.add_weight(shape, *rest)', 'f = Convolution2D', 'x = Dense', 'del Dense', 'Dense = None',
    'Dense(output_dim=lambda: 1)', 'Dense(output_dim=(yield))', 'Dense(output_dim := 3)',
    'Dense(output_dim=[i for i in range(3)])', 'Dense(output_dim=f"{n}")', 'await Dense(output_dim=1)',
    'model.compile("sgd", "mse", metrics=m)', 'model.compile(metrics=["fmeasure", *more])',
    'from keras.layers import *', 'from keras.layers import (Dense as D, merge as m)',
    'import keras.layers.convolutional as conv', 'from keras import objectives as o, backend',
    'from . import merge', 'from .keras import Merge', 'import keras.objectives',
    'class A(Layer):\n    get_output_shape_for = None', 'def get_output_shape_for(): pass',
    'lambda: merge([a, b], mode="sum")', '@merge\ndef f(): pass', 'x: Dense = Dense(output_dim=1)',
    'with Dense(output_dim=1) as d: pass', 'Sequential([Merge([a, b], mode="sum")])',
    'model.add(Merge([left], mode="concat"))', 'model.add(Merge(mode="sum"))',
]
MAGICS = ['%matplotlib inline', '!pip install keras==1.2.2', 'files = !ls', 'Dense?', '%time model.fit(X, y)',
          '%load_ext autoreload']
UNICODE = ['é', 'ß', '→', '\u200b', '\u2028', '\U0001f600', '中文', 'Ω', '\u00a0', '\ufeff', '\r', '\x0c', '\ud7ff']


# ---------------------------------------------------------------------------------------- Python mutations
def _lines(text):
    return text.splitlines(True) or ['']


def _edit_lines(rng, text, how):
    lines = _lines(text)
    i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
    if how == 'line_delete':
        del lines[i]
    elif how == 'line_duplicate':
        lines.insert(i, lines[i])
    elif how == 'line_swap':
        lines[i], lines[j] = lines[j], lines[i]
    elif how == 'line_indent':
        lines[i] = rng.choice(['    ', '\t', ' ']) + lines[i]
    elif how == 'line_from_other':
        lines.insert(i, rng.choice(_lines(rng.choice(SNIPPETS))))
    return ''.join(lines)


def mutate_python_text(rng, text, how):
    """One text-level mutation `how` of Python source `text`."""
    if how.startswith('line_'):
        return _edit_lines(rng, text, how)
    position = rng.randrange(len(text) + 1)
    if how == 'truncate':
        return text[:position]
    if how == 'unicode':
        return text[:position] + rng.choice(UNICODE) + text[position:]
    if how == 'unicode_name':
        return text.replace('model', rng.choice(['modèle', 'μοντέλο', 'модель']))
    if how == 'tabs':
        return re.sub(r'(?m)^((?:    )+)', lambda m: '\t' * (len(m.group(1)) // 4), text)
    if how == 'crlf':
        return text.replace('\n', '\r\n')
    if how == 'cr':
        return text.replace('\n', '\r')
    if how == 'mixed_newlines':
        return ''.join(line.replace('\n', '\r\n') if rng.random() < 0.5 else line for line in _lines(text))
    if how == 'no_final_newline':
        return text.rstrip('\n')
    if how == 'deep_nesting':
        depth = rng.choice([20, 90, 250])
        return text + 'x = ' + '(' * depth + 'Dense(output_dim=1)' + ')' * depth + '\n'
    if how == 'long_chain':
        return text + 'y = ' + ' + '.join(['a'] * rng.choice([300, 1500])) + '\n'
    if how == 'long_line':
        return text + 's = "' + 'ab' * rng.choice([1000, 50000]) + '"\n'
    if how == 'repeat':
        return text * rng.choice([2, 4])
    if how == 'null':
        return text[:position] + '\0' + text[position:]
    if how == 'form_feed':
        return '\x0c' + text
    if how == 'empty':
        return rng.choice(['', '\n', '# only a comment\n', '   '])
    if how == 'odd_call':
        lines = _lines(text)
        if lines and not lines[-1].endswith(('\n', '\r')):
            lines[-1] += '\n'
        for _ in range(rng.randint(1, 4)):
            at = len(lines) if rng.random() < 0.7 else rng.randrange(len(lines) + 1)
            lines.insert(at, rng.choice(ODD_CALLS) + '\n')
        return ''.join(lines)
    if how == 'continuation':
        return text.replace(', ', ', \\\n    ', 1)
    raise ValueError(how)


TEXT_MUTATIONS = ('line_delete', 'line_duplicate', 'line_swap', 'line_indent', 'line_from_other', 'truncate',
                  'unicode', 'unicode_name', 'tabs', 'crlf', 'cr', 'mixed_newlines', 'no_final_newline',
                  'deep_nesting', 'long_chain', 'long_line', 'repeat', 'null', 'form_feed', 'empty',
                  'continuation', 'odd_call', 'odd_call', 'odd_call')
BYTE_MUTATIONS = ('byte_flip', 'byte_insert', 'byte_delete', 'bom', 'latin1_cookie', 'bad_cookie',
                  'invalid_utf8')


def mutate_python_bytes(rng, data, how):
    """One byte-level mutation `how` of a Python file's bytes."""
    position = rng.randrange(len(data) + 1)
    if how == 'byte_flip' and data:
        index = rng.randrange(len(data))
        return data[:index] + bytes([data[index] ^ (1 << rng.randrange(8))]) + data[index + 1:]
    if how == 'byte_insert':
        return data[:position] + rng.choice([b'(', b')', b':', b'"', b"'", b'\\', b'\n', b'\t', b'#',
                                             bytes([rng.randrange(256)])]) + data[position:]
    if how == 'byte_delete':
        return data[:position] + data[position + rng.randint(1, 5):]
    if how == 'bom':
        return BOM + data
    if how == 'latin1_cookie':
        return b'# -*- coding: latin-1 -*-\n' + data.decode('utf-8', 'replace').encode('latin-1', 'replace') \
            + b'label = "caf\xe9"\n'
    if how == 'bad_cookie':
        return b'# coding: no-such-codec\n' + data
    if how == 'invalid_utf8':
        return data[:position] + rng.choice([b'\xff', b'\xc3', b'\x80', b'\xed\xa0\x80']) + data[position:]
    return data


def python_case(rng):
    """`(bytes, mutations)` of one mutated Python file."""
    seed = rng.choice(SNIPPETS[:10] * 3 + SNIPPETS[10:])
    mutations = [rng.choice(TEXT_MUTATIONS + BYTE_MUTATIONS) for _ in range(rng.choice([0, 1, 1, 1, 2, 2, 3]))]
    text = seed
    for how in [m for m in mutations if m in TEXT_MUTATIONS]:
        text = mutate_python_text(rng, text, how)
    data = text.encode('utf-8', 'surrogatepass')
    for how in [m for m in mutations if m in BYTE_MUTATIONS]:
        data = mutate_python_bytes(rng, data, how)
    return data, mutations or ['none']


# -------------------------------------------------------------------------------------------------- notebooks
def _source(rng, text):
    return text.splitlines(True) if rng.random() < 0.8 else text


def _code_cell(rng, number, text):
    outputs = [] if rng.random() < 0.5 else [
        {'output_type': 'stream', 'name': 'stdout', 'text': ['Epoch 1/5\n', 'loss: 0.25 — done\n']},
        {'output_type': 'execute_result', 'execution_count': number, 'metadata': {},
         'data': {'text/plain': ['<keras.models.Sequential at 0x7f>']}}]
    return {'cell_type': 'code', 'execution_count': number if outputs else None, 'id': 'c%04x' % rng.randrange(65536),
            'metadata': rng.choice([{}, {'tags': ['keras1']}, {'collapsed': False, 'scrolled': True}]),
            'outputs': outputs, 'source': _source(rng, text)}


def _with_magics(rng, text):
    lines = _lines(text)
    for _ in range(rng.randint(1, 2)):
        lines.insert(rng.randrange(len(lines) + 1), rng.choice(MAGICS) + '\n')
    return ''.join(lines)


def build_notebook(rng, huge=False):
    """A notebook (a dict) of code, markdown and raw cells from the snippets."""
    cells = []
    for number in range(1, rng.randint(2, 5)):
        text = rng.choice(SNIPPETS[:10])
        if rng.random() < 0.4:
            text = _with_magics(rng, text)
        cells.append(_code_cell(rng, number, text))
    cells.insert(rng.randrange(len(cells) + 1), {
        'cell_type': 'markdown', 'id': 'md01', 'metadata': {}, 'source': ['Keras 1: `merge(mode="sum")` é\n'],
        'attachments': {'a.png': {'image/png': 'iVBORw0KGgo='}}})
    if rng.random() < 0.3:
        cells.append(_code_cell(rng, 9, '%%bash\necho "merge(mode=\'sum\')"\n'))
    if rng.random() < 0.2:
        cells.append({'cell_type': 'raw', 'id': 'raw1', 'metadata': {}, 'source': 'Dense(output_dim=1)'})
    return {'cells': cells, 'metadata': {'kernelspec': {'display_name': 'Python 3', 'language': 'python',
                                                         'name': 'python3'},
                                         'language_info': {'name': 'python', 'version': '3.11.7'}},
            'nbformat': 4, 'nbformat_minor': 5}


def _mutate_structure(rng, notebook, how, huge_lines):
    cells = notebook['cells']
    cell = rng.choice(cells)
    if how == 'drop_key':
        target = notebook if rng.random() < 0.25 else cell
        if target:
            del target[rng.choice(sorted(target))]
    elif how == 'wrong_type':
        choice = rng.randrange(6)
        if choice == 0:
            notebook['cells'] = rng.choice([{}, 'cells', None, 3])
        elif choice == 1:
            cells[rng.randrange(len(cells))] = rng.choice(['print(1)', [1, 2], 7, None])
        elif choice == 2:
            cell['source'] = rng.choice([5, None, {'a': 1}, ['x = 1\n', 2], [['nested']]])
        elif choice == 3:
            cell['metadata'] = rng.choice([[], 'meta', 0])
        elif choice == 4:
            cell['cell_type'] = rng.choice([5, None, 'Code', ['code']])
        else:
            cell['outputs'] = rng.choice(['none', {}, [1]])
    elif how == 'huge_cell':
        body = ''.join("d%d = Dense(output_dim=%d, init='normal')\n" % (i, i + 1) for i in range(huge_lines))
        cells.append(_code_cell(rng, 20, 'from keras.layers import Dense\n' + body))
        cells.append(_code_cell(rng, 21, 'big = """' + 'x' * 200000 + '"""\n'))
    elif how == 'many_cells':
        cells.extend(_code_cell(rng, 30 + i, "m%d = Dense(output_dim=%d)\n" % (i, i + 1)) for i in range(40))
    elif how == 'cell_mutation':
        if cell.get('cell_type') == 'code' and isinstance(cell.get('source'), (list, str)):
            text = ''.join(cell['source']) if isinstance(cell['source'], list) else cell['source']
            text = mutate_python_text(rng, text, rng.choice(TEXT_MUTATIONS))
            cell['source'] = _source(rng, text)
    elif how == 'duplicate_ids':
        for each in cells:
            if isinstance(each, dict):
                each['id'] = 'same'
    elif how == 'extra_keys':
        cell['x-custom'] = {'keep': [1, 2.5, None, True]}
        notebook['x-top'] = 'kept'
    elif how == 'top_level':
        return rng.choice([[], 'notebook', None, {'worksheets': [], 'nbformat': 3}])
    return notebook


LAYOUTS = {
    'nbformat': lambda nb: json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + '\n',
    'indent2': lambda nb: json.dumps(nb, indent=2, ensure_ascii=False),
    'compact': lambda nb: json.dumps(nb, ensure_ascii=False),
    'tabs': lambda nb: json.dumps(nb, indent='\t', ensure_ascii=False) + '\n',
    'ascii': lambda nb: json.dumps(nb, indent=1, ensure_ascii=True) + '\n',
    'crlf': lambda nb: (json.dumps(nb, indent=4, ensure_ascii=False) + '\n').replace('\n', '\r\n'),
}
STRUCTURE_MUTATIONS = ('drop_key', 'wrong_type', 'huge_cell', 'many_cells', 'cell_mutation', 'cell_mutation',
                       'duplicate_ids', 'extra_keys', 'top_level')
JSON_MUTATIONS = ('truncate', 'byte_flip', 'invalid_utf8', 'byte_delete', 'bom', 'odd_number')


def notebook_case(rng, huge_lines=80):
    """`(bytes, mutations, layout)` of one mutated notebook file."""
    notebook = build_notebook(rng)
    mutations = [rng.choice(STRUCTURE_MUTATIONS) for _ in range(rng.choice([0, 1, 1, 2]))]
    for how in mutations:
        if isinstance(notebook, dict) and isinstance(notebook.get('cells'), list) and notebook['cells']:
            notebook = _mutate_structure(rng, notebook, how, huge_lines)
    layout = rng.choice(sorted(LAYOUTS))
    data = LAYOUTS[layout](notebook).encode('utf-8')
    if rng.random() < 0.25:
        how = rng.choice(JSON_MUTATIONS)
        mutations.append('json_' + how)
        if how == 'truncate':
            data = data[:rng.randrange(len(data))]
        elif how == 'odd_number':
            data = data.replace(b'"nbformat_minor": 5', b'"nbformat_minor": 5e0', 1)
        else:
            data = mutate_python_bytes(rng, data, how)
    return data, mutations or ['none'], layout


# ------------------------------------------------------------------------------------------------ the checks
def _python_parses(data):
    try:
        ast.parse(data)
        return True
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False


def _newline_kinds(data):
    return {kind for kind, pattern in (('crlf', rb'\r\n'), ('cr', rb'\r(?!\n)'), ('lf', rb'(?<!\r)\n'))
            if re.search(pattern, data)}


def _encoding(data):
    try:
        return tokenize.detect_encoding(io.BytesIO(data).readline)[0]
    except SyntaxError:
        return None


def check_python(old, new):
    """The reasons a migrated Python file is corrupted (an empty list when it is not)."""
    problems = []
    if old.startswith(BOM) != new.startswith(BOM):
        problems.append('the byte order mark changed')
    if _encoding(old) != _encoding(new):
        problems.append('the encoding changed: %s -> %s' % (_encoding(old), _encoding(new)))
    if _python_parses(old) and not _python_parses(new):
        problems.append('the input parsed and the output does not')
    if not _newline_kinds(new) <= (_newline_kinds(old) or {'lf'}):
        problems.append('line endings %s became %s' % (sorted(_newline_kinds(old)), sorted(_newline_kinds(new))))
    return problems


_MAGIC_LINE = re.compile(r'^\s*([%!?]|\w+\s*=\s*[%!]|[\w.]+\?\??\s*$)')


def _masked(text):
    return '\n'.join('pass' if _MAGIC_LINE.match(line) else line for line in text.split('\n'))


def _magic_lines(text):
    return [line.rstrip('\r') for line in text.split('\n') if _MAGIC_LINE.match(line)]


def _check_cell(index, old, new):
    if not isinstance(old, dict) or old.get('cell_type') != 'code':
        return ['cell %d is not a code cell and changed' % index]
    if sorted(old) != sorted(new) or any(old[k] != new[k] for k in old if k != 'source'):
        return ['cell %d changed beyond its source' % index]
    if type(old['source']) is not type(new['source']):
        return ['cell %d: the type of its source changed' % index]
    before = ''.join(old['source']) if isinstance(old['source'], list) else old['source']
    after = ''.join(new['source']) if isinstance(new['source'], list) else new['source']
    problems = []
    if before.lstrip().startswith('%%'):
        problems.append('cell %d runs a cell magic and changed' % index)
    if not _python_parses(before) and _magic_lines(before) != _magic_lines(after):
        problems.append('cell %d lost or changed IPython lines' % index)
    if _python_parses(_masked(before)) and not _python_parses(_masked(after)):
        problems.append('cell %d parsed and its new code does not' % index)
    return problems


def _valid_nbformat(notebook):
    import warnings
    import nbformat
    try:
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            nbformat.validate(nbformat.from_dict(notebook), repair_duplicate_cell_ids=False)
        return True
    except Exception:    # noqa: BLE001 -- any validation failure means "not valid"
        return False


def check_notebook(old_data, new_data):
    """The reasons a migrated notebook is corrupted (an empty list when it is not)."""
    if old_data.startswith(BOM) != new_data.startswith(BOM):
        return ['the byte order mark changed']
    strip = lambda data: data[3:] if data.startswith(BOM) else data
    try:
        old_text, new_text = strip(old_data).decode('utf-8'), strip(new_data).decode('utf-8')
        new = json.loads(new_text)
    except ValueError as error:
        return ['the output is not UTF-8 JSON: %s' % error]
    old = json.loads(old_text)
    if not isinstance(new, dict) or sorted(new) != sorted(old):
        return ['the top-level keys changed']
    problems = ['"%s" changed' % key for key in old if key != 'cells' and old[key] != new[key]]
    if len(old['cells']) != len(new['cells']):
        return problems + ['the number of cells changed']
    for index, (a, b) in enumerate(zip(old['cells'], new['cells'])):
        if a != b:
            problems.extend(_check_cell(index, a, b))
    if _valid_nbformat(old) and not _valid_nbformat(new):
        problems.append('the notebook was valid nbformat and is not any more')
    for name, layout in LAYOUTS.items():
        if layout(old) == old_text and layout(new) != new_text:
            problems.append('the file was in the %r layout and is not any more' % name)
    return problems


# -------------------------------------------------------------------------------------------------- running
class _Timeout(BaseException):
    pass


def _alarm(signum, frame):
    raise _Timeout()


def generate_cases(count, seed=0, huge_lines=80):
    """`count` cases (dicts with `id`, `kind`, `data`, `mutations`, `mode`, `backup`), half Python files, half
    notebooks, deterministic for a given `seed`."""
    cases = []
    for index in range(count):
        rng = random.Random('%d-%d' % (seed, index))
        if index % 2 == 0:
            data, mutations = python_case(rng)
            kind = 'py'
        else:
            data, mutations, layout = notebook_case(rng, huge_lines)
            kind, mutations = 'ipynb', mutations + ['layout_' + layout]
        cases.append({'id': index, 'kind': kind, 'data': data, 'mutations': mutations,
                      'mode': rng.choice([0o644, 0o600, 0o755, 0o664]), 'backup': rng.random() < 0.85})
    return cases


def run_case(case, directory, timeout=30):
    """Runs one case in `directory` (emptied first). Returns a result dict with `outcome` and `detail`."""
    from kernelkit.legacy.migrate import MigrationError
    from kernelkit.legacy.migrate_files import migrate_file
    for name in os.listdir(directory):
        os.unlink(os.path.join(directory, name))
    path = os.path.join(directory, 'case.' + case['kind'])
    with open(path, 'wb') as handle:
        handle.write(case['data'])
    os.chmod(path, case['mode'])
    before = os.stat(path)
    result = {'id': case['id'], 'kind': case['kind'], 'mutations': '+'.join(case['mutations']),
              'skipped_cells': 0, 'detail': ''}
    err = io.StringIO()
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    error = None
    try:
        status = migrate_file(path, inplace=True, out=io.StringIO(), err=err, quiet=True, backup=case['backup'])
        result['skipped_cells'] = err.getvalue().count('left as it is')
    except MigrationError as caught:
        error, status = caught, None
    except _Timeout:
        return dict(result, outcome='hang', detail='past %d s' % timeout)
    except Exception:     # noqa: BLE001 -- anything else is a crash
        return dict(result, outcome='crash', detail=traceback.format_exc(limit=-3))
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    with open(path, 'rb') as handle:
        after = handle.read()
    names = sorted(os.listdir(directory))
    now = os.stat(path)
    problems = []
    if (now.st_mode & 0o7777) != case['mode']:
        problems.append('mode %o became %o' % (case['mode'], now.st_mode & 0o7777))
    if error is not None or after == case['data']:
        outcome = 'reported' if error is not None else 'unchanged'
        if error is not None and not str(error).startswith(path + ':'):
            problems.append('the error does not start with file:line:col: %s' % error)
        if error is not None and error.line < 1 and 'cannot parse' in error.message:
            problems.append('a parse error without a position: %s' % error)
        if after != case['data'] or now.st_mtime_ns != before.st_mtime_ns:
            problems.append('a %s file was modified' % outcome)
        if names != ['case.' + case['kind']]:
            problems.append('files left beside it: %s' % names)
        result['detail'] = str(error) if error is not None else ''
    else:
        outcome = 'migrated'
        expected = ['case.' + case['kind']] + (['case.%s.bak' % case['kind']] if case['backup'] else [])
        if names != sorted(expected):
            problems.append('files beside it: %s, expected %s' % (names, sorted(expected)))
        elif case['backup']:
            with open(path + '.bak', 'rb') as handle:
                if handle.read() != case['data']:
                    problems.append('the .bak differs from the input')
        check = check_notebook if case['kind'] == 'ipynb' else check_python
        problems.extend(check(case['data'], after))
    if problems:
        return dict(result, outcome='corrupted', detail='; '.join(problems))
    return dict(result, outcome=outcome, status=status)


def run_cases(count=300, seed=0, huge_lines=80, timeout=30):
    """Generates and runs `count` cases. Returns `(cases, results)`."""
    cases = generate_cases(count, seed, huge_lines)
    with tempfile.TemporaryDirectory(prefix='kernelkit-fuzz-migrate-') as directory:
        results = [run_case(case, directory, timeout) for case in cases]
    return cases, results


def summarize(results):
    """`{kind: Counter(outcome -> count)}` with a `total` row; `skipped_cells` counts cells reported and kept."""
    table = collections.OrderedDict((kind, collections.Counter()) for kind in ('py', 'ipynb', 'total'))
    for result in results:
        for kind in (result['kind'], 'total'):
            table[kind]['cases'] += 1
            table[kind][result['outcome']] += 1
            table[kind]['skipped_cells'] += result.get('skipped_cells', 0)
    return table


def format_table(table):
    columns = ('cases',) + OUTCOMES + ('skipped_cells',)
    names = {'reported': 'reported errors', 'corrupted': 'corrupted outputs', 'skipped_cells': 'cells reported'}
    lines = ['%-8s' % 'kind' + ''.join('%19s' % names.get(c, c) for c in columns)]
    for kind, counts in table.items():
        lines.append('%-8s' % kind + ''.join('%19d' % counts[c] for c in columns))
    return '\n'.join(lines)


def main(argv=None):
    """`python tests/fuzz_migrate.py [--cases N] [--seed S]`: prints the figures; exit status 1 when any case
    crashed, hung or corrupted a file."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--cases', type=int, default=1000)
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--huge-lines', type=int, default=300, help='lines of the huge notebook cells')
    parser.add_argument('--timeout', type=int, default=60, help='seconds per case before it counts as a hang')
    parser.add_argument('--show', type=int, default=20, help='how many rule-breaking cases to print')
    args = parser.parse_args(argv)
    sys.path.insert(0, os.path.join(HERE, '..'))
    start = time.time()
    _, results = run_cases(args.cases, args.seed, args.huge_lines, args.timeout)
    table = summarize(results)
    print(format_table(table))
    bad = [r for r in results if r['outcome'] in BAD_OUTCOMES]
    for result in bad[:args.show]:
        print('BAD case %(id)d %(kind)s mutations=%(mutations)s: %(outcome)s: %(detail)s' % result)
    print('%d cases in %.0f s (seed %d); %d broke the rule.' % (len(results), time.time() - start, args.seed,
                                                                 len(bad)))
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
