import {
  Virtualizer,
  elementScroll,
  observeElementOffset,
  observeElementRect,
  type VirtualizerOptions,
} from '@tanstack/react-virtual';
import { useLayoutEffect, useReducer, useState } from 'react';

export type RowVirtualizer = Virtualizer<HTMLDivElement, HTMLDivElement>;

type Options = Omit<
  VirtualizerOptions<HTMLDivElement, HTMLDivElement>,
  'observeElementRect' | 'observeElementOffset' | 'scrollToFn' | 'onChange'
>;

/**
 * Where a new positioning (opening a conversation, a jump) puts the view: the
 * row at `index`, at the bottom ('end') or in the middle ('center'). `token`
 * changes once per positioning; each token is applied to one render only.
 */
export interface StartAt {
  token: number;
  index: number;
  align: 'end' | 'center';
}

/** The token each virtualizer last started at (module state: no ref is written during render). */
const startedAt = new WeakMap<RowVirtualizer, number>();

/**
 * TanStack's `Virtualizer` bound to a component, plus CSSOM positioning.
 *
 * Why not `useVirtualizer`: the React Compiler lint marks it incompatible (it
 * returns functions that must not be memoized). This hook is the same few
 * lines over the framework-free core, re-rendering on every virtualizer change.
 *
 * Positions and the total height are written with `element.style.*` after
 * each commit: the CSP (style-src 'self') blocks style attributes, and React
 * `style` props are attributes during server rendering and suspect here; CSSOM
 * writes are allowed.
 */
export function useVirtualRows(options: Options, startAt: StartAt | null = null): RowVirtualizer {
  const [, rerender] = useReducer((n: number) => n + 1, 0);
  const resolved: VirtualizerOptions<HTMLDivElement, HTMLDivElement> = {
    ...options,
    observeElementRect,
    observeElementOffset,
    scrollToFn: elementScroll,
    onChange: () => rerender(),
  };
  const [instance] = useState(() => new Virtualizer(resolved));
  instance.setOptions(resolved);
  if (startAt && options.count > 0 && startedAt.get(instance) !== startAt.token) {
    startedAt.set(instance, startAt.token);
    startFrom(instance, startAt);
  }
  useLayoutEffect(() => instance._didMount(), [instance]);
  useLayoutEffect(() => instance._willUpdate());
  return instance;
}

/**
 * Sets the range to draw on the first render of a positioning from the estimated sizes, before the
 * layout effect scrolls the element there: without it that render draws the rows at the old offset
 * (the oldest of the page) and the target rows come one scroll event and one frame later (the ui
 * bench's open of a 100k conversation spent ~14 ms of its in-page 63 ms on that second pass).
 */
function startFrom(instance: RowVirtualizer, { index, align }: StartAt): void {
  const viewport = instance.scrollRect?.height ?? 0;
  const total = instance.getTotalSize();
  const item = instance.measurementsCache[index];
  if (viewport === 0 || !item) return;
  const max = Math.max(0, total - viewport);
  const target = align === 'end' ? item.end - viewport : item.start + (item.size - viewport) / 2;
  instance.scrollOffset = Math.min(max, Math.max(0, target));
}

/** Writes the container height and each rendered row's offset; cheap when nothing moved. */
export function applyPositions(instance: RowVirtualizer, container: HTMLElement | null): void {
  if (!container) return;
  const total = `${instance.getTotalSize()}px`;
  if (container.style.height !== total) container.style.height = total;
  for (const item of instance.getVirtualItems()) {
    const el = instance.elementsCache.get(item.key);
    if (!el) continue;
    const transform = `translateY(${item.start}px)`;
    if (el.style.transform !== transform) el.style.transform = transform;
  }
}
