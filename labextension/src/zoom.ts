/**
 * Zoom, pan and fit for a Graphviz SVG in a scrolling box: one implementation for the ASL
 * editor's graph pane (widget.ts) and the notebook widgets' execution graph (widgets/src/graph.ts
 * imports this file; esbuild bundles it from here, as it does svgsafe.ts).
 *
 * The SVG is sized in CSS pixels (natural size × scale) inside a box that scrolls, so panning is
 * the browser's own scrolling (scrollbars, arrow keys, two-finger swipes) plus dragging with the
 * mouse, and the SVG stays vector-sharp at every scale. Ctrl/⌘ + wheel and trackpad pinches (which
 * browsers send as Ctrl + wheel) zoom around the pointer; the plain wheel keeps scrolling, so a
 * notebook page scrolls past a graph instead of getting stuck in it. Keys: `+`/`=` and `-` zoom,
 * `0` fits, `1` shows the natural size.
 *
 * Readable at any size: "fit" never goes below `MIN_FIT` (state names at about 9 px). A graph too
 * large for the box at that scale fits its width when it can, else starts at `MIN_FIT` at its
 * start (top centre) and scrolls; the user may still zoom out to an overview, down to `MIN_SCALE`.
 *
 *     const view = new ZoomView(box);
 *     view.setSvg(svg);            // a new graph: fitted
 *     view.setSvg(svg2, true);     // a redraw of the same graph: keeps the user's zoom and scroll
 *     view.reveal(nodeGroup);      // scroll a state into view (follow-the-cursor)
 */

/** Graphviz writes sizes in points; CSS pixels are 4/3 of a point. */
export const PX_PER_PT = 4 / 3;
/** The smallest scale "fit" uses: Graphviz's 10 pt state names show at 10 × 4/3 × 0.68 ≈ 9 px. */
export const MIN_FIT = 0.68;
/** Fit never enlarges a small graph beyond its natural size. */
export const MAX_FIT = 1;
/** Zooming out by hand stops here, or lower where that is what shows the whole graph. */
export const MIN_SCALE = 0.05;
export const MAX_SCALE = 4;
/** One step of the buttons and the +/- keys. */
export const STEP = 1.25;

export interface Size {
  width: number;
  height: number;
}

/** What `fitScale` decided: the scale, and whether the graph still overflows the box. */
export interface Fit {
  scale: number;
  /** True when the graph is larger than the box at `scale` (it starts at its top centre). */
  overflows: boolean;
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

export function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}

/**
 * The scale that fits `natural` into `box`, kept between `MIN_FIT` and `MAX_FIT`. When the whole
 * graph cannot be shown readably, it fits the width if that is readable (a tall chain scrolls
 * down), else starts at `MIN_FIT` (wide and tall: it scrolls both ways).
 *
 *     fitScale({width: 200, height: 7650}, {width: 600, height: 700})  // {scale: 0.68, overflows: true}
 */
export function fitScale(natural: Size, box: Size, minFit = MIN_FIT, maxFit = MAX_FIT): Fit {
  if (natural.width <= 0 || natural.height <= 0 || box.width <= 0 || box.height <= 0) {
    return { scale: 1, overflows: false };
  }
  const sx = box.width / natural.width;
  const sy = box.height / natural.height;
  const whole = Math.min(sx, sy, maxFit);
  if (whole >= minFit) {
    return { scale: whole, overflows: false };
  }
  const widthOnly = Math.min(sx, maxFit);
  if (widthOnly >= minFit) {
    return { scale: widthOnly, overflows: true };
  }
  return { scale: minFit, overflows: true };
}

/** The next scale up or down one step (`direction` 1 or -1), within the hand-zoom limits. */
export function stepScale(scale: number, direction: number): number {
  return clamp(scale * Math.pow(STEP, direction), MIN_SCALE, MAX_SCALE);
}

/** The zoom factor of a wheel event's `deltaY` (pinches send small deltas, wheels ~100). */
export function wheelFactor(deltaY: number, deltaMode = 0): number {
  const pixels = deltaMode === 1 ? deltaY * 16 : deltaMode === 2 ? deltaY * 400 : deltaY;
  return Math.exp(-clamp(pixels, -200, 200) / 300);
}

/**
 * The scroll offsets that keep the content point under `pointer` (relative to the box's top-left
 * corner) in place when the scale changes from `from` to `to`.
 *
 *     zoomScroll({left: 0, top: 0}, {x: 100, y: 50}, 1, 2)  // {left: 100, top: 50}
 */
