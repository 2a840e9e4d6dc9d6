/**
 * kernelkit-lab: kernelkit in JupyterLab 4 and Notebook 7.
 *
 * Plugins:
 * - `kernelkit-lab:plugin`: the commands `kernelkit:migrate-cell` (the "Keras 2" cell toolbar button, declared
 *   in `schema/plugin.json`) and `kernelkit:migrate-notebook`, both in the command palette;
 * - `kernelkit-lab:migration-card`: the renderer of `application/vnd.kernelkit.migration+json` cards.
 * The other plugins (training status, insert code below) come from their own modules.
 *
 * Every plugin requires only tokens Notebook 7 provides too (`INotebookTracker`, `IRenderMimeRegistry`);
 * the rest (`ICommandPalette`, `ISettingRegistry`, `IStatusBar`) are optional and nothing uses `ILabShell`,
 * so all of them activate in Notebook 7 (where, with no status bar, the training status is simply not shown).
 */
import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette, Notification } from '@jupyterlab/apputils';
import { INotebookTracker } from '@jupyterlab/notebook';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { ISettingRegistry } from '@jupyterlab/settingregistry';

import { IActionResult, migrateCell, migrateNotebook } from './actions';
import { migrationRendererFactory } from './renderer';
// plugin slot: training
import { trainingStatusPlugin } from './training';
// plugin slot: insert
import { insertCodePlugin } from './insert';

export const MIGRATE_CELL = 'kernelkit:migrate-cell';
export const MIGRATE_NOTEBOOK = 'kernelkit:migrate-notebook';

function notify(result: IActionResult): void {
  if (result.ok) {
    Notification.success(result.message, { autoClose: 4000 });
  } else {
    Notification.warning(result.message, { autoClose: 8000 });
  }
}

/** The migration commands and the cell toolbar button. */
const commandsPlugin: JupyterFrontEndPlugin<void> = {
  id: 'kernelkit-lab:plugin',
  description: 'Keras 1 -> Keras 2 migration commands and the "Keras 2" cell toolbar button.',
  autoStart: true,
  requires: [INotebookTracker],
  optional: [ICommandPalette, ISettingRegistry],
  activate: (
    app: JupyterFrontEnd,
    tracker: INotebookTracker,
    palette: ICommandPalette | null,
    settings: ISettingRegistry | null
  ) => {
    const hasNotebook = () => tracker.currentWidget !== null;
    app.commands.addCommand(MIGRATE_CELL, {
      label: 'Keras 2',
      caption: 'Migrate this cell from Keras 1 to Keras 2 (kernelkit)',
      className: 'kk-keras2-button',
      isEnabled: () => tracker.activeCell?.model.type === 'code',
      execute: async () => {
        const cell = tracker.activeCell;
        if (!cell) {
          return;
        }
        try {
          notify(await migrateCell(cell));
        } catch (error) {
          Notification.error(`Keras 2 migration failed: ${String(error)}`);
        }
      }
    });
    app.commands.addCommand(MIGRATE_NOTEBOOK, {
      label: 'Migrate Notebook to Keras 2',
      caption: 'Migrate every code cell from Keras 1 to Keras 2 (shows the diff first)',
      isEnabled: hasNotebook,
      execute: async () => {
        const panel = tracker.currentWidget;
        if (panel) {
          notify(await migrateNotebook(panel));
        }
      }
    });
    if (palette) {
      palette.addItem({ command: MIGRATE_CELL, category: 'kernelkit', args: {} });
      palette.addItem({ command: MIGRATE_NOTEBOOK, category: 'kernelkit', args: {} });
    }
    if (settings) {
      // Loading the settings makes sure the schema (and its cell toolbar item) is registered.
      settings.load(commandsPlugin.id).catch(reason => {
        console.warn('kernelkit-lab: cannot load settings', reason);
      });
    }
  }
};

/** The migration card renderer. */
const migrationCardPlugin: JupyterFrontEndPlugin<void> = {
  id: 'kernelkit-lab:migration-card',
  description: 'Renders application/vnd.kernelkit.migration+json cards with Apply fix actions.',
  autoStart: true,
  requires: [IRenderMimeRegistry, INotebookTracker],
  activate: (app: JupyterFrontEnd, rendermime: IRenderMimeRegistry, tracker: INotebookTracker) => {
    const factory = migrationRendererFactory(tracker);
    rendermime.addFactory(factory, factory.defaultRank);
    // Notebook panels use their own rendermime clones made from the registry: new panels see the factory;
    // panels already open get it added too.
    tracker.forEach(panel => panel.content.rendermime.addFactory(factory, factory.defaultRank));
    tracker.widgetAdded.connect((_, panel) => {
      if (!panel.content.rendermime.getFactory(factory.mimeTypes[0])) {
        panel.content.rendermime.addFactory(factory, factory.defaultRank);
      }
    });
  }
};

const plugins: JupyterFrontEndPlugin<any>[] = [
  commandsPlugin,
  migrationCardPlugin,
  // plugin slot: training
  trainingStatusPlugin,
  // plugin slot: insert
  insertCodePlugin
];

export default plugins;
