"""The mutators of the loader fuzzer (tests/fuzz_loaders.py): config edits (JSON, YAML, dicts) and HDF5 file
edits (byte flips, truncation, structural edits with h5py). Every mutator takes a `random.Random`, so a case
is reproducible from its seed."""
import json
import os

import numpy as np

HUGE = (2 ** 40, 10 ** 18, -(2 ** 40), 1e300)
ODD_NUMBERS = (0, -1, -7, 3.5, 2 ** 31, 10 ** 6)
UNICODE = ('d\u00e9nse_\u2603', '\u5c64', 'a\u0000b', '\U0001f600', 'x' * 300)


def _paths(value, prefix=(), max_depth=300):
    """Every (path, value) inside a nested config down to `max_depth` levels, the root included (iterative:
    mutated configs nest deeply)."""
    stack = [(prefix, value)]
    while stack:
        path, item = stack.pop()
        yield path, item
        if len(path) >= max_depth:
            continue
        if isinstance(item, dict):
            stack.extend((path + (k,), v) for k, v in reversed(list(item.items())))
        elif isinstance(item, list):
            stack.extend((path + (i,), v) for i, v in reversed(list(enumerate(item))))


def _set(config, path, value):
    target = config
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value


def _leaves(config):
    return [(p, v) for p, v in _paths(config) if p and not isinstance(v, (dict, list))]


def _layer_entries(config):
    return [v for p, v in _paths(config) if isinstance(v, dict) and 'class_name' in v and 'config' in v
            and isinstance(v['config'], dict) and p]


def _marker_function(marker):
    """Keras 2's stored form of a lambda whose code creates `marker` (the code-execution probe)."""
    from kernelkit.utils.generic_utils import func_dump
    source = 'lambda x: (open(%r, "w").write("ran"), x)[1]' % marker
    return func_dump(eval(source))


def mutate_config(config, rng, kind, marker):
    """Applies one config mutation of `kind` in place-free fashion; returns the mutated copy (or text)."""
    config = json.loads(json.dumps(config))
    keyed = [(p, v) for p, v in _paths(config) if p and isinstance(p[-1], str)]
    if kind == 'drop_key' and keyed:
        path, _ = rng.choice(keyed)
        parent = config
        for step in path[:-1]:
            parent = parent[step]
        del parent[path[-1]]
    elif kind == 'rename_key' and keyed:
        path, value = rng.choice(keyed)
        parent = config
        for step in path[:-1]:
            parent = parent[step]
        del parent[path[-1]]
        parent[path[-1] + rng.choice(['_x', 'S', '\u00e9'])] = value
    elif kind == 'wrong_type' and _leaves(config):
        path, value = rng.choice(_leaves(config))
        _set(config, path, rng.choice([[value], {'v': value}, str(value), None, True, 3, 2.5, [], {}]))
    elif kind in ('wrong_number', 'huge_number'):
        numbers = [(p, v) for p, v in _leaves(config) if isinstance(v, (int, float)) and not isinstance(v, bool)]
        numbers += [(p, v) for p, v in _paths(config) if p and p[-1] in ('batch_input_shape', 'kernel_size',
                                                                          'input_shape', 'target_shape')]
        if numbers:
            path, _ = rng.choice(numbers)
            _set(config, path, rng.choice(HUGE if kind == 'huge_number' else ODD_NUMBERS))
    elif kind == 'negative_units':
        sized = [(p, v) for p, v in _paths(config) if p and p[-1] in ('units', 'filters', 'input_dim', 'output_dim',
                                                                      'axis', 'rate', 'pool_size', 'strides')]
        if sized:
            path, _ = rng.choice(sized)
            _set(config, path, rng.choice([-3, 0, -1]))
    elif kind == 'unknown_class':
        entries = [(p, v) for p, v in _paths(config) if p and p[-1] == 'class_name'] or [((('class_name',)), 0)]
        path, _ = rng.choice(entries)
        _set(config, path, rng.choice(['NoSuchLayer', 'dense', 'Dens\u00e9', '', 'eval', 'Lambda', 'Model']))
    elif kind in ('cyclic_inbound', 'absent_inbound'):
        nodes = [(p, v) for p, v in _paths(config) if p and p[-1] == 'inbound_nodes' and v]
        names = [e['config'].get('name') for e in _layer_entries(config)]
        if nodes:
            path, value = rng.choice(nodes)
            owner = config
            for step in path[:-2]:
                owner = owner[step]
            own = owner.get('name', 'x') if isinstance(owner, dict) else 'x'
            if kind == 'cyclic_inbound':
                _set(config, path, [[[own, 0, 0, {}]]] if rng.random() < .5 else
                     [[[rng.choice(names[-2:] or [own]), 0, 0, {}]]])
            else:
                _set(config, path, rng.choice([[[['nowhere', 0, 0, {}]]], [[[own, 7, 0, {}]]],
                                               [[[names[0] if names else own, 0, 9, {}]]], [[[]]], [[7]], 'x']))
        else:
            layers_ = config.get('config', {}).get('layers') if isinstance(config.get('config'), dict) else None
            if isinstance(layers_, list) and layers_:
                layers_.append(layers_[0])  # a duplicated layer in a Sequential
    elif kind == 'deep_nesting':
        depth = rng.choice([200, 5000, 100000])
        if rng.random() < .5:
            nested = {'class_name': 'Sequential', 'config': {'name': 'outer', 'layers': []}}
            inner = nested
            for _ in range(min(depth, 300)):
                child = {'class_name': 'Sequential', 'config': {'name': 'n', 'layers': []}}
                inner['config']['layers'].append(child)
                inner = child
            return nested
        leaves = _leaves(config)
        if not leaves:
            return {'deep_text': depth}
        nested = []
        for _ in range(depth):
            nested = [nested]
        _set(config, rng.choice(leaves)[0], nested)
        return {'deep_text': depth, 'config': config}
    elif kind == 'unicode':
        named = [(p, v) for p, v in _paths(config) if p and p[-1] == 'name' and isinstance(v, str)]
        if named:
            path, _ = rng.choice(named)
            _set(config, path, rng.choice(UNICODE))
    elif kind == 'lambda_bytecode':
        lam = {'class_name': 'Lambda', 'config': {'name': 'probe', 'function': _marker_function(marker),
                                                  'function_type': 'lambda', 'output_shape': None,
                                                  'output_shape_type': 'raw', 'arguments': {}}}
        inner = config.get('config')
        if isinstance(inner, dict) and isinstance(inner.get('layers'), list) and config['class_name'] == 'Sequential':
            inner['layers'].append(lam)
        elif isinstance(inner, dict) and isinstance(inner.get('layers'), list) and inner['layers']:
            entry = rng.choice(inner['layers'])
            entry['class_name'], entry['config'] = 'Lambda', dict(lam['config'], name=entry['config'].get('name'))
        else:
            return lam
    elif kind == 'truncate_text':
        return {'truncate': rng.random()}
    elif kind == 'yaml_tag':
        return {'yaml_tag': marker}
    return config


