import { applyAll, applyFix } from '../rewrite';

describe('applyFix', () => {
  it('replaces a call on its line', () => {
    const source = 'from kernelkit.layers import Dense\nlayer = Dense(output_dim=3)\n';
    const result = applyFix(source, { old_call: 'Dense(output_dim=3)', new_call: 'Dense(units=3)', lineno: 2 });
    expect(result).toEqual({
      source: 'from kernelkit.layers import Dense\nlayer = Dense(units=3)\n',
      ok: true,
      reason: ''
    });
  });

  it('keeps the qualified prefix the user wrote', () => {
    const source = "import kernelkit as keras\nx = keras.layers.Dense(10, init='normal')(x)\n";
    const result = applyFix(source, {
      old_call: "keras.layers.Dense(10, init='normal')",
      new_call: 'Dense(10, kernel_initializer="normal")',
      lineno: 2
    });
    expect(result.ok).toBe(true);
    expect(result.source).toBe(
      'import kernelkit as keras\nx = keras.layers.Dense(10, kernel_initializer="normal")(x)\n'
    );
  });

  it('matches whatever quotes and spacing the card used', () => {
    const source = "m.add(keras.layers.Dense(10, init = 'normal'))";
    const result = applyFix(source, {
      old_call: 'Dense(10, init="normal")',
      new_call: 'keras.layers.Dense(10, kernel_initializer="normal")',
      lineno: 1
    });
    expect(result.source).toBe('m.add(keras.layers.Dense(10, kernel_initializer="normal"))');
  });

  it('rewrites a call written over several lines', () => {
    const source = [
      'model.add(Convolution2D(8, 3, 3,',
      "                        border_mode='same',  # keep the size",
      "                        activation='relu'))",
      'model.add(Flatten())'
    ].join('\n');
    const oldCall = [
      'Convolution2D(8, 3, 3,',
      "                        border_mode='same',  # keep the size",
      "                        activation='relu')"
    ].join('\n');
    const result = applyFix(source, {
      old_call: oldCall,
      new_call: 'Conv2D(8, (3, 3), padding="same", activation="relu")',
      lineno: 1
    });
    expect(result.ok).toBe(true);
    // Conv2D is not imported in the cell, so the user's own (bare) name stays.
    expect(result.source).toBe(
      'model.add(Convolution2D(8, (3, 3), padding="same", activation="relu"))\nmodel.add(Flatten())'
    );
  });

  it('uses the Keras 2 class name after a module prefix or when it is already imported', () => {
    const qualified = applyFix('keras.layers.Convolution2D(8, 3, 3)', {
      old_call: 'keras.layers.Convolution2D(8, 3, 3)',
      new_call: 'Conv2D(8, (3, 3))',
      lineno: 1
    });
    expect(qualified.source).toBe('keras.layers.Conv2D(8, (3, 3))');
    const imported = applyFix('from keras.layers import Conv2D, Convolution2D\nConvolution2D(8, 3, 3)', {
      old_call: 'Convolution2D(8, 3, 3)',
      new_call: 'Conv2D(8, (3, 3))',
      lineno: 2
    });
    expect(imported.source).toBe('from keras.layers import Conv2D, Convolution2D\nConv2D(8, (3, 3))');
  });

  it('picks the call on the record line when the same text appears elsewhere', () => {
    const source = 'a = Dense(output_dim=3)\nb = Dense(output_dim=3)\n';
    const result = applyFix(source, { old_call: 'Dense(output_dim=3)', new_call: 'Dense(units=3)', lineno: 2 });
    expect(result.source).toBe('a = Dense(output_dim=3)\nb = Dense(units=3)\n');
  });

  it('rewrites only the matching call when several calls share a line', () => {
    const source = 'a, b = Dense(output_dim=3), Dense(output_dim=4)';
    const result = applyFix(source, { old_call: 'Dense(output_dim=4)', new_call: 'Dense(units=4)', lineno: 1 });
    expect(result.source).toBe('a, b = Dense(output_dim=3), Dense(units=4)');
  });

  it('does not touch the text inside strings, comments or longer names', () => {
    const source = [
      "print('Dense(output_dim=3)')  # Dense(output_dim=3)",
      'MyDense(output_dim=3)',
      'Dense(output_dim=3)'
    ].join('\n');
    const result = applyFix(source, { old_call: 'Dense(output_dim=3)', new_call: 'Dense(units=3)', lineno: 1 });
    expect(result.source).toBe(
      ["print('Dense(output_dim=3)')  # Dense(output_dim=3)", 'MyDense(output_dim=3)', 'Dense(units=3)'].join('\n')
    );
  });

  it('reports a call that is not in the cell any more', () => {
    const source = 'layer = Dense(units=3)\n';
    const result = applyFix(source, { old_call: 'Dense(output_dim=3)', new_call: 'Dense(units=3)', lineno: 1 });
    expect(result.ok).toBe(false);
    expect(result.source).toBe(source);
    expect(result.reason).toMatch(/no longer in the cell at line 1/);
  });

  it('reports a record without a replacement', () => {
    const result = applyFix('merge([a, b])', { old_call: 'merge([a, b])', new_call: null, lineno: 1 });
    expect(result.ok).toBe(false);
    expect(result.reason).toMatch(/no automatic Keras 2 replacement/);
  });
});

