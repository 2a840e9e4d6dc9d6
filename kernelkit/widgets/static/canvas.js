// The ModelBuilder graph canvas (anywidget front end): plain ES module, SVG, no dependencies.
//
// Python computes everything shown (layout, labels, shapes, errors) and syncs it as the `graph` trait;
// this module draws it and sends commands back with model.send():
//   {type: 'connect', source, target}   drag from a node's output port (bottom) onto another node
//   {type: 'disconnect', source, target} select an edge, then "Disconnect" (or Delete / Backspace)
//   {type: 'select', name}               click a node (the builder's form then edits it)
//   {type: 'remove', name}               "Remove layer" (or Delete / Backspace with a node selected)
//
// Stable DOM classes (used by the browser tests): kk-canvas (the <svg>), kk-node (one <g> per layer, with
// data-name), kk-node-error, kk-node-selected, kk-port-in, kk-port-out, kk-edge (<path>, with data-source and
// data-target), kk-edge-shape (<text> label of an edge), kk-canvas-status, kk-canvas-toolbar.

const SVG_NS = 'http://www.w3.org/2000/svg';

function svg(tag, attributes, parent) {
  const element = document.createElementNS(SVG_NS, tag);
  for (const [key, value] of Object.entries(attributes || {})) {
    element.setAttribute(key, String(value));
  }
  if (parent) {
    parent.appendChild(element);
  }
  return element;
}

function html(tag, className, parent, text) {
  const element = document.createElement(tag);
  if (className) {
    element.className = className;
  }
  if (text !== undefined) {
    element.textContent = text;
  }
  if (parent) {
    parent.appendChild(element);
  }
  return element;
}

// The point where the edge number `index` of `count` enters its target, and where edges leave a source.
function inPoint(node, index, count, width) {
  return { x: node.x + (width * (index + 1)) / (count + 1), y: node.y };
}

function outPoint(node, width, height) {
  return { x: node.x + width / 2, y: node.y + height };
}

function edgePath(from, to) {
  const bend = Math.max(24, (to.y - from.y) / 2);
  if (to.y <= from.y) {  // an edge going up (an invalid order the user is fixing): loop around
    return `M${from.x},${from.y} C${from.x},${from.y + 60} ${to.x},${to.y - 60} ${to.x},${to.y}`;
  }
  return `M${from.x},${from.y} C${from.x},${from.y + bend} ${to.x},${to.y - bend} ${to.x},${to.y}`;
}

function nodeUnder(clientX, clientY) {
  const element = document.elementFromPoint(clientX, clientY);
  const group = element && element.closest ? element.closest('.kk-node') : null;
  return group ? group.getAttribute('data-name') : null;
}