export function zoomScroll(
  scroll: { left: number; top: number },
  pointer: { x: number; y: number },
  from: number,
  to: number
): { left: number; top: number } {
  const ratio = to / from;
  return {
    left: (scroll.left + pointer.x) * ratio - pointer.x,
    top: (scroll.top + pointer.y) * ratio - pointer.y
  };
}

/**
 * The scroll offsets that bring `target` (content pixels) into a box showing `view`, centred,
 * or null when it is already wholly visible with `margin` pixels to spare.
 */
export function revealScroll(
  target: { x: number; y: number; width: number; height: number },
  view: { left: number; top: number; width: number; height: number },
  margin = 24
): { left: number; top: number } | null {
  const inside =
    target.x >= view.left + margin &&
    target.y >= view.top + margin &&
    target.x + target.width <= view.left + view.width - margin &&
    target.y + target.height <= view.top + view.height - margin;
  if (inside) {
    return null;
  }
  return {
    left: Math.max(0, target.x + target.width / 2 - view.width / 2),
    top: Math.max(0, target.y + target.height / 2 - view.height / 2)
  };
}

/**
 * An SVG's natural size in CSS pixels: what `ZoomView` noted (`data-sfn-width`), else Graphviz's
 * `width`/`height` (pt), else its viewBox (pt).
 */
export function naturalSize(svg: SVGSVGElement): Size {
  const box = (svg.getAttribute('viewBox') ?? '').trim().split(/[\s,]+/).map(Number);
  const fromBox = box.length === 4 && box.every(Number.isFinite);
  const read = (name: 'width' | 'height', fallback: number): number => {
    const text = svg.dataset[name === 'width' ? 'sfnWidth' : 'sfnHeight'] ?? svg.getAttribute(name);
    const match = text ? /^([\d.]+)\s*(pt|px)?$/.exec(text.trim()) : null;
    if (match) {
      return Number(match[1]) * (match[2] === 'px' ? 1 : PX_PER_PT);
    }
    return fallback * PX_PER_PT;
  };
  return {
    width: read('width', fromBox ? box[2] : 0),
    height: read('height', fromBox ? box[3] : 0)
  };
}

export namespace ZoomView {
  export interface IOptions {
    /**
     * The tallest the box may grow (CSS px) when its height follows the content (a notebook
     * output); omit when the box has a height of its own (a panel).
     */
    maxHeight?: number;
    /** Toolbar buttons after the zoom ones (e.g. exports), built by the host. */
    extraButtons?: HTMLElement[];
  }
}

/**
 * The toolbar's and the box's few rules, added once per document: both hosts (a JupyterLab
 * stylesheet and the widgets' bundled CSS) share them without either copying the other's file.
 * JupyterLab's CSS variables (with fallbacks outside it) make them follow the theme.
 */
export const ZOOM_CSS = `
.sfn-zoom-toolbar { display: flex; flex-wrap: wrap; gap: 2px; align-items: center; margin: 2px 0;
  font-family: var(--jp-ui-font-family, sans-serif); font-size: 11px; }
.sfn-zoom-toolbar button { min-width: 24px; height: 22px; padding: 0 6px; cursor: pointer;
  border: 1px solid var(--jp-border-color1, #c6cbd1); border-radius: 3px;
  background: var(--jp-layout-color1, #ffffff); color: var(--jp-ui-font-color1, #16191f);
  font: inherit; }
.sfn-zoom-toolbar button:hover { background: var(--jp-layout-color2, #f2f3f3); }
.sfn-zoom-toolbar .sfn-zoom-sep { width: 8px; }
.sfn-zoom-level { min-width: 38px; text-align: center; color: var(--jp-ui-font-color2, #5f6b7a); }
.sfn-zoom-box { overflow: auto; scrollbar-gutter: stable; cursor: grab; outline: none; }
.sfn-zoom-box:focus-visible { box-shadow: inset 0 0 0 1px var(--jp-brand-color1, #0972d3); }
.sfn-zoom-box.sfn-zoom-dragging { cursor: grabbing; user-select: none; }
.sfn-zoom-box svg.sfn-zoom-svg { display: block; max-width: none; max-height: none; margin: 0 auto;
  height: auto; }
`;

