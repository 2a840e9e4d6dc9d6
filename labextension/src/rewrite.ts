/**
 * Locating a Keras 1 call in a cell's source and rewriting it as its Keras 2 form.
 *
 * Pure functions (no JupyterLab imports), unit-tested with Jest.
 *
 * Matching ignores what does not change the meaning of a call: whitespace and line breaks outside string
 * literals, comments, backslash continuations, and the kind of quote (`'normal'` matches `"normal"`). The call
 * is matched from its callee's last name on, so a qualified prefix the user wrote (`keras.layers.`) is kept in
 * the result even when the replacement has none (or another one).
 */

/** What `applyFix` needs of a migration record. */
export interface IFixRecord {
  old_call: string;
  new_call: string | null;
  lineno?: number | null;
}

/** The result of `applyFix`. */
export interface IFixResult {
  /** The new source (the unchanged source when `ok` is false). */
  source: string;
  /** Whether the call was found and replaced. */
  ok: boolean;
  /** Why it was not replaced (empty when `ok`). */
  reason: string;
}

/** The result of `applyAll`. */
export interface IFixAllResult {
  source: string;
  /** True when every record was applied. */
  ok: boolean;
  /** How many records were applied. */
  applied: number;
  /** The records that could not be applied, with the reason. */
  failed: { record: IFixRecord; reason: string }[];
}

interface ISignificant {
  /** The significant characters (quotes normalised to `"`). */
  text: string;
  /** For each significant character, its offset in the original text. */
  offsets: number[];
  /** For each significant character, whether it lies inside a string literal (quotes excluded). */
  inString: boolean[];
}

const IDENT_START = /[A-Za-z_]/;
const IDENT_CHAR = /[A-Za-z0-9_]/;

/** Reduces Python source to its significant characters, remembering where each came from. */
function significant(text: string): ISignificant {
  const out: string[] = [];
  const offsets: number[] = [];
  const inString: boolean[] = [];
  const push = (ch: string, offset: number, str: boolean) => {
    out.push(ch);
    offsets.push(offset);
    inString.push(str);
  };
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (ch === '#') {
      while (i < text.length && text[i] !== '\n') {
        i++;
      }
      continue;
    }
    if (ch === '\\' && (text[i + 1] === '\n' || (text[i + 1] === '\r' && text[i + 2] === '\n'))) {
      i += text[i + 1] === '\n' ? 2 : 3;
      continue;
    }
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if (ch === '"' || ch === "'") {
      const triple = text.substr(i, 3) === ch.repeat(3);
      const quote = triple ? ch.repeat(3) : ch;
      push('"', i, false);
      if (triple) {
        push('"', i + 1, false);
        push('"', i + 2, false);
      }
      i += quote.length;
      while (i < text.length && text.substr(i, quote.length) !== quote) {
        if (!triple && text[i] === '\n') {
          break; // an unterminated one-line string: stop at the line end
        }
        if (text[i] === '\\' && i + 1 < text.length) {
          push(text[i], i, true);
          push(text[i + 1], i + 1, true);
          i += 2;
          continue;
        }
        push(text[i], i, true);
        i++;
      }
      if (text.substr(i, quote.length) === quote) {
        for (let k = 0; k < quote.length; k++) {
          push('"', i + k, false);
        }
        i += quote.length;
      }
      continue;
    }
    push(ch, i, false);
    i++;
  }
  return { text: out.join(''), offsets, inString };
}

interface ICallee {
  /** The dotted prefix including the last dot (`keras.layers.`), or ''. */
  prefix: string;
  /** The callee's last name (`Dense`). */
  name: string;
  /** The text from the name on (`Dense(10, ...)`). */
  tail: string;
}