CONFIG_MUTATIONS = ('drop_key', 'rename_key', 'wrong_type', 'wrong_number', 'huge_number', 'negative_units',
                    'unknown_class', 'cyclic_inbound', 'absent_inbound', 'deep_nesting', 'unicode',
                    'lambda_bytecode', 'truncate_text', 'yaml_tag')
FILE_MUTATIONS = ('flip_weight_byte', 'flip_random_bytes', 'truncate', 'drop_group', 'rename_dataset',
                  'wrong_shape', 'wrong_dtype', 'wrong_attribute_type', 'drop_layer_names', 'drop_weight_names',
                  'extra_layer', 'model_config_edit', 'training_config_edit')


def _decode(value):
    return value.decode('utf8', 'replace') if isinstance(value, (bytes, np.bytes_)) else str(value)


def _weights_root(f):
    return f['model_weights'] if 'layer_names' not in f.attrs and 'model_weights' in f else f


def _datasets(f):
    found = []
    f.visititems(lambda name, obj: found.append(name) if hasattr(obj, 'dtype') else None)
    return found


def _flip_in_dataset(path, name, rng):
    """Flips one byte of the stored data of dataset `name` (a chunk for checksummed ones); `True` if it was
    checksummed."""
    import h5py
    with h5py.File(path, 'r') as f:
        dataset = f[name]
        checksummed = bool(dataset.fletcher32)
        if dataset.chunks:
            info = dataset.id.get_chunk_info(0)
            offset, size = info.byte_offset, info.size
        else:
            offset, size = dataset.id.get_offset(), dataset.id.get_storage_size()
    if offset is None or not size:
        return None
    with open(path, 'r+b') as handle:
        handle.seek(offset + rng.randrange(size))
        byte = handle.read(1)
        handle.seek(-1, 1)
        handle.write(bytes([byte[0] ^ rng.choice([1, 0x80, 0x5A, 0xFF])]))
    return checksummed


