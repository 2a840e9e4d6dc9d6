// The builder canvas front end (kernelkit/widgets/static/canvas.js, an anywidget ES module): the picture
// follows the `graph` trait as it changes, and clicks send the builder's commands. A small DOM stand-in
// replaces the browser; the canvas uses nothing beyond it.

import canvas from '../../../kernelkit/widgets/static/canvas.js';

type Listener = (event: any) => void;

class FakeElement {
  tagName: string;
  children: FakeElement[] = [];
  parent: FakeElement | null = null;
  attributes: Record<string, string> = {};
  listeners: Record<string, Listener[]> = {};
  textContent = '';
  disabled = false;
  classList = {
    add: (name: string) => this.setClasses(this.classes().concat([name])),
    remove: (name: string) => this.setClasses(this.classes().filter((c) => c !== name)),
    toggle: (name: string, on?: boolean) =>
      (on === undefined ? !this.classes().includes(name) : on) ? this.classList.add(name) : this.classList.remove(name),
    contains: (name: string) => this.classes().includes(name)
  };

  constructor(tagName: string) {
    this.tagName = tagName;
  }
  get className(): string {
    return this.attributes['class'] || '';
  }
  set className(value: string) {
    this.attributes['class'] = value;
  }
  classes(): string[] {
    return this.className.split(/\s+/).filter(Boolean);
  }
  setClasses(names: string[]): void {
    this.className = Array.from(new Set(names)).join(' ');
  }
  setAttribute(name: string, value: string): void {
    this.attributes[name] = String(value);
  }
  getAttribute(name: string): string | null {
    return name in this.attributes ? this.attributes[name] : null;
  }
  appendChild(child: FakeElement): FakeElement {
    child.parent = this;
    this.children.push(child);
    return child;
  }
  removeChild(child: FakeElement): FakeElement {
    this.children = this.children.filter((c) => c !== child);
    child.parent = null;
    return child;
  }
  get firstChild(): FakeElement | null {
    return this.children[0] || null;
  }
  addEventListener(type: string, listener: Listener): void {
    (this.listeners[type] = this.listeners[type] || []).push(listener);
  }
  removeEventListener(type: string, listener: Listener): void {
    this.listeners[type] = (this.listeners[type] || []).filter((l) => l !== listener);
  }
  dispatch(type: string, event: any = {}): void {
    const full = { stopPropagation: () => undefined, preventDefault: () => undefined, ...event };
    for (const listener of this.listeners[type] || []) {
      listener(full);
    }
  }
  focus(): void {
    return undefined;
  }
  closest(selector: string): FakeElement | null {
    const name = selector.replace('.', '');
    let node: FakeElement | null = this;
    while (node && !node.classList.contains(name)) {
      node = node.parent;
    }
    return node;
  }
  querySelectorAll(selector: string): FakeElement[] {
    return this.all(selector.replace('.', ''));
  }
  all(className: string): FakeElement[] {
    const found: FakeElement[] = [];
    const visit = (node: FakeElement) => {
      if (node.classList.contains(className)) {
        found.push(node);
      }
      node.children.forEach(visit);
    };
    visit(this);
    return found;
  }
}

class FakeModel {
  values: Record<string, any>;
  handlers: Record<string, Listener[]> = {};
  sent: any[] = [];
  constructor(values: Record<string, any>) {
    this.values = values;
  }
  get(name: string): any {
    return this.values[name];
  }
  set(name: string, value: any): void {
    this.values[name] = value;
    for (const handler of this.handlers['change:' + name] || []) {
      handler({});
    }
  }
  on(event: string, handler: Listener): void {
    (this.handlers[event] = this.handlers[event] || []).push(handler);
  }
  off(event: string, handler: Listener): void {
    this.handlers[event] = (this.handlers[event] || []).filter((h) => h !== handler);
  }
  send(message: any): void {
    this.sent.push(message);
  }
}

(globalThis as any).document = {
  createElement: (tag: string) => new FakeElement(tag),
  createElementNS: (_ns: string, tag: string) => new FakeElement(tag),
  elementFromPoint: () => null
};
(globalThis as any).window = { addEventListener: () => undefined, removeEventListener: () => undefined };


