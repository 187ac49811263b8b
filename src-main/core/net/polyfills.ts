/**
 * Runtime shims the libp2p stack needs on Node 20. Import this module first
 * (parleyNode.ts does, before anything from libp2p), because libp2p 3 and its
 * helpers call `Promise.withResolvers` (ES2024, Node ≥ 22) at run time.
 *
 * Idempotent: installs nothing when the runtime already has the function, and
 * the installed version is the spec's behaviour, so it is safe to import twice.
 */

interface Resolvers<T> {
  promise: Promise<T>;
  resolve: (value: T | PromiseLike<T>) => void;
  reject: (reason?: unknown) => void;
}

type PromiseConstructorWithResolvers = PromiseConstructor & {
  withResolvers?: <T>() => Resolvers<T>;
};

const P = Promise as PromiseConstructorWithResolvers;

if (typeof P.withResolvers !== 'function') {
  Object.defineProperty(Promise, 'withResolvers', {
    configurable: true,
    writable: true,
    enumerable: false,
    value: function withResolvers<T>(this: PromiseConstructor): Resolvers<T> {
      let resolve!: (value: T | PromiseLike<T>) => void;
      let reject!: (reason?: unknown) => void;
      // `this` so that subclasses get instances of themselves, as the spec says.
      const promise = new this<T>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      return { promise, resolve, reject };
    },
  });
}

export {};
