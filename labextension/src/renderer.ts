/**
 * The migration card: a mime renderer for `application/vnd.kernelkit.migration+json` with the actions
 * Apply fix, Apply all in this cell and Migrate notebook.
 *
 * DOM (stable class names, for tests and styling):
 *   div.kk-migration-card[data-cell-id][data-lineno]
 *     span.kk-title, span.kk-where
 *     div > code.kk-old-call     the Keras 1 call
 *     div > code.kk-new-call     the Keras 2 call (or span.kk-no-fix)
 *     div.kk-why
 *     div.kk-actions > button.kk-apply-fix, button.kk-apply-all, button.kk-migrate-notebook, span.kk-status
 */
import type { INotebookTracker } from '@jupyterlab/notebook';
import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { Widget } from '@lumino/widgets';

import { applyCellRecords, applyRecord, IActionResult, migrateNotebook } from './actions';
import { IMigrationRecord, isFixable, MIGRATION_MIME_TYPE, parseBundle } from './bundle';
import { findCell } from './cells';

export const CARD_CLASS = 'kk-migration-card';

function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className: string,
  text?: string
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) {
    node.className = className;
  }
  if (text !== undefined) {
    node.textContent = text;
  }
  return node;
}

/** The widget that renders one migration bundle. */
export class MigrationCard extends Widget implements IRenderMime.IRenderer {
  constructor(private readonly _tracker: INotebookTracker) {
    super();
    this.addClass(CARD_CLASS);
  }

  /** The record last rendered (null when the data was not a valid bundle). */
  record: IMigrationRecord | null = null;

  /** Renders the bundle's data. */
  async renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    const node = this.node;
    node.textContent = '';
    const parsed = parseBundle(model.data[MIGRATION_MIME_TYPE]);
    if (!parsed.ok) {
      this.record = null;
      node.appendChild(element('div', 'kk-status kk-error', parsed.reason));
      return;
    }
    const record = (this.record = parsed.record);
    node.dataset.cellId = record.cell_id ?? '';
    node.dataset.lineno = record.lineno ? String(record.lineno) : '';

    const header = element('div', '');
    header.appendChild(element('span', 'kk-title', 'Keras 1 \u2192 2'));
    header.appendChild(element('span', 'kk-where', record.lineno ? `line ${record.lineno}` : ''));
    node.appendChild(header);

    const oldRow = element('div', 'kk-old-row');
    oldRow.appendChild(element('code', 'kk-old-call', record.old_call));
    node.appendChild(oldRow);
    const newRow = element('div', 'kk-new-row');
    if (isFixable(record)) {
      newRow.appendChild(document.createTextNode('\u2192 '));
      newRow.appendChild(element('code', 'kk-new-call', record.new_call as string));
    } else {
      newRow.appendChild(element('span', 'kk-no-fix', record.message || 'No automatic Keras 2 replacement.'));
    }
    node.appendChild(newRow);
    if (record.why && isFixable(record)) {
      node.appendChild(element('div', 'kk-why', record.why));
    }

    const actions = element('div', 'kk-actions');
    const status = element('span', 'kk-status');
    const button = (className: string, label: string, title: string, run: () => Promise<IActionResult>) => {
      const b = element('button', `jp-Button ${className}`, label);
      b.type = 'button';
      b.title = title;
      b.addEventListener('click', async () => {
        b.disabled = true;
        status.classList.remove('kk-error');
        status.textContent = '\u2026';
        try {
          const result = await run();
          status.textContent = result.message;
          status.classList.toggle('kk-error', !result.ok);
        } catch (error) {
          status.textContent = String(error);
          status.classList.add('kk-error');
        } finally {
          b.disabled = false;
        }
      });
      actions.appendChild(b);
      return b;
    };
    const fix = button('kk-apply-fix', 'Apply fix', 'Rewrite this call as Keras 2 in its cell', () =>
      this._withCell(cell => applyRecord(cell, record))
    );
    fix.disabled = !isFixable(record);
    button('kk-apply-all', 'Apply all in this cell', 'Rewrite every call this cell warned about', () =>
      this._withCell(cell => applyCellRecords(cell))
    );
    button('kk-migrate-notebook', 'Migrate notebook', 'Migrate every code cell (shows the diff first)', async () => {
      const found = findCell(this._tracker, record.cell_id, this.node);
      const panel = found?.panel ?? this._tracker.currentWidget;
      if (!panel) {
        return { ok: false, message: 'No notebook is open.' };
      }
      return migrateNotebook(panel);
    });
    actions.appendChild(status);
    node.appendChild(actions);
  }

  private async _withCell(run: (cell: any) => Promise<IActionResult>): Promise<IActionResult> {
    const found = findCell(this._tracker, this.record?.cell_id ?? null, this.node);
    if (!found) {
      return { ok: false, message: 'The cell that produced this card is not open any more.' };
    }
    return run(found.cell);
  }
}

/**
 * The renderer factory for migration bundles.
 *
 * Arguments:
 *   tracker: the notebook tracker (to find a card's cell by id).
 *
 * Returns:
 *   An `IRenderMime.IRendererFactory` to add to the rendermime registry.
 */
export function migrationRendererFactory(tracker: INotebookTracker): IRenderMime.IRendererFactory {
  return {
    safe: true,
    mimeTypes: [MIGRATION_MIME_TYPE],
    defaultRank: 10,
    createRenderer: () => new MigrationCard(tracker)
  };
}
