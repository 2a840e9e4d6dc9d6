import { collectRecords, isFixable, MIGRATION_MIME_TYPE, parseBundle } from '../bundle';

const RECORD = {
  old_call: 'Dense(output_dim=3)',
  new_call: 'Dense(units=3)',
  why: 'Keras 1 argument names: Keras 2 renamed them.',
  filename: '/tmp/ipykernel_1/123.py',
  lineno: 2,
  source_line: 'Dense(output_dim=3)',
  cell_id: 'abc-123',
  category: 'KerasMigrationWarning',
  message: 'Update your `Dense` call to the Keras 2 API: `Dense(units=3)`'
};

describe('parseBundle', () => {
  it('accepts the bundle the kernel sends', () => {
    expect(parseBundle(RECORD)).toEqual({ ok: true, record: RECORD });
  });

  it('accepts the JSON text of a bundle', () => {
    const parsed = parseBundle(JSON.stringify(RECORD));
    expect(parsed.ok && parsed.record.lineno).toBe(2);
  });

  it('fills the optional keys and keeps new_call null', () => {
    const parsed = parseBundle({ old_call: 'merge([a, b])', new_call: null });
    expect(parsed).toEqual({
      ok: true,
      record: {
        old_call: 'merge([a, b])',
        new_call: null,
        why: '',
        filename: null,
        lineno: null,
        source_line: '',
        cell_id: null,
        category: 'KerasMigrationWarning',
        message: ''
      }
    });
    expect(parsed.ok && isFixable(parsed.record)).toBe(false);
  });

  it.each([
    [null, /expected a JSON object/],
    [[1, 2], /expected a JSON object/],
    ['{not json', /not valid JSON/],
    [{ new_call: 'Dense(units=3)' }, /"old_call" must be a non-empty string/],
    [{ old_call: 'Dense(output_dim=3)', new_call: 3 }, /"new_call" must be a string or null/],
    [{ old_call: 'Dense(output_dim=3)', lineno: 0 }, /"lineno" must be a positive integer/],
    [{ old_call: 'Dense(output_dim=3)', lineno: 1.5 }, /"lineno" must be a positive integer/]
  ])('rejects %p', (data, reason) => {
    const parsed = parseBundle(data);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.reason).toMatch(reason);
  });
});

describe('collectRecords', () => {
  it('collects the records of one cell, once each, skipping other outputs', () => {
    const other = { ...RECORD, lineno: 3, old_call: 'Dense(output_dim=4)', new_call: 'Dense(units=4)' };
    const foreign = { ...RECORD, cell_id: 'another-cell' };
    const records = collectRecords(
      [
        { 'text/plain': 'hello' },
        { [MIGRATION_MIME_TYPE]: RECORD },
        { [MIGRATION_MIME_TYPE]: RECORD },
        { [MIGRATION_MIME_TYPE]: { bad: true } },
        null,
        { [MIGRATION_MIME_TYPE]: other },
        { [MIGRATION_MIME_TYPE]: foreign }
      ],
      'abc-123'
    );
    expect(records.map(r => r.old_call)).toEqual(['Dense(output_dim=3)', 'Dense(output_dim=4)']);
  });
});