describe('applyAll', () => {
  it('applies every record of a cell, from the bottom up', () => {
    const source = [
      'model.add(Dense(output_dim=64, input_dim=100, init="uniform"))',
      'model.add(Dense(output_dim=10))',
      'model.fit(x, y, nb_epoch=5)'
    ].join('\n');
    const result = applyAll(source, [
      {
        old_call: 'Dense(output_dim=64, input_dim=100, init="uniform")',
        new_call: 'Dense(units=64, input_dim=100, kernel_initializer="uniform")',
        lineno: 1
      },
      { old_call: 'Dense(output_dim=10)', new_call: 'Dense(units=10)', lineno: 2 },
      { old_call: 'model.fit(x, y, nb_epoch=5)', new_call: 'fit(x, y, epochs=5)', lineno: 3 }
    ]);
    expect(result.ok).toBe(true);
    expect(result.applied).toBe(3);
    expect(result.source).toBe(
      [
        'model.add(Dense(units=64, input_dim=100, kernel_initializer="uniform"))',
        'model.add(Dense(units=10))',
        'model.fit(x, y, epochs=5)'
      ].join('\n')
    );
  });

  it('applies two records on one line and reports the one it cannot find', () => {
    const source = 'a, b = Dense(output_dim=3), Dense(output_dim=4)\n';
    const result = applyAll(source, [
      { old_call: 'Dense(output_dim=3)', new_call: 'Dense(units=3)', lineno: 1 },
      { old_call: 'Dense(output_dim=4)', new_call: 'Dense(units=4)', lineno: 1 },
      { old_call: 'Dense(output_dim=5)', new_call: 'Dense(units=5)', lineno: 2 }
    ]);
    expect(result.source).toBe('a, b = Dense(units=3), Dense(units=4)\n');
    expect(result.applied).toBe(2);
    expect(result.ok).toBe(false);
    expect(result.failed.map(f => f.record.old_call)).toEqual(['Dense(output_dim=5)']);
  });

  it('handles a call nested in another rewritten call', () => {
    const source = 'TimeDistributed(Dense(output_dim=3), name="td")';
    const result = applyAll(source, [
      { old_call: 'Dense(output_dim=3)', new_call: 'Dense(units=3)', lineno: 1 },
      {
        old_call: 'TimeDistributed(Dense(output_dim=3), name="td")',
        new_call: 'TimeDistributed(Dense(units=3), name="td2")',
        lineno: 1
      }
    ]);
    expect(result.applied).toBe(2);
    expect(result.ok).toBe(true);
    expect(result.source).toBe('TimeDistributed(Dense(units=3), name="td2")');
  });
});
