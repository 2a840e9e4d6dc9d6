/**
 * What the card's buttons and the commands do: Apply fix, Apply all in this cell, Migrate cell, Migrate notebook.
 */
import { Dialog, showDialog, showErrorMessage } from '@jupyterlab/apputils';
import type { Cell } from '@jupyterlab/cells';
import type { NotebookPanel } from '@jupyterlab/notebook';
import { Widget } from '@lumino/widgets';

import { collectRecords, IMigrationRecord, isFixable } from './bundle';
import { outputBundles, setCellSource } from './cells';
import { unifiedDiff } from './diff';
import { IMigrateCellResult, migrateCells, migrateCode } from './requests';
import { applyAll, applyFix, IFixRecord } from './rewrite';

/** The outcome of an action, for the card's status line. */
export interface IActionResult {
  ok: boolean;
  message: string;
}

/**
 * The replacement text for a record's call. The card's `new_call` spells argument values as the kernel saw
 * them (`Dense(units=3)` for `Dense(output_dim=n)`), so the call as written is migrated by the server's
 * migrator first, which keeps the user's expressions; the card's `new_call` is the fallback.
 */
async function fixRecord(record: IMigrationRecord): Promise<IFixRecord> {
  try {
    const answer = await migrateCode(record.old_call);
    if (!answer.error && answer.changed && answer.code.trim()) {
      return { old_call: record.old_call, new_call: answer.code.trim(), lineno: record.lineno };
    }
  } catch (error) {
    console.warn('kernelkit: the migrator route is not available, using the card\'s Keras 2 call', error);
  }
  return { old_call: record.old_call, new_call: record.new_call, lineno: record.lineno };
}

/**
 * Rewrites one record's call in a cell.
 *
 * Returns:
 *   Whether it was applied, and a message for the user.
 */
export async function applyRecord(cell: Cell, record: IMigrationRecord): Promise<IActionResult> {
  if (!isFixable(record)) {
    return { ok: false, message: 'This call has no automatic Keras 2 replacement.' };
  }
  const fix = await fixRecord(record);
  const result = applyFix(cell.model.sharedModel.getSource(), fix);
  if (!result.ok) {
    return { ok: false, message: `Not applied: ${result.reason}.` };
  }
  setCellSource(cell, result.source);
  return { ok: true, message: 'Applied. Run the cell again to check.' };
}

/**
 * Rewrites every call the cell's migration cards report.
 *
 * Returns:
 *   Whether all were applied, and a message for the user.
 */
export async function applyCellRecords(cell: Cell): Promise<IActionResult> {
  const records = collectRecords(outputBundles(cell), cell.model.id).filter(isFixable);
  if (records.length === 0) {
    return { ok: false, message: 'No Keras 1 call with an automatic fix in this cell\'s output.' };
  }
  const fixes = await Promise.all(records.map(fixRecord));
  const result = applyAll(cell.model.sharedModel.getSource(), fixes);
  if (result.applied) {
    setCellSource(cell, result.source);
  }
  if (result.ok) {
    return { ok: true, message: `Applied ${result.applied} fix${result.applied === 1 ? '' : 'es'}.` };
  }
  const reasons = result.failed.map(f => f.reason).join('; ');
  return { ok: false, message: `Applied ${result.applied} of ${records.length}. Not applied: ${reasons}.` };
}

function errorText(error: { line: number; column: number; message: string }): string {
  return `cannot parse the cell: line ${error.line}, column ${error.column}: ${error.message}`;
}

/**
 * Migrates a whole cell's source with the server's migrator (the "Keras 2" cell toolbar button).
 *
 * Returns:
 *   Whether the cell changed (or needed nothing), and a message. A parse error leaves the cell unchanged.
 */
export async function migrateCell(cell: Cell): Promise<IActionResult> {
  if (cell.model.type !== 'code') {
    return { ok: false, message: 'Only code cells can be migrated.' };
  }
  const source = cell.model.sharedModel.getSource();
  const answer = await migrateCode(source);
  if (answer.error) {
    return { ok: false, message: errorText(answer.error) };
  }
  if (!answer.changed) {
    return { ok: true, message: 'Nothing to migrate: the cell is Keras 2 code already.' };
  }
  if (cell.model.sharedModel.getSource() !== source) {
    return { ok: false, message: 'The cell changed while it was being migrated; try again.' };
  }
  setCellSource(cell, answer.code);
  const review = answer.notes.filter(note => note.level !== 'INFO');
  const extra = review.length
    ? ` Review: ${review.map(n => `line ${n.line}: ${n.message}`).join('; ')}`
    : '';
  return { ok: true, message: `Migrated to Keras 2.${extra}` };
}