function addStyle(doc: Document): void {
  if (!doc.getElementById('sfn-zoom-style')) {
    const style = doc.createElement('style');
    style.id = 'sfn-zoom-style';
    style.textContent = ZOOM_CSS;
    doc.head.append(style);
  }
}

/** Zoom, pan and fit one SVG at a time inside `box` (the host places `toolbar` near it). */
export class ZoomView {
  constructor(readonly box: HTMLElement, options: ZoomView.IOptions = {}) {
    const doc = box.ownerDocument;
    addStyle(doc);
    this._maxHeight = options.maxHeight;
    box.classList.add('sfn-zoom-box');
    box.tabIndex = box.tabIndex >= 0 ? box.tabIndex : 0;
    box.setAttribute('role', 'region');
    box.setAttribute('aria-label', 'State machine graph: + and - zoom, 0 fits, drag to pan');
    this.toolbar = doc.createElement('div');
    this.toolbar.className = 'sfn-zoom-toolbar';
    this.toolbar.setAttribute('role', 'toolbar');
    this.toolbar.setAttribute('aria-label', 'Graph zoom');
    this._label = doc.createElement('span');
    this._label.className = 'sfn-zoom-level';
    this.toolbar.append(
      this._button('−', 'Zoom out (−, or Ctrl/⌘ + wheel)', 'out', () => this.zoomBy(1 / STEP)),
      this._label,
      this._button('+', 'Zoom in (+, or Ctrl/⌘ + wheel)', 'in', () => this.zoomBy(STEP)),
      this._button('Fit', 'Fit the graph to the view, keeping labels readable (0)', 'fit', () =>
        this.fit()
      ),
      this._button('1:1', 'Natural size (1)', 'actual', () => this.setScale(1)),
      ...(options.extraButtons ?? [])
    );
    box.addEventListener('wheel', this._onWheel, { passive: false });
    for (const name of ['wheel', 'pointerdown', 'keydown', 'touchstart']) {
      box.addEventListener(name, this._onTouch, { passive: true });
    }
    box.addEventListener('keydown', this._onKey);
    box.addEventListener('pointerdown', this._onPointerDown);
    box.addEventListener('click', this._onClickCapture, true);
    if (typeof ResizeObserver !== 'undefined') {
      // Refit when the box itself changes size (a panel resized), not when the graph grows it.
      let seen = '';
      this._resize = new ResizeObserver(() => {
        const size = `${box.clientWidth}x${this._maxHeight ?? box.clientHeight}`;
        if (size !== seen) {
          seen = size;
          if (this._mode === 'fit') {
            // Refit; a view the user scrolled keeps showing the same part of the graph.
            const y = (box.scrollTop + box.clientHeight / 2) / Math.max(1, box.scrollHeight);
            const x = (box.scrollLeft + box.clientWidth / 2) / Math.max(1, box.scrollWidth);
            this.fit();
            if (this._touched) {
              box.scrollTop = y * box.scrollHeight - box.clientHeight / 2;
              box.scrollLeft = x * box.scrollWidth - box.clientWidth / 2;
            }
          }
          // A view drawn before it was on the page (a notebook output) follows once it is.
          if (!this._touched && this._following?.isConnected) {
            this.reveal(this._following, false);
          }
        }
      });
      this._resize.observe(box);
    }
  }

  /** Zoom buttons (and the host's extra ones): the host places it above or beside the box. */
  readonly toolbar: HTMLElement;

  get scale(): number {
    return this._scale;
  }

  /** 'fit' until the user zooms by hand; a redraw then keeps the hand-picked scale. */
  get mode(): 'fit' | 'manual' {
    return this._mode;
  }

  get svg(): SVGSVGElement | null {
    return this._svg;
  }

