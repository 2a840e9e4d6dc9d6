/**
 * The migration bundle that `kernelkit.widgets.migration` displays with one card per Keras 1 call.
 *
 * Pure functions: nothing here touches JupyterLab, so the Jest tests run them under Node.
 */

/** The MIME type of a migration card's structured data. */
export const MIGRATION_MIME_TYPE = 'application/vnd.kernelkit.migration+json';

/** One Keras 1 call reported by the kernel (the JSON of a migration bundle). */
export interface IMigrationRecord {
  /** The Keras 1 call as written (may span several lines). */
  old_call: string;
  /** Its Keras 2 replacement, or null when there is no automatic one. */
  new_call: string | null;
  /** Why the call changed (one line). */
  why: string;
  /** The file `warnings` reported (an IPython cell file name in a notebook). */
  filename: string | null;
  /** The 1-based line of the call in the cell, or null when unknown. */
  lineno: number | null;
  /** The source line the call starts on (stripped). */
  source_line: string;
  /** The notebook cell id of the cell that ran, when the front end sent one. */
  cell_id: string | null;
  /** The warning class name (`KerasMigrationWarning`). */
  category: string;
  /** The full warning text. */
  message: string;
}

/** The result of `parseBundle`: a record, or the reason why the data is not one. */
export type ParseResult =
  | { ok: true; record: IMigrationRecord }
  | { ok: false; reason: string };

function optionalString(data: Record<string, unknown>, key: string): string | null {
  const value = data[key];
  if (value === undefined || value === null) {
    return null;
  }
  return typeof value === 'string' ? value : String(value);
}

/**
 * Validates the JSON of a migration bundle and normalises it into an `IMigrationRecord`.
 *
 * Arguments:
 *   data: the value stored under `MIGRATION_MIME_TYPE` in an output (an object, or its JSON text).
 *
 * Returns:
 *   `{ok: true, record}`, or `{ok: false, reason}` naming the missing or badly typed key.
 */
export function parseBundle(data: unknown): ParseResult {
  if (typeof data === 'string') {
    try {
      data = JSON.parse(data);
    } catch (error) {
      return { ok: false, reason: `migration bundle: not valid JSON (${String(error)})` };
    }
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    return { ok: false, reason: 'migration bundle: expected a JSON object' };
  }
  const obj = data as Record<string, unknown>;
  if (typeof obj.old_call !== 'string' || obj.old_call.length === 0) {
    return { ok: false, reason: 'migration bundle: "old_call" must be a non-empty string' };
  }
  if (obj.new_call !== undefined && obj.new_call !== null && typeof obj.new_call !== 'string') {
    return { ok: false, reason: 'migration bundle: "new_call" must be a string or null' };
  }
  let lineno: number | null = null;
  if (obj.lineno !== undefined && obj.lineno !== null) {
    const parsed = typeof obj.lineno === 'number' ? obj.lineno : Number(obj.lineno);
    if (!Number.isInteger(parsed) || parsed < 1) {
      return { ok: false, reason: 'migration bundle: "lineno" must be a positive integer or null' };
    }
    lineno = parsed;
  }
  return {
    ok: true,
    record: {
      old_call: obj.old_call,
      new_call: (obj.new_call as string | null | undefined) ?? null,
      why: optionalString(obj, 'why') ?? '',
      filename: optionalString(obj, 'filename'),
      lineno,
      source_line: optionalString(obj, 'source_line') ?? '',
      cell_id: optionalString(obj, 'cell_id'),
      category: optionalString(obj, 'category') ?? 'KerasMigrationWarning',
      message: optionalString(obj, 'message') ?? ''
    }
  };
}

/** Whether a record has an automatic fix (a Keras 2 call to put in place of the old one). */
export function isFixable(record: IMigrationRecord): boolean {
  return typeof record.new_call === 'string' && record.new_call.length > 0;
}

/**
 * Collects the migration records of a list of output bundles (for example a cell's outputs), in order and
 * without duplicates (the same call at the same line counts once). Invalid bundles are skipped.
 *
 * Arguments:
 *   bundles: the `data` objects of the outputs (MIME type -> value).
 *   cellId: when given, only records whose `cell_id` is this id or null are kept.
 *
 * Returns:
 *   The records.
 */
export function collectRecords(
  bundles: ReadonlyArray<Record<string, unknown> | null | undefined>,
  cellId?: string | null
): IMigrationRecord[] {
  const seen = new Set<string>();
  const records: IMigrationRecord[] = [];
  for (const bundle of bundles) {
    if (!bundle || !(MIGRATION_MIME_TYPE in bundle)) {
      continue;
    }
    const parsed = parseBundle(bundle[MIGRATION_MIME_TYPE]);
    if (!parsed.ok) {
      continue;
    }
    const record = parsed.record;
    if (cellId && record.cell_id && record.cell_id !== cellId) {
      continue;
    }
    const key = `${record.lineno}\u0000${record.old_call}\u0000${record.new_call}`;
    if (!seen.has(key)) {
      seen.add(key);
      records.push(record);
    }
  }
  return records;
}
