/**
 * Small text helpers for applying migrations: a unified line diff for the "Migrate notebook" dialog and the
 * minimal single edit that turns one text into another (so the shared model records a small, undoable edit).
 */

/** One edit: replace `[start, end)` of the old text by `text`. */
export interface ITextEdit {
  start: number;
  end: number;
  text: string;
}

/**
 * The smallest single replacement that turns `before` into `after` (common prefix and suffix kept).
 *
 * Returns:
 *   The edit, or null when the texts are equal.
 */
export function minimalEdit(before: string, after: string): ITextEdit | null {
  if (before === after) {
    return null;
  }
  let start = 0;
  const limit = Math.min(before.length, after.length);
  while (start < limit && before[start] === after[start]) {
    start++;
  }
  let endBefore = before.length;
  let endAfter = after.length;
  while (endBefore > start && endAfter > start && before[endBefore - 1] === after[endAfter - 1]) {
    endBefore--;
    endAfter--;
  }
  return { start, end: endBefore, text: after.slice(start, endAfter) };
}

/**
 * A unified diff (`-`, `+` and ` ` lines with `@@` hunk headers, 2 lines of context) between two texts.
 *
 * Arguments:
 *   before, after: the old and the new text.
 *   name: the name shown in the `---`/`+++` header lines.
 *
 * Returns:
 *   The diff text; '' when the texts are equal.
 */
export function unifiedDiff(before: string, after: string, name = 'cell'): string {
  if (before === after) {
    return '';
  }
  const a = before.split('\n');
  const b = after.split('\n');
  // Longest common subsequence table (cells are small).
  const lcs: number[][] = Array.from({ length: a.length + 1 }, () => new Array(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  const ops: { kind: ' ' | '-' | '+'; text: string; ai: number; bi: number }[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      ops.push({ kind: ' ', text: a[i], ai: i++, bi: j++ });
    } else if (i < a.length && (j >= b.length || lcs[i + 1][j] >= lcs[i][j + 1])) {
      ops.push({ kind: '-', text: a[i], ai: i++, bi: j });
    } else {
      ops.push({ kind: '+', text: b[j], ai: i, bi: j++ });
    }
  }
  const context = 2;
  const lines = [`--- a/${name}`, `+++ b/${name}`];
  let k = 0;
  while (k < ops.length) {
    if (ops[k].kind === ' ') {
      k++;
      continue;
    }
    let from = Math.max(0, k - context);
    let to = k;
    while (to < ops.length) {
      if (ops[to].kind !== ' ') {
        to++;
        continue;
      }
      let run = to;
      while (run < ops.length && ops[run].kind === ' ') {
        run++;
      }
      if (run >= ops.length || run - to > 2 * context) {
        to = Math.min(run, to + context);
        break;
      }
      to = run;
    }
    const hunk = ops.slice(from, to);
    const aCount = hunk.filter(op => op.kind !== '+').length;
    const bCount = hunk.filter(op => op.kind !== '-').length;
    lines.push(`@@ -${hunk[0].ai + 1},${aCount} +${hunk[0].bi + 1},${bCount} @@`);
    for (const op of hunk) {
      lines.push(op.kind + op.text);
    }
    from = to;
    k = to;
  }
  return lines.join('\n') + '\n';
}