  /**
   * Show `svg` in the box, in place of what it held. A new graph is fitted; with `keep`, a
   * redraw of the same graph keeps a hand-picked scale (else fits the new drawing) and the
   * scroll position.
   */
  setSvg(svg: SVGSVGElement, keep = false): void {
    // Read the scroll before the old drawing goes: the box clamps it to what it then holds.
    const scroll = { left: this.box.scrollLeft, top: this.box.scrollTop };
    const natural = naturalSize(svg);
    // The natural size, in case CSS or Graphviz's attributes are gone by the next read.
    svg.dataset.sfnWidth = `${natural.width}px`;
    svg.dataset.sfnHeight = `${natural.height}px`;
    svg.classList.add('sfn-zoom-svg');
    // A redraw (the editor's, after each edit) keeps the view where the user left it: the
    // hand-picked scale (or the fit of the new drawing) and the scroll position.
    const redraw = keep && this._svg !== null;
    this._svg = svg;
    this._natural = natural;
    if (redraw) {
      const fitted = fitScale(natural, this._boxSize());
      this._apply(this._mode === 'manual' ? this._scale : fitted.scale);
      this.box.dataset.overflows = String(fitted.overflows);
    }
    if (svg.parentNode !== this.box) {
      this.box.replaceChildren(svg);
    }
    if (redraw) {
      this.box.scrollLeft = scroll.left;
      this.box.scrollTop = scroll.top;
    } else {
      this._touched = false;
      this._following = null;
      this.fit();
    }
  }

  /** Forget the drawing (the host shows a message instead). */
  clear(): void {
    this._svg = null;
    this._label.textContent = '';
  }

  /** Fit the graph (see `fitScale`); a graph that overflows shows its start, top centre. */
  fit(): void {
    this._mode = 'fit';
    if (!this._svg) {
      return;
    }
    const found = fitScale(this._natural, this._boxSize());
    this._apply(found.scale);
    const width = this._natural.width * found.scale;
    this.box.scrollTop = 0;
    this.box.scrollLeft = Math.max(0, (width - this.box.clientWidth) / 2);
    this.box.dataset.overflows = String(found.overflows);
  }

  /** Set the scale, keeping the point at `pointer` (box coordinates; default: the centre). */
  setScale(scale: number, pointer?: { x: number; y: number }): void {
    if (!this._svg) {
      return;
    }
    this._mode = 'manual';
    // Zooming out always reaches the whole graph, however large (an overview of 500 states).
    const box = this._boxSize();
    const whole = Math.min(box.width / this._natural.width, box.height / this._natural.height);
    const low = Math.min(MIN_SCALE, whole > 0 ? whole : MIN_SCALE);
    const to = clamp(scale, low, MAX_SCALE);
    const at = pointer ?? { x: this.box.clientWidth / 2, y: this.box.clientHeight / 2 };
    const next = zoomScroll(
      { left: this.box.scrollLeft, top: this.box.scrollTop },
      at,
      this._scale,
      to
    );
    this._apply(to);
    this.box.scrollLeft = next.left;
    this.box.scrollTop = next.top;
  }

  zoomBy(factor: number, pointer?: { x: number; y: number }): void {
    this.setScale(this._scale * factor, pointer);
  }

  /**
   * `reveal`, unless the user has moved the view by hand since this graph was drawn: a live view
   * follows the running state until the user takes over.
   */
  follow(element: Element): void {
    this._following = element;
    if (!this._touched) {
      this.reveal(element);
    }
  }

  /** Scroll so that `element` (inside the SVG) is in view; nothing when it already is. */
  reveal(element: Element, smooth = true): void {
    if (!this._svg || !this._svg.contains(element)) {
      return;
    }
    const boxRect = this.box.getBoundingClientRect();
    const rect = element.getBoundingClientRect();
    const target = {
      x: rect.left - boxRect.left + this.box.scrollLeft,
      y: rect.top - boxRect.top + this.box.scrollTop,
      width: rect.width,
      height: rect.height
    };
    const view = {
      left: this.box.scrollLeft,
      top: this.box.scrollTop,
      width: this.box.clientWidth,
      height: this.box.clientHeight
    };
    const next = revealScroll(target, view);
    if (next) {
      this.box.scrollTo({ ...next, behavior: smooth ? 'smooth' : 'auto' });
    }
  }

  dispose(): void {
    this._resize?.disconnect();
    this.box.removeEventListener('wheel', this._onWheel);
    for (const name of ['wheel', 'pointerdown', 'keydown', 'touchstart']) {
      this.box.removeEventListener(name, this._onTouch);
    }
    this.box.removeEventListener('keydown', this._onKey);
    this.box.removeEventListener('pointerdown', this._onPointerDown);
    this.box.removeEventListener('click', this._onClickCapture, true);
  }

  /** The room for the graph: the box's inner size less its padding. */
  private _boxSize(): Size {
    const style = this.box.ownerDocument.defaultView?.getComputedStyle(this.box);
    const pad = (a: string, b: string): number =>
      style ? (parseFloat(style.getPropertyValue(a)) || 0) + (parseFloat(style.getPropertyValue(b)) || 0) : 0;
    const width = this.box.clientWidth - pad('padding-left', 'padding-right');
    const height = (this._maxHeight ?? this.box.clientHeight) - pad('padding-top', 'padding-bottom');
    return { width, height };
  }

