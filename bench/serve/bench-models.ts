/**
 * The models the serving benchmarks load, made on the spot (nothing in git):
 *
 *   iris           a Triton-layout folder model as skl2onnx shapes a small classifier (`float_input` [N, 4]),
 *                  no config.pbtxt (Kiln's defaults: dynamic batching, one instance);
 *   mlp_batched / mlp_unbatched   MLP 256→1024→1024→2 with max_batch_size 64, with and without dynamic_batching;
 *   titanic        a registered Kiln module in a temporary home (`Age` FP32 + `Sex` BYTES → label,
 *                  probabilities), the kind of model whose served rows go to the prediction log.
 *
 * One row per request, JSON, as the benchmark's clients send it.
 */
import { irisLike, tritonRepository, wideMlp } from '../../test/serve/foreign-models.js';
import { registerFixture, tempHome } from '../../test/serve/fixture-module.js';

export const BODIES = {
  iris: JSON.stringify({ inputs: [{ name: 'float_input', shape: [1, 4], datatype: 'FP32', data: [5.1, 3.5, 1.4, 0.2] }] }),
  mlp: JSON.stringify({ inputs: [{ name: 'x', shape: [1, 256], datatype: 'FP32', data: Array.from({ length: 256 }, (_, i) => Math.sin(i)) }] }),
  titanic: JSON.stringify({
    inputs: [
      { name: 'Age', shape: [1, 1], datatype: 'FP32', data: [22] },
      { name: 'Sex', shape: [1, 1], datatype: 'BYTES', data: ['female'] },
    ],
  }),
} as const;

/** The wider heavy model's layer widths (the default MLP is 256→1024→1024→2). */
const WIDER = [256, 2048, 2048, 2];

const heavyConfig = (batching: boolean): string =>
  `max_batch_size: 64\ninstance_group [ { count: 1, kind: KIND_CPU } ]\n${batching ? 'dynamic_batching { max_queue_delay_microseconds: 0 }\n' : ''}`;

export interface BenchModels {
  /** The Triton-layout folder (iris, mlp_batched, mlp_unbatched, mlp2k_batched, mlp2k_unbatched). */
  readonly repositoryDir: string;
  /** A Kiln home with `titanic` registered. */
  readonly home: Awaited<ReturnType<typeof tempHome>>;
  remove(): Promise<void>;
}

export async function benchModels(): Promise<BenchModels> {
  const repo = await tritonRepository([
    { name: 'iris', versions: { 1: irisLike() } },
    { name: 'mlp_batched', versions: { 1: wideMlp() }, config: heavyConfig(true) },
    { name: 'mlp_unbatched', versions: { 1: wideMlp() }, config: heavyConfig(false) },
    // twice as wide (4.7M weights): a run costs ~550 µs per row alone and ~120 µs per row in a batch of 32
    { name: 'mlp2k_batched', versions: { 1: wideMlp(WIDER) }, config: heavyConfig(true) },
    { name: 'mlp2k_unbatched', versions: { 1: wideMlp(WIDER) }, config: heavyConfig(false) },
  ]);
  const home = await tempHome();
  await registerFixture(home, { name: 'titanic', classes: [0, 1] });
  return {
    repositoryDir: repo.dir,
    home,
    async remove() {
      await home.remove();
      await repo.remove();
    },
  };
}