/** Splits `keras.layers.Dense(...)` into its prefix, name and tail. Null when the text is not a call. */
function splitCallee(call: string): ICallee | null {
  const match = /^\s*((?:[A-Za-z_][A-Za-z0-9_]*\s*\.\s*)*)([A-Za-z_][A-Za-z0-9_]*)\s*\(/.exec(call);
  if (!match) {
    return null;
  }
  const start = match.index + match[0].indexOf(match[2], match[1].length);
  return { prefix: match[1].replace(/\s+/g, ''), name: match[2], tail: call.slice(start).trim() };
}

interface ISpan {
  /** Offset of the callee's last name in the source. */
  start: number;
  /** Offset just after the call's closing parenthesis. */
  end: number;
  /** 1-based line of `start`. */
  line: number;
  /** The qualified prefix written in the source before the name (`keras.layers.`), or ''. */
  prefix: string;
  /** The callee name written in the source. */
  name: string;
}

function lineOf(source: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < source.length; i++) {
    if (source[i] === '\n') {
      line++;
    }
  }
  return line;
}

function sourcePrefix(source: string, nameStart: number): string {
  const before = source.slice(Math.max(0, nameStart - 400), nameStart);
  const match = /((?:[A-Za-z_][A-Za-z0-9_]*[ \t]*\.[ \t]*)+)$/.exec(before);
  return match ? match[1] : '';
}

/** Every place in `source` where the call `oldCall` (from its callee name on) is written. */
function findCalls(source: string, oldCall: string): ISpan[] {
  const callee = splitCallee(oldCall);
  if (!callee) {
    return [];
  }
  const sig = significant(source);
  const wanted = significant(callee.tail).text;
  const spans: ISpan[] = [];
  if (!wanted) {
    return spans;
  }
  let from = 0;
  for (;;) {
    const at = sig.text.indexOf(wanted, from);
    if (at < 0) {
      break;
    }
    from = at + 1;
    const previous = at > 0 ? sig.text[at - 1] : '';
    const previousOffset = at > 0 ? sig.offsets[at - 1] : -1;
    const start = sig.offsets[at];
    // A word boundary before the name: no identifier character right before it in the source.
    const touching = previousOffset === start - 1 && IDENT_CHAR.test(previous);
    if (sig.inString[at] || touching || !IDENT_START.test(sig.text[at])) {
      continue;
    }
    const end = sig.offsets[at + wanted.length - 1] + 1;
    spans.push({ start, end, line: lineOf(source, start), prefix: sourcePrefix(source, start), name: callee.name });
  }
  return spans;
}

/** Picks the spans of the record's call: those on its line, else the ones nearest to it. */
function chooseSpans(spans: ISpan[], lineno: number | null | undefined, source: string): ISpan[] {
  if (spans.length === 0) {
    return [];
  }
  if (!lineno) {
    return [spans[0]];
  }
  const onLine = spans.filter(span => span.line === lineno);
  if (onLine.length) {
    return onLine;
  }
  const covering = spans.filter(span => span.line <= lineno && lineOf(source, span.end) >= lineno);
  if (covering.length) {
    return [covering[covering.length - 1]];
  }
  let best = spans[0];
  for (const span of spans) {
    if (Math.abs(span.line - lineno) < Math.abs(best.line - lineno)) {
      best = span;
    }
  }
  return [best];
}

function isBound(source: string, name: string): boolean {
  return new RegExp(`(^|[^A-Za-z0-9_.])${name}([^A-Za-z0-9_]|$)`).test(source);
}

/**
 * The text that replaces one located call: the source's prefix, then the new call from its name on. When the
 * user wrote a bare name (`Convolution2D(...)`, imported by that name) and the new call renames the class
 * (`Conv2D(...)`) to a name the cell never mentions, the user's name is kept so the code still runs.
 */
function replacementFor(source: string, span: ISpan, newCall: string): string | null {
  const callee = splitCallee(newCall);
  if (!callee) {
    return null;
  }
  let tail = callee.tail;
  if (!span.prefix && callee.name !== span.name && !isBound(source, callee.name)) {
    tail = span.name + tail.slice(callee.name.length);
  }
  return tail;
}

interface IEdit {
  start: number;
  end: number;
  text: string;
}

