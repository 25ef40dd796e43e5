/**
 * The app's hand-written view of the API's answers (web/src/api/types.ts) must stay a view of what the
 * server really sends. Those shapes are written apart on purpose — fields the app can live without are
 * optional there, so an older or newer server degrades a panel instead of breaking a page — but a field
 * renamed or retyped on the server must not go unnoticed. Each line below fails to typecheck (and `npm
 * test` with it) when a server type no longer fits the app's type for the same answer.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type * as App from '../../web/src/api/types.js';
import type * as Store from '../../src/store/store.js';
import type { modelJson, runJson, versionJson } from '../../src/api/json.js';
import type { experimentJson } from '../../src/experiment/experiment-json.js';
import type { ArmTraffic } from '../../src/experiment/arm-traffic.js';
import type { InspectReport } from '../../src/data/profile/inspect.js';
import type { Finding } from '../../src/data/profile/findings.js';
import type { ColumnProfile } from '../../src/data/profile/profile-types.js';
import type { TrafficBucket } from '../../src/monitor/traffic.js';
import type { LatencySummary } from '../../src/monitor/latency.js';
import type { MonitorReport } from '../../src/monitor/check-model.js';
import type { ModelReport } from '../../src/modules/tabular/model-report.js';

/** What a value becomes on the wire: JSON has no undefined, and readonly-ness does not travel. */
type Wire<T> = T extends readonly (infer E)[] ? readonly Wire<E>[] : T extends object ? { readonly [K in keyof T]: Wire<T[K]> } : T;
/** `true` when every answer the server can send fits the app's type, else `never` (a type error below). */
type Fits<Server, AppView> = Wire<Server> extends AppView ? true : never;
/** Takes only `true` where the types fit: `never` accepts no value, so a misfit is a type error here. */
const fits = <Server, AppView>(value: Fits<Server, AppView>): boolean => value;

const agreements = {
  registeredModel: fits<ReturnType<typeof modelJson>, App.RegisteredModel>(true),
  modelVersion: fits<ReturnType<typeof versionJson>, App.ModelVersion>(true),
  run: fits<ReturnType<typeof runJson>, App.Run>(true),
  experiment: fits<ReturnType<typeof experimentJson>, App.Experiment>(true),
  alertEvent: fits<Store.AlertEvent, App.AlertEvent>(true),
  armTraffic: fits<ArmTraffic, App.ArmTraffic>(true),
  inspectReport: fits<InspectReport, App.InspectReport>(true),
  finding: fits<Finding, App.Finding>(true),
  columnProfile: fits<ColumnProfile, App.ColumnProfile>(true),
  trafficBucket: fits<TrafficBucket, App.TrafficBucket>(true),
  latencySummary: fits<LatencySummary, App.LatencySummary>(true),
  monitoring: fits<MonitorReport, App.MonitoringDoc>(true),
  modelReport: fits<ModelReport, App.ModelReportDoc>(true),
} as const;

test('the app reads the server\'s answers with types the server\'s own types fit', () => {
  // The check is the typecheck of the object above; at run time every entry is simply true.
  assert.ok(Object.values(agreements).every((fits) => fits === true));
});