function node(name: string, y: number, extra: Record<string, any> = {}) {
  return { name, class_name: 'Dense', label: name, shape: '(None, 4)', error: null, short_error: null,
    selected: false, is_input: false, is_output: false, x: 10, y, ...extra };
}

const BEFORE = {
  width: 400, height: 300, node_width: 210, node_height: 54, message: '',
  nodes: [node('input_1', 10, { is_input: true }), node('dense_1', 90), node('dense_2', 170),
    node('add_1', 250, { error: 'takes 2 inputs', short_error: 'takes 2 inputs' })],
  edges: [{ source: 'input_1', target: 'dense_1', index: 0, count: 1, shape: '(None, 8)' },
    { source: 'input_1', target: 'dense_2', index: 0, count: 1, shape: '(None, 8)' },
    { source: 'dense_1', target: 'add_1', index: 0, count: 1, shape: '(None, 4)' }]
};

const AFTER = {
  ...BEFORE,
  nodes: BEFORE.nodes.map((n) => (n.name === 'add_1' ? { ...n, error: null, short_error: null } : n)),
  edges: BEFORE.edges.slice(0, 2).concat([
    { source: 'dense_1', target: 'add_1', index: 0, count: 2, shape: '(None, 4)' },
    { source: 'dense_2', target: 'add_1', index: 1, count: 2, shape: '(None, 4)' }])
};

function mount(graph: any) {
  const model = new FakeModel({ graph, status: '' });
  const el = new FakeElement('div');
  const cleanup = (canvas as any).render({ model, el });
  return { model, el, cleanup };
}

describe('the builder canvas', () => {
  it('draws one node per layer, one edge per connection, shapes and error marks', () => {
    const { el } = mount(BEFORE);
    const nodes = el.all('kk-node');
    expect(nodes.map((n) => n.getAttribute('data-name'))).toEqual(['input_1', 'dense_1', 'dense_2', 'add_1']);
    expect(el.all('kk-edge').map((e) => `${e.getAttribute('data-source')}>${e.getAttribute('data-target')}`))
      .toEqual(['input_1>dense_1', 'input_1>dense_2', 'dense_1>add_1']);
    expect(el.all('kk-edge-shape').map((t) => t.textContent)).toEqual(['(None, 8)', '(None, 8)', '(None, 4)']);
    expect(el.all('kk-node-error').map((n) => n.getAttribute('data-name'))).toEqual(['add_1']);
    expect(el.all('kk-port-out')).toHaveLength(4);
  });

  it('redraws when the graph trait changes (an edge added, the error gone)', () => {
    const { el, model } = mount(BEFORE);
    model.set('graph', AFTER);
    expect(el.all('kk-edge')).toHaveLength(4);
    expect(el.all('kk-edge').filter((e) => e.getAttribute('data-source') === 'dense_2'
      && e.getAttribute('data-target') === 'add_1')).toHaveLength(1);
    expect(el.all('kk-node-error')).toHaveLength(0);
    expect(el.all('kk-node')).toHaveLength(4);  // the old picture is replaced, not added to
  });

  it('sends select on a node click, and disconnect for a selected edge', () => {
    const { el, model } = mount(AFTER);
    el.all('kk-node').find((n) => n.getAttribute('data-name') === 'dense_2')!.dispatch('click');
    expect(model.sent).toContainEqual({ type: 'select', name: 'dense_2' });
    const hits = el.all('kk-edge-hit');
    hits[3].dispatch('click');
    el.all('kk-canvas-disconnect')[0].dispatch('click');
    expect(model.sent).toContainEqual({ type: 'disconnect', source: 'dense_2', target: 'add_1' });
  });

  it('stops listening when the view is removed', () => {
    const { model, cleanup } = mount(BEFORE);
    expect(typeof cleanup).toBe('function');
    cleanup();
    expect(model.handlers['change:graph']).toHaveLength(0);
  });
});
