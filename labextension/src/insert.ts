/**
 * "Insert code below" for kernelkit's `ModelBuilder`: the kernel sends
 * `{"type": "insert_cell", "code": "...", "cell_id": "..."}` over the `kernelkit.lab` comm, and a new code
 * cell holding `code` is inserted below the cell with that id (the builder's cell), through the
 * notebook's shared model, so undo and collaborative editing see it.
 */
import type {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { INotebookTracker } from '@jupyterlab/notebook';
import type { NotebookPanel } from '@jupyterlab/notebook';
import type { Kernel } from '@jupyterlab/services';

import { labComms } from './training';

/** One `insert_cell` request of the kernel. */
export interface IInsertCellMessage {
  type: 'insert_cell';
  code: string;
  cellId: string | null;
}

/** Checks the data of a comm message; null when it is not a valid `insert_cell` request. */
export function parseInsertMessage(data: unknown): IInsertCellMessage | null {
  if (typeof data !== 'object' || data === null) {
    return null;
  }
  const d = data as { [key: string]: unknown };
  if (d.type !== 'insert_cell' || typeof d.code !== 'string') {
    return null;
  }
  return {
    type: 'insert_cell',
    code: d.code,
    cellId: typeof d.cell_id === 'string' && d.cell_id ? d.cell_id : null
  };
}

/**
 * Where the new cell goes: right after the cell with id `cellId`, else after the active cell, else at
 * the end. Returns -1 when `cellId` is given, not found, and `strict` is true.
 */
export function insertionIndex(
  cellIds: string[],
  cellId: string | null,
  activeIndex: number,
  strict = false
): number {
  if (cellId !== null) {
    const found = cellIds.indexOf(cellId);
    if (found >= 0) {
      return found + 1;
    }
    if (strict) {
      return -1;
    }
  }
  if (activeIndex >= 0 && activeIndex < cellIds.length) {
    return activeIndex + 1;
  }
  return cellIds.length;
}

function cellIds(panel: NotebookPanel): string[] {
  return panel.content.widgets.map(cell => cell.model.id);
}

/**
 * The notebook that should get the cell: among the notebooks on `kernel`, the one holding `cellId`,
 * else the current one when it runs on `kernel`, else the first.
 */
function targetPanel(
  tracker: INotebookTracker,
  kernel: Kernel.IKernelConnection,
  cellId: string | null
): NotebookPanel | null {
  const onKernel: NotebookPanel[] = [];
  tracker.forEach(panel => {
    if (panel.sessionContext.session?.kernel?.id === kernel.id) {
      onKernel.push(panel);
    }
  });
  if (cellId !== null) {
    const holder = onKernel.find(panel => cellIds(panel).includes(cellId));
    if (holder) {
      return holder;
    }
  }
  const current = tracker.currentWidget;
  if (current && onKernel.includes(current)) {
    return current;
  }
  return onKernel[0] ?? null;
}

/** Inserts a code cell holding `code` at the place `insertionIndex` picks; returns its index. */
export function insertCodeCell(
  panel: NotebookPanel,
  code: string,
  cellId: string | null
): number {
  const notebook = panel.content;
  const model = notebook.model;
  if (!model) {
    return -1;
  }
  const index = insertionIndex(cellIds(panel), cellId, notebook.activeCellIndex);
  model.sharedModel.insertCell(index, { cell_type: 'code', source: code });
  notebook.activeCellIndex = index;
  const cell = notebook.widgets[index];
  if (cell) {
    notebook.scrollToCell(cell).catch(() => undefined);
  }
  return index;
}

/** The plugin that handles `insert_cell`. */
export const insertCodePlugin: JupyterFrontEndPlugin<void> = {
  id: 'kernelkit-lab:insert-code',
  description: "Inserts the ModelBuilder's code in a new cell below the builder.",
  autoStart: true,
  requires: [INotebookTracker],
  activate: (_app: JupyterFrontEnd, tracker: INotebookTracker) => {
    labComms.on(
      'insert_cell',
      (data, { kernel }) => {
        const message = parseInsertMessage(data);
        if (!message) {
          return;
        }
        const panel = targetPanel(tracker, kernel, message.cellId);
        if (panel) {
          insertCodeCell(panel, message.code, message.cellId);
        }
      },
      'insert_cell'
    );
    labComms.watch(tracker);
  }
};
