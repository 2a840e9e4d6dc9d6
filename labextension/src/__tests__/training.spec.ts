// The status bar's pure logic (message parsing, state, formatting), the comm hub's handshake and
// dispatch with fake kernels, and where "Insert code below" puts the new cell.
jest.mock('@jupyterlab/notebook', () => ({ INotebookTracker: {} }));
jest.mock('@jupyterlab/statusbar', () => ({ IStatusBar: {} }));
// A tiny DOM stand-in: the suite runs under Node, and the status widget only needs these few members.
class FakeElement {
  className = '';
  textContent = '';
  title = '';
  disabled = false;
  style: { [key: string]: string } = {};
  children: FakeElement[] = [];
  listeners: { [type: string]: (() => void)[] } = {};
  constructor(public tagName: string) {}
  appendChild(child: FakeElement) {
    this.children.push(child);
  }
  addEventListener(type: string, listener: () => void) {
    (this.listeners[type] = this.listeners[type] ?? []).push(listener);
  }
  click() {
    (this.listeners['click'] ?? []).forEach(listener => listener());
  }
}
(globalThis as any).document = { createElement: (tag: string) => new FakeElement(tag) };
jest.mock('@lumino/widgets', () => ({
  Widget: class {
    node: any = (globalThis as any).document.createElement('div');
    addClass(name: string) {
      this.node.className = `${this.node.className} ${name}`.trim();
    }
  }
}));

import {
  COMM_TARGET,
  ITrainingMessage,
  LabComms,
  STATUS_CLASS,
  STOP_CLASS,
  TrainingStatus,
  formatEta,
  formatLoss,
  formatStatus,
  isVisible,
  parseTrainingMessage,
  reduceTraining
} from '../training';
import { insertCodeCell, insertionIndex, parseInsertMessage } from '../insert';

function message(overrides: Partial<ITrainingMessage> = {}): ITrainingMessage {
  return {
    type: 'training',
    phase: 'progress',
    run: '42-1',
    epoch: 2,
    epochs: 5,
    step: 30,
    steps: 100,
    loss: 0.42131,
    eta_s: 12.2,
    metrics: { loss: 0.42131, acc: 0.9 },
    stopping: false,
    ...overrides
  };
}

describe('parseTrainingMessage', () => {
  it('accepts what the kernel sends', () => {
    const wire = JSON.parse(JSON.stringify({ ...message(), extra: 1 }));
    expect(parseTrainingMessage(wire)).toEqual({ ...message(), stopped: false });
  });

  it('rejects other messages and bad fields', () => {
    expect(parseTrainingMessage(null)).toBeNull();
    expect(parseTrainingMessage('training')).toBeNull();
    expect(parseTrainingMessage({ type: 'insert_cell', code: 'x' })).toBeNull();
    expect(parseTrainingMessage({ ...message(), phase: 'paused' })).toBeNull();
    expect(parseTrainingMessage({ ...message(), epoch: 'two' })).toBeNull();
    expect(parseTrainingMessage({ ...message(), run: 3 })).toBeNull();
  });

  it('turns missing or non-finite numbers into null and drops bad metrics', () => {
    const parsed = parseTrainingMessage({
      ...message(),
      steps: null,
      loss: 'NaN',
      eta_s: undefined,
      step: undefined,
      metrics: { loss: 1, bad: 'x' }
    });
    expect(parsed).not.toBeNull();
    expect(parsed!.steps).toBeNull();
    expect(parsed!.loss).toBeNull();
    expect(parsed!.eta_s).toBeNull();
    expect(parsed!.step).toBe(0);
    expect(parsed!.metrics).toEqual({ loss: 1 });
  });
});

describe('formatting', () => {
  it('writes the status line', () => {
    const state = reduceTraining(null, message())!;
    expect(formatStatus(state)).toBe('epoch 2/5 \u00b7 step 30/100 \u00b7 loss 0.4213 \u00b7 ETA 12 s');
  });

  it('marks unknown values and a requested stop', () => {
    const state = reduceTraining(
      null,
      message({ steps: null, loss: null, eta_s: null, metrics: {}, stopping: true })
    )!;
    expect(formatStatus(state)).toBe('epoch 2/5 \u00b7 step 30/? \u00b7 loss ? \u00b7 ETA ? \u00b7 stopping');
  });

  it('formats losses', () => {
    expect(formatLoss(0.42131)).toBe('0.4213');
    expect(formatLoss(0)).toBe('0.0000');
    expect(formatLoss(0.000012345)).toBe('1.23e-5');
    expect(formatLoss(123456)).toBe('1.23e+5');
    expect(formatLoss(null)).toBe('?');
    expect(formatLoss(Infinity)).toBe('?');
  });

  it('formats the ETA', () => {
    expect(formatEta(0)).toBe('0 s');
    expect(formatEta(12.4)).toBe('12 s');
    expect(formatEta(185)).toBe('3 min 05 s');
    expect(formatEta(3720)).toBe('1 h 02 min');
    expect(formatEta(null)).toBe('?');
    expect(formatEta(-1)).toBe('?');
  });
});

