/**
 * The default of every switch over a union (an action, a step, a node
 * kind): `x` has type never only when every member has its case, so a
 * member added to the union is a compile error at each switch that must
 * handle it. Reached at run time only by a value from outside the types
 * (a bug), which it names.
 */
export function assertNever(x: never, what = 'value'): never {
  throw new Error(`unexpected ${what} ${JSON.stringify(x)}`);
}