  private _apply(scale: number): void {
    this._scale = scale;
    if (this._svg) {
      // Attributes, not inline styles: outputs of untrusted notebooks are checked for `style`,
      // and the injected rule below lifts the hosts' `max-width: 100%`.
      this._svg.setAttribute('width', `${round2(this._natural.width * scale)}px`);
      this._svg.setAttribute('height', `${round2(this._natural.height * scale)}px`);
    }
    this._label.textContent = `${Math.round(scale * 100)}%`;
    this.box.dataset.scale = scale.toFixed(3);
  }

  private _button(text: string, title: string, name: string, run: () => void): HTMLElement {
    const button = this.box.ownerDocument.createElement('button');
    button.type = 'button';
    button.className = `sfn-zoom-button sfn-zoom-${name}`;
    button.textContent = text;
    button.title = title;
    button.setAttribute('aria-label', title);
    button.addEventListener('click', () => {
      this._touched = true;
      run();
    });
    return button;
  }

  private _pointer(event: { clientX: number; clientY: number }): { x: number; y: number } {
    const rect = this.box.getBoundingClientRect();
    return { x: event.clientX - rect.left, y: event.clientY - rect.top };
  }

  private _onTouch = (): void => {
    this._touched = true;
  };

  private _onWheel = (event: WheelEvent): void => {
    if (!this._svg || !(event.ctrlKey || event.metaKey)) {
      return; // the plain wheel scrolls
    }
    event.preventDefault();
    this.zoomBy(wheelFactor(event.deltaY, event.deltaMode), this._pointer(event));
  };

  private _onKey = (event: KeyboardEvent): void => {
    if (event.ctrlKey || event.metaKey || event.altKey || !this._svg) {
      return;
    }
    const actions: Record<string, () => void> = {
      '+': () => this.zoomBy(STEP),
      '=': () => this.zoomBy(STEP),
      '-': () => this.zoomBy(1 / STEP),
      '0': () => this.fit(),
      '1': () => this.setScale(1)
    };
    const action = actions[event.key];
    if (action) {
      event.preventDefault();
      event.stopPropagation();
      action();
    }
  };

  private _onPointerDown = (event: PointerEvent): void => {
    if (event.button !== 0 || !this._svg || !this._svg.contains(event.target as Node)) {
      return;
    }
    const start = { x: event.clientX, y: event.clientY };
    const scroll = { left: this.box.scrollLeft, top: this.box.scrollTop };
    this._dragged = false;
    const move = (e: PointerEvent): void => {
      const dx = e.clientX - start.x;
      const dy = e.clientY - start.y;
      if (!this._dragged && Math.hypot(dx, dy) < 4) {
        return; // a click, not a drag: states stay clickable
      }
      if (!this._dragged) {
        this._dragged = true;
        this.box.classList.add('sfn-zoom-dragging');
        try {
          this.box.setPointerCapture(event.pointerId);
        } catch {
          // the pointer may already be gone
        }
      }
      this.box.scrollLeft = scroll.left - dx;
      this.box.scrollTop = scroll.top - dy;
    };
    const up = (): void => {
      this.box.classList.remove('sfn-zoom-dragging');
      this.box.removeEventListener('pointermove', move);
      this.box.removeEventListener('pointerup', up);
      this.box.removeEventListener('pointercancel', up);
    };
    this.box.addEventListener('pointermove', move);
    this.box.addEventListener('pointerup', up);
    this.box.addEventListener('pointercancel', up);
  };

  /** A drag ends with a click on whatever is under the pointer: that click is not a select. */
  private _onClickCapture = (event: MouseEvent): void => {
    if (this._dragged) {
      this._dragged = false;
      event.stopPropagation();
      event.preventDefault();
    }
  };

  private _svg: SVGSVGElement | null = null;
  private _natural: Size = { width: 0, height: 0 };
  private _scale = 1;
  private _mode: 'fit' | 'manual' = 'fit';
  private _maxHeight: number | undefined;
  private _dragged = false;
  private _touched = false;
  private _following: Element | null = null;
  private _label: HTMLElement;
  private _resize: ResizeObserver | undefined;
}