describe('reduceTraining', () => {
  it('is visible from begin to end only', () => {
    let state = reduceTraining(null, message({ phase: 'begin', epoch: 1, step: 0 }));
    expect(isVisible(state)).toBe(true);
    state = reduceTraining(state, message());
    expect(state!.step).toBe(30);
    state = reduceTraining(state, message({ phase: 'end', stopped: true }));
    expect(isVisible(state)).toBe(false);
    expect(state!.stopped).toBe(true);
    expect(isVisible(null)).toBe(false);
  });

  it('keeps a local Stop until the kernel ends the run', () => {
    let state = reduceTraining(null, message())!;
    state.stopping = true; // what the Stop button does
    state = reduceTraining(state, message({ step: 31 }))!;
    expect(state.stopping).toBe(true);
    state = reduceTraining(state, message({ phase: 'end' }))!;
    expect(state.stopping).toBe(false);
  });

  it('ignores late messages of an older run and follows a new one', () => {
    const current = reduceTraining(null, message({ run: 'new' }))!;
    expect(reduceTraining(current, message({ run: 'old', step: 99 }))).toBe(current);
    const ended = reduceTraining(current, message({ run: 'new', phase: 'end' }))!;
    expect(reduceTraining(ended, message({ run: 'old' }))).toBeNull();
    const next = reduceTraining(ended, message({ run: 'newer', phase: 'begin', step: 0 }))!;
    expect(next.run).toBe('newer');
    expect(isVisible(next)).toBe(true);
  });

  it('takes the loss from the metrics when the field is missing', () => {
    expect(reduceTraining(null, message({ loss: null, metrics: { loss: 2 } }))!.loss).toBe(2);
  });
});

class FakeComm {
  sent: any[] = [];
  isDisposed = false;
  onMsg: ((msg: any) => void) | null = null;
  onClose: ((msg: any) => void) | null = null;
  send(data: any) {
    this.sent.push(data);
  }
}

class FakeKernel {
  targets = new Map<string, (comm: any, msg: any) => void>();
  isDisposed = false;
  constructor(public id: string) {}
  registerCommTarget(name: string, callback: (comm: any, msg: any) => void) {
    this.targets.set(name, callback);
  }
  open(): FakeComm {
    const comm = new FakeComm();
    this.targets.get(COMM_TARGET)!(comm, { content: { data: { type: 'hello' } } });
    return comm;
  }
}

describe('LabComms', () => {
  it('answers the hello with its features and dispatches by type', () => {
    const hub = new LabComms();
    const seen: any[] = [];
    hub.on('training', (data, context) => seen.push([data.step, context.kernel.id]), 'training');
    hub.on('insert_cell', () => seen.push('insert'), 'insert_cell');
    const kernel = new FakeKernel('k1');
    hub.register(kernel as any);
    hub.register(kernel as any); // once per connection
    const comm = kernel.open();
    expect(comm.sent).toEqual([{ type: 'hello', features: ['insert_cell', 'training'] }]);
    comm.onMsg!({ content: { data: { type: 'training', step: 3 } } });
    comm.onMsg!({ content: { data: { type: 'insert_cell' } } });
    comm.onMsg!({ content: { data: { type: 'unknown' } } });
    expect(seen).toEqual([[3, 'k1'], 'insert']);
  });

  it('sends Stop to the right kernel, and nothing once the comm closed', () => {
    const hub = new LabComms();
    const a = new FakeKernel('a');
    const b = new FakeKernel('b');
    hub.register(a as any);
    hub.register(b as any);
    const commA = a.open();
    const commB = b.open();
    expect(hub.send(b as any, { type: 'stop', run: 'r' })).toBe(true);
    expect(commB.sent[1]).toEqual({ type: 'stop', run: 'r' });
    expect(commA.sent).toHaveLength(1);
    commA.onClose!({});
    expect(hub.send(a as any, { type: 'stop' })).toBe(false);
    expect(hub.send(new FakeKernel('c') as any, { type: 'stop' })).toBe(false);
  });

  it('keeps dispatching when one handler throws', () => {
    const hub = new LabComms();
    const seen: string[] = [];
    const spy = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    hub.on('training', () => {
      throw new Error('boom');
    });
    hub.on('training', () => seen.push('second'));
    const kernel = new FakeKernel('k');
    hub.register(kernel as any);
    kernel.open().onMsg!({ content: { data: { type: 'training' } } });
    expect(seen).toEqual(['second']);
    expect(spy).toHaveBeenCalled();
    spy.mockRestore();
  });
});

