/** Ends an exhaustive `switch`: the compiler proves it unreachable, the runtime reports what slipped through. */
export function assertNever(value: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(value)}`);
}
