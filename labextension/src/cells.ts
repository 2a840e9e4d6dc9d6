/**
 * Finding notebook cells and editing them through their shared models (so undo and collaboration see it).
 */
import type { Cell } from '@jupyterlab/cells';
import type { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';

import { minimalEdit } from './diff';

/** A cell and the notebook panel that holds it. */
export interface ICellRef {
  cell: Cell;
  panel: NotebookPanel;
}

/**
 * Finds a cell by id in the open notebooks (the current notebook first); when no id is given or none matches,
 * the cell whose DOM contains `node` (the output's own cell).
 *
 * Returns:
 *   The cell and its notebook, or null.
 */
export function findCell(
  tracker: INotebookTracker,
  cellId: string | null,
  node?: HTMLElement | null
): ICellRef | null {
  const panels: NotebookPanel[] = [];
  if (tracker.currentWidget) {
    panels.push(tracker.currentWidget);
  }
  tracker.forEach(panel => {
    if (panel !== tracker.currentWidget) {
      panels.push(panel);
    }
  });
  if (cellId) {
    for (const panel of panels) {
      for (const cell of panel.content.widgets) {
        if (cell.model.id === cellId) {
          return { cell, panel };
        }
      }
    }
  }
  if (node) {
    for (const panel of panels) {
      for (const cell of panel.content.widgets) {
        if (cell.node.contains(node)) {
          return { cell, panel };
        }
      }
    }
  }
  return null;
}

/**
 * Puts `source` into a cell with the smallest edit of its shared model (one undoable step).
 *
 * Returns:
 *   Whether the text changed.
 */
export function setCellSource(cell: Cell, source: string): boolean {
  const shared = cell.model.sharedModel;
  const edit = minimalEdit(shared.getSource(), source);
  if (!edit) {
    return false;
  }
  shared.updateSource(edit.start, edit.end, edit.text);
  return true;
}

/** The output bundles (`data` objects) of a code cell; [] for other cells. */
export function outputBundles(cell: Cell): Record<string, unknown>[] {
  const model = cell.model as any;
  const outputs = model.outputs;
  const bundles: Record<string, unknown>[] = [];
  if (!outputs || typeof outputs.length !== 'number') {
    return bundles;
  }
  for (let i = 0; i < outputs.length; i++) {
    const data = outputs.get(i)?.data;
    if (data) {
      bundles.push(data as Record<string, unknown>);
    }
  }
  return bundles;
}
