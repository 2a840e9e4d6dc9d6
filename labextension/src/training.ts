/**
 * Training status in JupyterLab's status bar, with a Stop button, fed by kernelkit over the
 * `kernelkit.lab` comm (see `kernelkit/widgets/lab_bridge.py` for the messages).
 *
 * The kernel opens the comm; every kernel connection of a notebook registers the comm target, answers
 * the kernel's `hello` with the features this extension handles, and hands every later message to the
 * handler registered for its `type` (`training` here, `insert_cell` in insert.ts).
 *
 * The formatting and state logic are pure functions, tested by jest. The status bar is optional: where
 * there is none (Notebook 7) the plugin still activates and the comm still answers, but nothing is shown.
 */
import type {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { INotebookTracker } from '@jupyterlab/notebook';
import type { NotebookPanel } from '@jupyterlab/notebook';
import type { Kernel, KernelMessage } from '@jupyterlab/services';
import { IStatusBar } from '@jupyterlab/statusbar';
import { Signal } from '@lumino/signaling';
import { Widget } from '@lumino/widgets';

/** The comm target name shared with the kernel side. */
export const COMM_TARGET = 'kernelkit.lab';

/** CSS classes of the status bar item and of its Stop button. */
export const STATUS_CLASS = 'kk-training-status';
export const STOP_CLASS = 'kk-training-stop';

// ------------------------------------------------------------------------------------------ pure logic

/** One `training` message of the kernel. */
export interface ITrainingMessage {
  type: 'training';
  phase: 'begin' | 'progress' | 'end';
  run: string;
  epoch: number;
  epochs: number;
  step: number;
  steps: number | null;
  loss: number | null;
  eta_s: number | null;
  metrics: { [name: string]: number };
  stopping: boolean;
  stopped?: boolean;
}

/** What the status bar shows for one kernel. */
export interface ITrainingState {
  run: string;
  running: boolean;
  epoch: number;
  epochs: number;
  step: number;
  steps: number | null;
  loss: number | null;
  etaSeconds: number | null;
  stopping: boolean;
  stopped: boolean;
}

function finiteOrNull(value: unknown): number | null {
  return typeof value === 'number' && isFinite(value) ? value : null;
}

/**
 * Checks the data of a comm message and returns it as a training message, or null when it is not one
 * (another type, a missing field, a wrong value).
 */
export function parseTrainingMessage(data: unknown): ITrainingMessage | null {
  if (typeof data !== 'object' || data === null) {
    return null;
  }
  const d = data as { [key: string]: unknown };
  if (d.type !== 'training') {
    return null;
  }
  if (d.phase !== 'begin' && d.phase !== 'progress' && d.phase !== 'end') {
    return null;
  }
  const epoch = finiteOrNull(d.epoch);
  const epochs = finiteOrNull(d.epochs);
  if (typeof d.run !== 'string' || epoch === null || epochs === null) {
    return null;
  }
  const metrics: { [name: string]: number } = {};
  if (typeof d.metrics === 'object' && d.metrics !== null) {
    for (const [name, value] of Object.entries(d.metrics)) {
      const v = finiteOrNull(value);
      if (v !== null) {
        metrics[name] = v;
      }
    }
  }
  return {
    type: 'training',
    phase: d.phase,
    run: d.run,
    epoch,
    epochs,
    step: finiteOrNull(d.step) ?? 0,
    steps: finiteOrNull(d.steps),
    loss: finiteOrNull(d.loss),
    eta_s: finiteOrNull(d.eta_s),
    metrics,
    stopping: d.stopping === true,
    stopped: d.stopped === true
  };
}

/**
 * The next state of one kernel's training status, given a message. A message of an older run (after a
 * newer one began) is ignored; `end` leaves a state that is no longer `running`.
 */
export function reduceTraining(
  state: ITrainingState | null,
  message: ITrainingMessage
): ITrainingState | null {
  if (state && state.run !== message.run && message.phase !== 'begin') {
    return state.running ? state : null;
  }
  const running = message.phase !== 'end';
  return {
    run: message.run,
    running,
    epoch: message.epoch,
    epochs: message.epochs,
    step: message.step,
    steps: message.steps,
    loss: message.loss ?? message.metrics['loss'] ?? null,
    etaSeconds: message.eta_s,
    stopping:
      running &&
      (message.stopping || (state?.run === message.run && state.stopping)),
    stopped: message.stopped === true
  };
}

/** A loss for the status bar: four decimals, or three significant digits in exponent form. */
export function formatLoss(loss: number | null): string {
  if (loss === null || !isFinite(loss)) {
    return '?';
  }
  const size = Math.abs(loss);
  if (size !== 0 && (size < 1e-3 || size >= 1e5)) {
    return loss.toExponential(2);
  }
  return loss.toFixed(4);
}

/** Seconds left as `12 s`, `3 min 05 s` or `1 h 02 min`; `?` when unknown. */
export function formatEta(seconds: number | null): string {
  if (seconds === null || !isFinite(seconds) || seconds < 0) {
    return '?';
  }
  const total = Math.round(seconds);
  if (total < 60) {
    return `${total} s`;
  }
  const pad = (n: number) => (n < 10 ? `0${n}` : `${n}`);
  if (total < 3600) {
    return `${Math.floor(total / 60)} min ${pad(total % 60)} s`;
  }
  return `${Math.floor(total / 3600)} h ${pad(Math.floor((total % 3600) / 60))} min`;
}

/** The status bar text: `epoch 2/5 · step 30/100 · loss 0.4213 · ETA 12 s`. */
export function formatStatus(state: ITrainingState): string {
  const parts = [
    `epoch ${state.epoch}/${state.epochs}`,
    `step ${state.step}/${state.steps ?? '?'}`,
    `loss ${formatLoss(state.loss)}`,
    `ETA ${formatEta(state.etaSeconds)}`
  ];
  if (state.stopping) {
    parts.push('stopping');
  }
  return parts.join(' \u00b7 ');
}

/** Whether the status item is shown: only while a fit runs. */
export function isVisible(state: ITrainingState | null): boolean {
  return state !== null && state.running;
}

// ---------------------------------------------------------------------------------------- comm hub

/** What a message handler gets besides the message data. */
export interface ICommContext {
  kernel: Kernel.IKernelConnection;
  comm: Kernel.IComm;
  message: KernelMessage.ICommMsgMsg;
}

export type CommHandler = (data: { [key: string]: unknown }, context: ICommContext) => void;

/**
 * The `kernelkit.lab` comm target on every notebook kernel, dispatching messages by their `type`.
 * One instance (`labComms`) serves every plugin of this extension.
 */
export class LabComms {
  private _handlers = new Map<string, CommHandler[]>();
  private _features = new Set<string>();
  private _registered = new WeakSet<Kernel.IKernelConnection>();
  private _comms = new Map<string, Kernel.IComm>();
  private _watched = new WeakSet<INotebookTracker>();

  /** Calls `handler` for every message of type `type`; `feature` is announced in the handshake. */
  on(type: string, handler: CommHandler, feature?: string): void {
    const list = this._handlers.get(type) ?? [];
    list.push(handler);
    this._handlers.set(type, list);
    if (feature) {
      this._features.add(feature);
    }
  }

  /** The features announced to the kernel. */
  get features(): string[] {
    return Array.from(this._features).sort();
  }

  /** Registers the comm target on the kernel of every notebook the tracker knows, now and later. */
  watch(tracker: INotebookTracker): void {
    if (this._watched.has(tracker)) {
      return;
    }
    this._watched.add(tracker);
    const follow = (panel: NotebookPanel) => {
      const context = panel.sessionContext;
      const register = () => {
        const kernel = context.session?.kernel;
        if (kernel) {
          this.register(kernel);
        }
      };
      context.kernelChanged.connect(register);
      context.ready.then(register).catch(() => undefined);
      register();
    };
    tracker.forEach(follow);
    tracker.widgetAdded.connect((_, panel) => follow(panel));
  }

  /** Registers the comm target on one kernel connection (once). */
  register(kernel: Kernel.IKernelConnection): void {
    if (this._registered.has(kernel) || kernel.isDisposed) {
      return;
    }
    this._registered.add(kernel);
    kernel.registerCommTarget(COMM_TARGET, (comm: Kernel.IComm) => {
      this._comms.set(kernel.id, comm);
      comm.onMsg = (msg: KernelMessage.ICommMsgMsg) => {
        const data = msg.content.data as { [key: string]: unknown };
        const type = typeof data?.type === 'string' ? data.type : '';
        for (const handler of this._handlers.get(type) ?? []) {
          try {
            handler(data, { kernel, comm, message: msg });
          } catch (error) {
            console.error(`kernelkit-lab: the ${type} handler failed`, error);
          }
        }
      };
      comm.onClose = () => {
        if (this._comms.get(kernel.id) === comm) {
          this._comms.delete(kernel.id);
        }
      };
      comm.send({ type: 'hello', features: this.features });
    });
  }

  /** Sends `data` to the kernel over its comm; false when that kernel has none open. */
  send(kernel: Kernel.IKernelConnection, data: { [key: string]: unknown }): boolean {
    const comm = this._comms.get(kernel.id);
    if (!comm || comm.isDisposed) {
      return false;
    }
    comm.send(data as any);
    return true;
  }
}

/** The hub every plugin of this extension uses. */
export const labComms = new LabComms();

// ------------------------------------------------------------------------------------ status widget

/** The status bar item: the text and a Stop button; hidden while no fit runs in the notebook's kernel. */
export class TrainingStatus extends Widget {
  readonly visibilityChanged = new Signal<this, void>(this);
  private _states = new Map<string, ITrainingState>();
  private _kernel: Kernel.IKernelConnection | null = null;
  private _text: HTMLSpanElement;
  private _stop: HTMLButtonElement;
  private _visible = false;

  constructor(private _onStop: (kernel: Kernel.IKernelConnection, run: string) => boolean) {
    super();
    this.addClass(STATUS_CLASS);
    this._text = document.createElement('span');
    this._text.className = 'kk-training-text';
    this._stop = document.createElement('button');
    this._stop.className = `${STOP_CLASS} jp-mod-styled`;
    this._stop.textContent = 'Stop';
    this._stop.title = 'Stop training after the current batch';
    this._stop.addEventListener('click', () => this.stop());
    // Inline, so the item needs no stylesheet: one line of text and a small button beside it.
    this._text.style.padding = '0 6px';
    this._text.style.whiteSpace = 'nowrap';
    this._stop.style.padding = '0 8px';
    this._stop.style.height = '18px';
    this._stop.style.lineHeight = '16px';
    this._stop.style.cursor = 'pointer';
    this.node.appendChild(this._text);
    this.node.appendChild(this._stop);
    this.render();
  }

  /** Whether a fit runs in the followed kernel. */
  get visible(): boolean {
    return this._visible;
  }

  /** Follows this kernel (the active notebook's), or none. */
  follow(kernel: Kernel.IKernelConnection | null): void {
    this._kernel = kernel;
    this.render();
  }

  /** Takes a training message of `kernel`. */
  handleMessage(kernel: Kernel.IKernelConnection, message: ITrainingMessage): void {
    const next = reduceTraining(this._states.get(kernel.id) ?? null, message);
    if (next) {
      this._states.set(kernel.id, next);
    } else {
      this._states.delete(kernel.id);
    }
    if (this._kernel && this._kernel.id === kernel.id) {
      this.render();
    }
  }

  /** What Stop does: asks the followed kernel to stop its fit. */
  stop(): void {
    const kernel = this._kernel;
    const state = kernel ? this._states.get(kernel.id) : undefined;
    if (!kernel || !state || !state.running) {
      return;
    }
    if (this._onStop(kernel, state.run)) {
      state.stopping = true;
      this.render();
    }
  }

  render(): void {
    const state = this._kernel ? this._states.get(this._kernel.id) ?? null : null;
    const visible = isVisible(state);
    if (visible && state) {
      this._text.textContent = formatStatus(state);
      this._stop.disabled = state.stopping;
      this._stop.textContent = state.stopping ? 'Stopping' : 'Stop';
    }
    this.node.style.display = visible ? '' : 'none';
    if (visible !== this._visible) {
      this._visible = visible;
      this.visibilityChanged.emit();
    }
  }
}

/** The status bar plugin. */
export const trainingStatusPlugin: JupyterFrontEndPlugin<void> = {
  id: 'kernelkit-lab:training-status',
  description: 'Shows kernelkit training progress in the status bar, with a Stop button.',
  autoStart: true,
  requires: [INotebookTracker],
  optional: [IStatusBar],
  activate: (
    _app: JupyterFrontEnd,
    tracker: INotebookTracker,
    statusBar: IStatusBar | null
  ) => {
    const status = new TrainingStatus((kernel, run) =>
      labComms.send(kernel, { type: 'stop', run })
    );
    labComms.on(
      'training',
      (data, { kernel }) => {
        const message = parseTrainingMessage(data);
        if (message) {
          status.handleMessage(kernel, message);
        }
      },
      'training'
    );
    labComms.watch(tracker);
    const followCurrent = () => {
      const context = tracker.currentWidget?.sessionContext;
      status.follow(context?.session?.kernel ?? null);
    };
    tracker.currentChanged.connect(followCurrent);
    tracker.widgetAdded.connect((_, panel) =>
      panel.sessionContext.kernelChanged.connect(followCurrent)
    );
    tracker.forEach(panel => panel.sessionContext.kernelChanged.connect(followCurrent));
    followCurrent();
    if (statusBar) {
      statusBar.registerStatusItem(trainingStatusPlugin.id, {
        item: status,
        align: 'middle',
        rank: 100,
        isActive: () => status.visible,
        activeStateChanged: status.visibilityChanged
      });
    }
  }
};
