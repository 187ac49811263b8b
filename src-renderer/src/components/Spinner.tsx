/** Decorative: the busy text next to it is what assistive technology reads. */
export function Spinner() {
  return <span className="spinner" aria-hidden="true" />;
}
