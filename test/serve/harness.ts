/**
 * The serving tests' world: a temporary Kiln home holding
 *   - `titanic` v1 (labels 0/1, weight 0.05, alias `champion`) and v2 (labels "died"/"survived", weight 0.1),
 *   - `fare`, a regressor,
 *   - `broken`, whose only version cannot be loaded,
 * and a server built on it (not listening; use `app.inject`).
 */
import pino from 'pino';
import { buildServer, type KilnServer, type ServerOptions } from '../../src/serve/server.js';
import type { Store } from '../../src/store/store.js';
import { registerFixture, tempHome } from './fixture-module.js';

export const V1_WEIGHT = 0.05;
export const V2_WEIGHT = 0.1;

export interface Harness {
  readonly app: KilnServer;
  readonly home: Awaited<ReturnType<typeof tempHome>>;
  close(): Promise<void>;
}

export async function startHarness(
  options: { readonly wrapStore?: (store: Store) => Store } & Partial<Omit<ServerOptions, 'store' | 'artifacts' | 'logger'>> = {},
): Promise<Harness> {
  const home = await tempHome();
  await registerFixture(home, { name: 'titanic', weight: V1_WEIGHT, classes: [0, 1] });
  await registerFixture(home, { name: 'titanic', weight: V2_WEIGHT, classes: ['died', 'survived'] });
  await home.store.setAlias('titanic', 'champion', 1);
  await registerFixture(home, { name: 'fare', task: 'regression' });
  await registerFixture(home, { name: 'broken', broken: true });

  const { wrapStore, ...serverOptions } = options;
  const app = await buildServer({
    ...serverOptions,
    store: wrapStore === undefined ? home.store : wrapStore(home.store),
    artifacts: home.artifacts,
    logger: pino({ level: process.env['KILN_LOG_LEVEL'] ?? 'silent' }),
  });
  return {
    app,
    home,
    async close() {
      await app.close();
      await home.remove();
    },
  };
}

/** A valid OIP request for the titanic model: two rows. */
export function titanicRequest(overrides: { id?: string } = {}): Record<string, unknown> {
  return {
    ...overrides,
    inputs: [
      { name: 'Age', shape: [2, 1], datatype: 'FP32', data: [22, null] },
      { name: 'Sex', shape: [2, 1], datatype: 'BYTES', data: ['male', 'female'] },
    ],
  };
}

export interface OipOutput {
  name: string;
  datatype: string;
  shape: number[];
  data: (number | string)[];
}

export interface OipResponse {
  model_name: string;
  model_version: string;
  id: string;
  outputs: OipOutput[];
}

export function output(response: OipResponse, name: string): OipOutput {
  const found = response.outputs.find((o) => o.name === name);
  if (found === undefined) throw new Error(`no output ${name} in ${JSON.stringify(response)}`);
  return found;
}

export const close = (a: number, b: number, tolerance = 1e-5): boolean => Math.abs(a - b) <= tolerance;

/** The store with some methods replaced (the others delegate, `this` being the real store). */
export function storeWith(store: Store, overrides: Partial<Store>): Store {
  return new Proxy(store, {
    get(target, key) {
      if (Object.hasOwn(overrides, key)) return overrides[key as keyof Store];
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** A promise with its resolve function, to hold a fake store call until the test lets it go. */
export function gate(): { readonly opened: Promise<void>; open(): void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}
