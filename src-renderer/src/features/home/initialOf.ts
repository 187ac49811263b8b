/** The first letter of a name, by code point so an emoji or accented initial is not cut in half. */
export function initialOf(name: string): string {
  return ([...name.trim()][0] ?? '?').toLocaleUpperCase();
}