function dialogBody(results: { index: number; source: string; answer: IMigrateCellResult }[]): Widget {
  const body = document.createElement('div');
  body.className = 'kk-migrate-dialog';
  const changed = results.filter(r => r.answer.changed);
  const broken = results.filter(r => r.answer.error);
  if (changed.length === 0) {
    const p = document.createElement('p');
    p.textContent = 'No code cell needs a change.';
    body.appendChild(p);
  }
  for (const { index, source, answer } of results) {
    if (!answer.changed && !answer.error) {
      continue;
    }
    const section = document.createElement('div');
    section.className = answer.error ? 'kk-cell-diff kk-cell-error' : 'kk-cell-diff';
    section.dataset.cellId = answer.id;
    const title = document.createElement('div');
    title.textContent = `Cell ${index + 1}`;
    title.style.fontWeight = 'bold';
    section.appendChild(title);
    if (answer.error) {
      const p = document.createElement('div');
      p.textContent = `Left unchanged: ${errorText(answer.error)}`;
      section.appendChild(p);
    } else {
      const pre = document.createElement('pre');
      for (const line of unifiedDiff(source, answer.code, `cell ${index + 1}`).split('\n')) {
        const span = document.createElement('span');
        if (line.startsWith('+') && !line.startsWith('+++')) {
          span.className = 'kk-diff-add';
        } else if (line.startsWith('-') && !line.startsWith('---')) {
          span.className = 'kk-diff-del';
        }
        span.textContent = line + '\n';
        pre.appendChild(span);
      }
      section.appendChild(pre);
    }
    body.appendChild(section);
  }
  const summary = document.createElement('p');
  summary.className = 'kk-migrate-summary';
  summary.textContent = `${changed.length} cell(s) to change` + (broken.length ? `, ${broken.length} cannot be parsed.` : '.');
  body.insertBefore(summary, body.firstChild);
  return new Widget({ node: body });
}

/**
 * Migrates every code cell of a notebook: shows a dialog with a diff per changed cell and applies the
 * changes (through the shared models) when the user confirms. Cells that cannot be parsed stay unchanged.
 *
 * Returns:
 *   Whether changes were applied, and a message.
 */
export async function migrateNotebook(panel: NotebookPanel): Promise<IActionResult> {
  const cells = panel.content.widgets.filter(cell => cell.model.type === 'code');
  if (cells.length === 0) {
    return { ok: false, message: 'The notebook has no code cell.' };
  }
  const sources = cells.map(cell => cell.model.sharedModel.getSource());
  let answers: IMigrateCellResult[];
  try {
    answers = await migrateCells(cells.map((cell, i) => ({ id: cell.model.id, source: sources[i] })));
  } catch (error) {
    await showErrorMessage('Migrate notebook', String(error));
    return { ok: false, message: String(error) };
  }
  const results = answers.map((answer, i) => ({
    index: panel.content.widgets.indexOf(cells[i]),
    source: sources[i],
    answer
  }));
  const changed = results.filter(r => r.answer.changed);
  const buttons = changed.length
    ? [Dialog.cancelButton(), Dialog.okButton({ label: `Apply to ${changed.length} cell(s)` })]
    : [Dialog.okButton({ label: 'Close' })];
  const choice = await showDialog({ title: 'Migrate notebook to Keras 2', body: dialogBody(results), buttons });
  if (!changed.length || !choice.button.accept) {
    return { ok: false, message: changed.length ? 'Cancelled.' : 'Nothing to migrate.' };
  }
  let applied = 0;
  const skipped: number[] = [];
  for (const result of changed) {
    const cell = cells[results.indexOf(result)];
    if (cell.model.sharedModel.getSource() !== result.source) {
      skipped.push(result.index + 1);
      continue;
    }
    setCellSource(cell, result.answer.code);
    applied++;
  }
  const note = skipped.length ? ` Cells edited meanwhile, left as they are: ${skipped.join(', ')}.` : '';
  return { ok: skipped.length === 0, message: `Migrated ${applied} cell(s).${note}` };
}