describe('insert_cell', () => {
  it('parses the request', () => {
    expect(parseInsertMessage({ type: 'insert_cell', code: 'x = 1', cell_id: 'c2' })).toEqual({
      type: 'insert_cell',
      code: 'x = 1',
      cellId: 'c2'
    });
    expect(parseInsertMessage({ type: 'insert_cell', code: 'x', cell_id: null })!.cellId).toBeNull();
    expect(parseInsertMessage({ type: 'insert_cell', code: 3 })).toBeNull();
    expect(parseInsertMessage({ type: 'training' })).toBeNull();
  });

  it('goes below the builder cell, else below the active cell, else at the end', () => {
    const ids = ['a', 'b', 'c'];
    expect(insertionIndex(ids, 'b', 0)).toBe(2);
    expect(insertionIndex(ids, 'c', 0)).toBe(3);
    expect(insertionIndex(ids, 'zz', 0)).toBe(1);
    expect(insertionIndex(ids, 'zz', 0, true)).toBe(-1);
    expect(insertionIndex(ids, null, 1)).toBe(2);
    expect(insertionIndex(ids, null, -1)).toBe(3);
    expect(insertionIndex([], null, -1)).toBe(0);
  });

  it('inserts through the shared model and selects the new cell', () => {
    const cells = ['a', 'builder', 'c'].map(id => ({ model: { id } }));
    const inserted: any[] = [];
    const notebook: any = {
      widgets: cells,
      activeCellIndex: 2,
      model: {
        sharedModel: {
          insertCell: (index: number, cell: any) => {
            inserted.push([index, cell]);
            cells.splice(index, 0, { model: { id: 'new' } });
          }
        }
      },
      scrollToCell: () => Promise.resolve()
    };
    const index = insertCodeCell({ content: notebook } as any, 'model = 1', 'builder');
    expect(index).toBe(2);
    expect(inserted).toEqual([[2, { cell_type: 'code', source: 'model = 1' }]]);
    expect(notebook.activeCellIndex).toBe(2);
    expect(cells.map(cell => cell.model.id)).toEqual(['a', 'builder', 'new', 'c']);
  });
});

describe('TrainingStatus', () => {
  function setup() {
    const stops: [string, string][] = [];
    const status = new TrainingStatus((kernel, run) => {
      stops.push([kernel.id, run]);
      return true;
    });
    const node = (status as any).node as FakeElement;
    const [text, stop] = node.children;
    return { status, stops, node, text, stop };
  }

  it('uses the documented classes and is hidden while nothing runs', () => {
    const { status, node, stop } = setup();
    expect(node.className).toBe(STATUS_CLASS);
    expect(stop.className.split(' ')).toContain(STOP_CLASS);
    expect(node.style.display).toBe('none');
    expect(status.visible).toBe(false);
  });

  it("shows the followed kernel's fit only, and Stop asks that kernel", () => {
    const { status, stops, node, text, stop } = setup();
    const a = { id: 'a' } as any;
    const b = { id: 'b' } as any;
    let changes = 0;
    (status.visibilityChanged as any).connect(() => changes++);
    status.follow(a);
    status.handleMessage(b, message({ run: 'rb' }));
    expect(status.visible).toBe(false); // another notebook's kernel
    status.handleMessage(a, message({ run: 'ra', step: 7 }));
    expect(status.visible).toBe(true);
    expect(node.style.display).toBe('');
    expect(text.textContent).toContain('step 7/100');
    stop.click();
    expect(stops).toEqual([['a', 'ra']]);
    expect(stop.disabled).toBe(true);
    expect(stop.textContent).toBe('Stopping');
    status.follow(b); // the user switched notebooks
    expect(text.textContent).toContain('step 30/100');
    expect(stop.disabled).toBe(false);
    status.handleMessage(b, message({ run: 'rb', phase: 'end' }));
    expect(status.visible).toBe(false);
    stop.click(); // nothing runs: nothing sent
    expect(stops).toHaveLength(1);
    expect(changes).toBe(2);
  });
});