function locate(source: string, record: IFixRecord): { edits: IEdit[]; reason: string } {
  if (!record || typeof record.old_call !== 'string' || !record.old_call.trim()) {
    return { edits: [], reason: 'the record has no old call' };
  }
  if (typeof record.new_call !== 'string' || !record.new_call.trim()) {
    return { edits: [], reason: 'this call has no automatic Keras 2 replacement' };
  }
  if (!splitCallee(record.new_call)) {
    return { edits: [], reason: `the replacement is not a call: ${record.new_call}` };
  }
  const spans = chooseSpans(findCalls(source, record.old_call), record.lineno, source);
  if (spans.length === 0) {
    const where = record.lineno ? ` at line ${record.lineno}` : '';
    return {
      edits: [],
      reason: `the call ${record.old_call.trim()} is no longer in the cell${where} (was the cell edited?)`
    };
  }
  const edits: IEdit[] = [];
  for (const span of spans) {
    const text = replacementFor(source, span, record.new_call);
    if (text !== null) {
      edits.push({ start: span.start, end: span.end, text });
    }
  }
  return { edits, reason: '' };
}

function applyEdits(source: string, edits: IEdit[]): string {
  let result = source;
  for (const edit of [...edits].sort((a, b) => b.start - a.start)) {
    result = result.slice(0, edit.start) + edit.text + result.slice(edit.end);
  }
  return result;
}

/**
 * Replaces the Keras 1 call of a migration record by its Keras 2 form in a cell's source.
 *
 * Arguments:
 *   source: the cell's current source.
 *   record: `old_call` (as written, may span lines), `new_call` (the Keras 2 call) and `lineno` (1-based line
 *     of the call in the cell; the call on that line wins over the same text elsewhere).
 *
 * Returns:
 *   `{source, ok, reason}`: the new source, or the unchanged source with `ok` false and the reason (the call
 *   is not in the cell any more, or the record has no replacement).
 */
export function applyFix(source: string, record: IFixRecord): IFixResult {
  if (typeof source !== 'string') {
    return { source: String(source ?? ''), ok: false, reason: 'the cell source is not text' };
  }
  const { edits, reason } = locate(source, record);
  if (edits.length === 0) {
    return { source, ok: false, reason: reason || 'the call could not be rewritten' };
  }
  return { source: applyEdits(source, edits), ok: true, reason: '' };
}

/**
 * Applies several records to one cell's source. Every call is located in the original source first and the
 * edits are made from the bottom of the cell up (so earlier positions stay valid); of two nested calls the
 * outer one is rewritten. Records whose call is not found, or whose call overlaps one already rewritten, are reported in
 * `failed`; the others are applied.
 *
 * Arguments:
 *   source: the cell's current source.
 *   records: the migration records of the cell.
 *
 * Returns:
 *   `{source, ok, applied, failed}`.
 */
export function applyAll(source: string, records: ReadonlyArray<IFixRecord>): IFixAllResult {
  const failed: { record: IFixRecord; reason: string }[] = [];
  const planned: { record: IFixRecord; edits: IEdit[] }[] = [];
  for (const record of records) {
    const { edits, reason } = locate(source, record);
    if (edits.length === 0) {
      failed.push({ record, reason: reason || 'the call could not be rewritten' });
    } else {
      planned.push({ record, edits });
    }
  }
  // Outer calls first: a call nested in a rewritten call is covered by the outer replacement when that
  // replacement already holds the inner call's Keras 2 form; otherwise it is retried on the result.
  planned.sort((a, b) => b.edits[0].end - b.edits[0].start - (a.edits[0].end - a.edits[0].start));
  const taken: IEdit[] = [];
  let applied = 0;
  const nested: IFixRecord[] = [];
  for (const plan of planned) {
    const outer = taken.filter(t => plan.edits.some(edit => edit.start < t.end && t.start < edit.end));
    if (outer.length) {
      const inner = splitCallee(plan.record.new_call as string);
      const covered = inner && outer.some(t => significant(t.text).text.includes(significant(inner.tail).text));
      if (covered) {
        applied++;
      } else {
        nested.push(plan.record);
      }
      continue;
    }
    taken.push(...plan.edits);
    applied++;
  }
  let result = applyEdits(source, taken);
  for (const record of nested) {
    const again = applyFix(result, record);
    if (again.ok) {
      result = again.source;
      applied++;
    } else {
      failed.push({ record, reason: again.reason });
    }
  }
  return { source: result, ok: failed.length === 0, applied, failed };
}
