// The plugins' dependencies, for Notebook 7: it provides the notebook tracker and the rendermime registry but
// no ILabShell and (without JupyterLab's status bar extension) no IStatusBar, so every other token must be
// optional and each plugin must activate without it. The tokens are stand-in objects with a name.
jest.mock('@jupyterlab/notebook', () => ({ INotebookTracker: { name: 'INotebookTracker' } }));
jest.mock('@jupyterlab/rendermime', () => ({ IRenderMimeRegistry: { name: 'IRenderMimeRegistry' } }));
jest.mock('@jupyterlab/settingregistry', () => ({ ISettingRegistry: { name: 'ISettingRegistry' } }));
jest.mock('@jupyterlab/statusbar', () => ({ IStatusBar: { name: 'IStatusBar' } }));
jest.mock('@jupyterlab/apputils', () => ({
  ICommandPalette: { name: 'ICommandPalette' },
  Notification: {},
  Dialog: {},
  showDialog: () => undefined,
  showErrorMessage: () => undefined
}));
jest.mock('@jupyterlab/coreutils', () => ({ URLExt: {} }));
jest.mock('@jupyterlab/services', () => ({ ServerConnection: {} }));
jest.mock('@lumino/widgets', () => ({
  Widget: class {
    node: any = {
      className: '',
      style: {},
      appendChild: () => undefined,
      addEventListener: () => undefined
    };
    addClass() {
      return undefined;
    }
  }
}));
(globalThis as any).document = {
  createElement: () => ({ style: {}, appendChild: () => undefined, addEventListener: () => undefined })
};

import plugins from '../index';

// What Notebook 7 (and JupyterLab) always provide.
const PROVIDED_BY_NOTEBOOK7 = ['INotebookTracker', 'IRenderMimeRegistry'];

function names(tokens: unknown[] | undefined): string[] {
  return (tokens ?? []).map(token => (token as { name: string }).name);
}

class FakeSignal {
  slots: ((...args: any[]) => void)[] = [];
  connect(slot: (...args: any[]) => void) {
    this.slots.push(slot);
    return true;
  }
}

function fakeTracker() {
  return {
    currentWidget: null,
    activeCell: null,
    currentChanged: new FakeSignal(),
    widgetAdded: new FakeSignal(),
    forEach: () => undefined
  };
}

function fakeApp() {
  const commands = new Map<string, unknown>();
  return { commands: { addCommand: (id: string, options: unknown) => commands.set(id, options) }, added: commands };
}

describe('plugins in Notebook 7', () => {
  it('has the four kernelkit-lab plugins', () => {
    expect(plugins.map(plugin => plugin.id).sort()).toEqual([
      'kernelkit-lab:insert-code',
      'kernelkit-lab:migration-card',
      'kernelkit-lab:plugin',
      'kernelkit-lab:training-status'
    ]);
  });

  it('requires only tokens Notebook 7 provides', () => {
    for (const plugin of plugins) {
      for (const name of names(plugin.requires)) {
        expect([plugin.id, PROVIDED_BY_NOTEBOOK7.includes(name)]).toEqual([plugin.id, true]);
      }
    }
  });

  it('takes the status bar, palette and settings as optional', () => {
    const byId = new Map(plugins.map(plugin => [plugin.id, plugin]));
    expect(names(byId.get('kernelkit-lab:training-status')!.optional)).toEqual(['IStatusBar']);
    expect(names(byId.get('kernelkit-lab:plugin')!.optional)).toEqual(['ICommandPalette', 'ISettingRegistry']);
  });

  it('activates the commands without a palette or settings', () => {
    const plugin = plugins.find(p => p.id === 'kernelkit-lab:plugin')!;
    const app = fakeApp();
    plugin.activate(app as any, fakeTracker(), null, null);
    expect(Array.from(app.added.keys()).sort()).toEqual(['kernelkit:migrate-cell', 'kernelkit:migrate-notebook']);
  });

  it('activates the training status without a status bar, and registers it with one', () => {
    const plugin = plugins.find(p => p.id === 'kernelkit-lab:training-status')!;
    const tracker = fakeTracker();
    expect(() => plugin.activate(fakeApp() as any, tracker, null)).not.toThrow();
    expect(tracker.currentChanged.slots.length).toBe(1); // still follows the current notebook
    const registered: string[] = [];
    const statusBar = { registerStatusItem: (id: string) => registered.push(id) };
    plugin.activate(fakeApp() as any, fakeTracker(), statusBar);
    expect(registered).toEqual(['kernelkit-lab:training-status']);
  });
});
