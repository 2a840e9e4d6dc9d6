import { minimalEdit, unifiedDiff } from '../diff';

describe('minimalEdit', () => {
  it('keeps the common prefix and suffix', () => {
    const before = 'a = Dense(output_dim=3)\nb = 1\n';
    const after = 'a = Dense(units=3)\nb = 1\n';
    const edit = minimalEdit(before, after);
    expect(edit).toEqual({ start: 10, end: 20, text: 'units' });
    const e = edit!;
    expect(before.slice(0, e.start) + e.text + before.slice(e.end)).toBe(after);
  });

  it('is null for equal texts', () => {
    expect(minimalEdit('x', 'x')).toBeNull();
  });
});

describe('unifiedDiff', () => {
  it('shows the changed line with context', () => {
    const before = ['import x', 'a = 1', 'Dense(output_dim=3)', 'b = 2', 'c = 3', 'd = 4', 'e = 5'].join('\n');
    const after = before.replace('output_dim', 'units');
    expect(unifiedDiff(before, after, 'cell 2')).toBe(
      [
        '--- a/cell 2',
        '+++ b/cell 2',
        '@@ -1,5 +1,5 @@',
        ' import x',
        ' a = 1',
        '-Dense(output_dim=3)',
        '+Dense(units=3)',
        ' b = 2',
        ' c = 3',
        ''
      ].join('\n')
    );
  });

  it('is empty for equal texts', () => {
    expect(unifiedDiff('a', 'a')).toBe('');
  });
});
