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
export function useVirtualRows(options: Options): RowVirtualizer {
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
  useLayoutEffect(() => instance._didMount(), [instance]);
  useLayoutEffect(() => instance._willUpdate());
  return instance;
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
