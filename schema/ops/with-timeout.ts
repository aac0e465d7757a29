/**
 * `promise`, or a rejection `no answer within <ms> ms` once `ms` have passed: a dependency that
 * stalls (FerretDB can) must not hold a probe, a lookup or a request with it. The timer is
 * cleared either way, so nothing keeps the process alive after the answer.
 */
export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
