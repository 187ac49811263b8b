/**
 * Confines an expression to the `body` column: user text never matches the
 * scope tokens (someone searching for "c12" must not find conversation 12).
 */
export function bodyOnly(expression: string | null): string | null {
  return expression === null ? null : `body : (${expression})`;
}