function render({ model, el }) {
  const root = html('div', 'kk-canvas-root', el);
  const toolbar = html('div', 'kk-canvas-toolbar', root);
  const hint = html('span', 'kk-canvas-hint', toolbar,
    'Drag from a layer\'s bottom port onto another layer to connect. Click a layer to edit it.');
  const disconnectButton = html('button', 'kk-canvas-disconnect', toolbar, 'Disconnect edge');
  const removeButton = html('button', 'kk-canvas-remove', toolbar, 'Remove layer');
  const scroller = html('div', 'kk-canvas-scroll', root);
  const status = html('div', 'kk-canvas-status', root);
  const picture = svg('svg', { class: 'kk-canvas', tabindex: '0' }, scroller);
  let selectedEdge = null;  // {source, target}
  let drag = null;          // {source, line, from}

  function graph() {
    return model.get('graph') || { nodes: [], edges: [] };
  }

  function selectedNode() {
    const node = graph().nodes.find((item) => item.selected);
    return node ? node.name : null;
  }

  function updateButtons() {
    disconnectButton.disabled = !selectedEdge;
    removeButton.disabled = !selectedNode();
  }

  function showStatus() {
    const text = model.get('status') || graph().message || '';
    status.textContent = text;
    status.classList.toggle('kk-canvas-status-error', Boolean(text));
  }

  function draw() {
    const data = graph();
    const width = data.node_width || 210;
    const height = data.node_height || 54;
    const byName = new Map(data.nodes.map((node) => [node.name, node]));
    if (selectedEdge && !data.edges.some((edge) => edge.source === selectedEdge.source
        && edge.target === selectedEdge.target)) {
      selectedEdge = null;
    }
    while (picture.firstChild) {
      picture.removeChild(picture.firstChild);
    }
    picture.setAttribute('width', data.width || 0);
    picture.setAttribute('height', data.height || 0);
    picture.setAttribute('viewBox', `0 0 ${data.width || 0} ${data.height || 0}`);
    const defs = svg('defs', {}, picture);
    const marker = svg('marker', { id: 'kk-arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7,
      markerHeight: 7, orient: 'auto-start-reverse' }, defs);
    svg('path', { d: 'M0,0 L10,5 L0,10 z', class: 'kk-arrow-head' }, marker);

    const edgeLayer = svg('g', { class: 'kk-edges' }, picture);
    const labelLayer = svg('g', { class: 'kk-edge-labels' }, picture);
    for (const edge of data.edges) {
      const source = byName.get(edge.source);
      const target = byName.get(edge.target);
      if (!source || !target) {
        continue;
      }
      const from = outPoint(source, width, height);
      const to = inPoint(target, edge.index, edge.count, width);
      const chosen = selectedEdge && selectedEdge.source === edge.source && selectedEdge.target === edge.target;
      const path = svg('path', { class: 'kk-edge' + (chosen ? ' kk-edge-selected' : ''), d: edgePath(from, to),
        'data-source': edge.source, 'data-target': edge.target, 'marker-end': 'url(#kk-arrow)' }, edgeLayer);
      svg('title', {}, path).textContent = `${edge.source} \u2192 ${edge.target}: ${edge.shape}`;
      // A wide invisible path on top makes the edge easy to click.
      const hit = svg('path', { class: 'kk-edge-hit', d: edgePath(from, to) }, edgeLayer);
      const pick = (event) => {
        event.stopPropagation();
        selectedEdge = { source: edge.source, target: edge.target };
        draw();
        picture.focus();
      };
      hit.addEventListener('click', pick);
      const middle = { x: (from.x + to.x) / 2, y: (from.y + to.y) / 2 };
      const label = svg('text', { class: 'kk-edge-shape', x: middle.x + 4, y: middle.y + 4,
        'data-source': edge.source, 'data-target': edge.target }, labelLayer);
      label.textContent = edge.shape;
      label.addEventListener('click', pick);
    }

    const nodeLayer = svg('g', { class: 'kk-nodes' }, picture);
    for (const node of data.nodes) {
      const classes = ['kk-node'];
      if (node.error) classes.push('kk-node-error');
      if (node.selected) classes.push('kk-node-selected');
      if (node.is_input) classes.push('kk-node-input');
      if (node.is_output) classes.push('kk-node-output');
      const group = svg('g', { class: classes.join(' '), 'data-name': node.name,
        transform: `translate(${node.x},${node.y})` }, nodeLayer);
      const tip = node.error ? `${node.name}: ${node.error}`
        : `${node.name} (${node.class_name}) output ${node.shape}, ${node.params === null ? '?' : node.params} params`;
      svg('title', {}, group).textContent = tip;
      svg('rect', { class: 'kk-node-box', width, height, rx: 6, ry: 6 }, group);
      svg('text', { class: 'kk-node-label', x: 8, y: 17 }, group).textContent = node.label;
      svg('text', { class: 'kk-node-name', x: 8, y: 32 }, group).textContent = node.name;
      const line = node.error ? `\u26a0 ${node.short_error}` : node.shape;
      svg('text', { class: node.error ? 'kk-node-error-text' : 'kk-node-shape', x: 8, y: 47 }, group)
        .textContent = line;
      if (!node.is_input) {
        svg('circle', { class: 'kk-port-in', cx: width / 2, cy: 0, r: 5 }, group);
      }
      const port = svg('circle', { class: 'kk-port-out', cx: width / 2, cy: height, r: 7 }, group);
      svg('title', {}, port).textContent = `Drag onto another layer to feed it ${node.name}'s output`;
      port.addEventListener('pointerdown', (event) => startDrag(event, node, width, height));
      group.addEventListener('click', (event) => {
        event.stopPropagation();
        selectedEdge = null;
        if (!node.selected) {
          model.send({ type: 'select', name: node.name });
        }
        updateButtons();
        picture.focus();
      });
    }
    updateButtons();
    showStatus();
  }

  function pointIn(event) {
    const box = picture.getBoundingClientRect();
    const data = graph();
    const scaleX = box.width ? (data.width || box.width) / box.width : 1;
    const scaleY = box.height ? (data.height || box.height) / box.height : 1;
    return { x: (event.clientX - box.left) * scaleX, y: (event.clientY - box.top) * scaleY };
  }

  function startDrag(event, node, width, height) {
    if (event.button !== undefined && event.button !== 0) {
      return;
    }
    event.preventDefault();
    event.stopPropagation();
    const from = outPoint(node, width, height);
    const line = svg('path', { class: 'kk-drag-line', d: `M${from.x},${from.y} L${from.x},${from.y}` }, picture);
    drag = { source: node.name, line, from };
    window.addEventListener('pointermove', onDragMove);
    window.addEventListener('pointerup', onDragEnd);
    window.addEventListener('pointercancel', cancelDrag);
  }

  function onDragMove(event) {
    if (!drag) return;
    const to = pointIn(event);
    drag.line.setAttribute('d', `M${drag.from.x},${drag.from.y} L${to.x},${to.y}`);
    for (const group of picture.querySelectorAll('.kk-node-drop')) {
      group.classList.remove('kk-node-drop');
    }
    const over = nodeUnder(event.clientX, event.clientY);
    if (over && over !== drag.source) {
      const group = picture.querySelector(`.kk-node[data-name="${CSS.escape(over)}"]`);
      if (group) group.classList.add('kk-node-drop');
    }
  }

  function stopListening() {
    window.removeEventListener('pointermove', onDragMove);
    window.removeEventListener('pointerup', onDragEnd);
    window.removeEventListener('pointercancel', cancelDrag);
  }

  function cancelDrag() {
    stopListening();
    if (drag && drag.line.parentNode) {
      drag.line.parentNode.removeChild(drag.line);
    }
    drag = null;
    for (const group of picture.querySelectorAll('.kk-node-drop')) {
      group.classList.remove('kk-node-drop');
    }
  }

  function onDragEnd(event) {
    if (!drag) return;
    const source = drag.source;
    cancelDrag();
    const target = nodeUnder(event.clientX, event.clientY);
    if (target && target !== source) {
      model.send({ type: 'connect', source, target });
    }
  }

  function disconnectSelected() {
    if (selectedEdge) {
      model.send({ type: 'disconnect', source: selectedEdge.source, target: selectedEdge.target });
      selectedEdge = null;
      updateButtons();
    }
  }

  function removeSelected() {
    const name = selectedNode();
    if (name) {
      model.send({ type: 'remove', name });
    }
  }

  disconnectButton.addEventListener('click', disconnectSelected);
  removeButton.addEventListener('click', removeSelected);
  picture.addEventListener('click', () => {
    if (selectedEdge) {
      selectedEdge = null;
      draw();
    }
  });
  picture.addEventListener('keydown', (event) => {
    if (event.key === 'Delete' || event.key === 'Backspace') {
      event.preventDefault();
      event.stopPropagation();
      if (selectedEdge) disconnectSelected(); else removeSelected();
    } else if (event.key === 'Escape') {
      cancelDrag();
      selectedEdge = null;
      draw();
    }
  });
  hint.title = 'Select an edge (click it or its shape) to disconnect it; Delete removes the selection.';

  model.on('change:graph', draw);
  model.on('change:status', showStatus);
  draw();
  return () => {
    cancelDrag();
    model.off('change:graph', draw);
    model.off('change:status', showStatus);
  };
}

export default { render };