def mutate_file(path, rng, kind, marker, weights_only=False):
    """Applies one HDF5 mutation of `kind` to the file at `path` in place.

    # Returns
        A dict of facts about the mutation: `flip` is `True` for a byte flipped in a checksummed weight
        (with `weights_only`, one the weight loaders read: not the optimizer state).
    """
    import h5py
    facts = {'flip': False}
    if kind == 'flip_random_bytes' or kind == 'truncate':
        size = os.path.getsize(path)
        with open(path, 'r+b') as handle:
            if kind == 'truncate':
                handle.truncate(rng.choice([0, 8, rng.randrange(size), size - rng.randrange(1, 64)]))
            else:
                for _ in range(rng.choice([1, 2, 8])):
                    handle.seek(rng.randrange(size))
                    byte = handle.read(1)
                    handle.seek(-1, 1)
                    handle.write(bytes([byte[0] ^ rng.randrange(1, 256)]))
        return facts
    if kind == 'flip_weight_byte':
        with h5py.File(path, 'r') as f:
            names = [n for n in _datasets(f) if f[n].shape != ()
                     and not (weights_only and n.startswith('optimizer_weights'))]  # load_weights skips those
        if names:
            facts['flip'] = bool(_flip_in_dataset(path, rng.choice(names), rng))
        return facts
    with h5py.File(path, 'r+') as f:
        root = _weights_root(f)
        layer_names = [_decode(n) for n in np.atleast_1d(root.attrs.get('layer_names', []))]
        layer_groups = [n for n in layer_names if n in root]
        datasets = _datasets(f)
        if kind == 'drop_group':
            choices = [root[n].name for n in layer_groups] + [g for g in ('model_weights', 'optimizer_weights')
                                                                if g in f]
            del f[rng.choice(choices)]
        elif kind == 'rename_dataset' and datasets:
            name = rng.choice(datasets)
            f.move(name, name + rng.choice(['_renamed', 'X', '\u00e9']))
        elif kind in ('wrong_shape', 'wrong_dtype') and datasets:
            name = rng.choice(datasets)
            old = np.asarray(f[name])
            del f[name]
            if kind == 'wrong_shape':
                shape = rng.choice([old.shape[:-1], old.shape + (1,), tuple(d + 1 for d in old.shape), (0,),
                                    (2 ** 4,) * 3])
                new = np.zeros(shape, 'float32')
            else:
                new = old.astype(rng.choice(['float64', 'int64', 'bool', 'S5', 'float16']))
            f.create_dataset(name, data=new)
        elif kind == 'wrong_attribute_type':
            holders = [f, root] + [root[n] for n in layer_groups]
            holder = rng.choice(holders)
            names = list(holder.attrs.keys()) or ['layer_names']
            holder.attrs[rng.choice(names)] = rng.choice([7, np.arange(3.0), np.array([1, 2]), b'\xff\xfe',
                                                          '', np.array([b'nowhere']), np.zeros((2, 2))])
        elif kind == 'drop_layer_names' and 'layer_names' in root.attrs:
            del root.attrs['layer_names']
        elif kind == 'drop_weight_names' and layer_groups:
            group = root[rng.choice(layer_groups)]
            if 'weight_names' in group.attrs:
                del group.attrs['weight_names']
        elif kind == 'extra_layer':
            group = root.create_group('extra_dense')
            group.attrs['weight_names'] = np.array([b'extra_dense/kernel:0'])
            group.create_dataset('extra_dense/kernel:0', data=np.ones((3, 3), 'float32'))
            position = rng.randrange(len(layer_names) + 1)
            names = layer_names[:position] + ['extra_dense'] + layer_names[position:]
            root.attrs['layer_names'] = np.array([n.encode('utf8') for n in names])
        elif kind in ('model_config_edit', 'training_config_edit'):
            attribute = 'model_config' if kind == 'model_config_edit' else 'training_config'
            if attribute in f.attrs:
                config = json.loads(_decode(f.attrs[attribute]))
                mutation = rng.choice(CONFIG_MUTATIONS)
                mutated = mutate_config(config, rng, mutation, marker)
                f.attrs[attribute] = config_text(mutated, config, 'json', marker).encode('utf8')
                facts['config_mutation'] = mutation
    return facts


def config_text(mutated, original, kind, marker):
    """The text a JSON/YAML loader receives for a mutated config (including the text-level mutations)."""
    import yaml
    def dump(config):
        if kind == 'json':
            return json.dumps(config)
        try:
            return yaml.safe_dump(config)
        except RecursionError:  # too deep for PyYAML's writer: JSON text is YAML too
            return json.dumps(config)
    if isinstance(mutated, dict) and 'truncate' in mutated:
        text = dump(original)
        return text[:int(len(text) * mutated['truncate'])]
    if isinstance(mutated, dict) and 'yaml_tag' in mutated:
        return 'class_name: Sequential\nconfig: !!python/object/apply:os.system ["touch %s"]\n' % marker
    if isinstance(mutated, dict) and 'deep_text' in mutated:
        depth = mutated['deep_text']
        if 'config' not in mutated:
            return '[' * depth + ']' * depth
        placeholder = '__deep_placeholder__'
        holder = json.loads(json.dumps(original))
        paths = [p for p, v in _paths(mutated['config']) if isinstance(v, list) and len(v) == 1
                 and isinstance(v[0], list) and p]
        for path, value in _paths(holder):
            if path and path == (paths[0] if paths else None):
                _set(holder, path, placeholder)
        text = json.dumps(holder)
        return text.replace('"%s"' % placeholder, '[' * depth + ']' * depth)
    return dump(mutated)


def config_object(mutated, marker):
    """The object `model_from_config`/`layers.deserialize` receive for a mutated config."""
    if isinstance(mutated, dict) and 'truncate' in mutated:
        return {'class_name': 'Sequential'}
    if isinstance(mutated, dict) and 'yaml_tag' in mutated:
        return {'class_name': '!!python/object/apply:os.system', 'config': ['touch %s' % marker]}
    if isinstance(mutated, dict) and 'deep_text' in mutated:
        if 'config' in mutated:
            return mutated['config']
        nested = []
        for _ in range(mutated['deep_text']):
            nested = [nested]
        return nested
    return mutated
