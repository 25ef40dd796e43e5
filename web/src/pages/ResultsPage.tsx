/**
 * Step 4, Understand: how good the model is, in plain words beside the numbers; where it goes wrong
 * (confusion matrix, ROC curve); which columns matter; how it copes with messier data; whether more
 * rows would help; the reasons behind one prediction; and, for yes/no questions, where to draw the line
 * given what right and wrong answers are worth.
 */
import { useState } from 'react';
import { api, refPath } from '../api/client.js';
import type { Contribution, ModelReportDoc, Row } from '../api/types.js';
import { useAction, useApi } from '../api/use-api.js';
import { BarList } from '../components/charts/BarList.js';
import { ConfusionMatrix } from '../components/charts/ConfusionMatrix.js';
import { LineChart } from '../components/charts/LineChart.js';
import { PredictedVsActual } from '../components/charts/PredictedVsActual.js';
import { Card, Facts, ForEngineers, Page } from '../components/bits.js';
import { ModelNav } from '../components/ModelNav.js';
import { ModuleSummary } from '../components/ModuleSummary.js';
import { RowForm, type FieldSpec } from '../components/RowForm.js';
import { SizeCurveCard } from '../components/SizeCurveCard.js';
import { ErrorBox, Show } from '../components/states.js';
import { ThresholdPanel } from '../components/ThresholdPanel.js';
import { refInWords } from '../flow/model-ref.js';
import { explainMetric, formatValue, HEADLINE_METRICS, taskInWords } from '../flow/words.js';
import { Link } from '../router.js';

export function ResultsPage({ modelRef }: { modelRef: string }) {
  const report = useApi<ModelReportDoc>(`/api/models/${refPath(modelRef)}/report`);
  return (
    <Page
      title={`Results: ${refInWords(modelRef)}`}
      lead="How well the model does on rows it never saw while learning, and why it answers what it answers."
      actions={
        // nothing to deploy when the model could not be found
        report.state === 'failed' ? undefined : (
          <Link className="button primary" to={`/models/${encodeURIComponent(modelRef)}/deploy`}>
            Next: deploy it
          </Link>
        )
      }
    >
      <ModelNav modelRef={modelRef} current="" />
      <Show value={report} what="the results">
        {(r) => <Report report={r} modelRef={modelRef} />}
      </Show>
    </Page>
  );
}

/** Tasks whose models are refitted from a table's columns or from a text: the ones a learning curve can be drawn for. */
const CURVE_TASKS: ReadonlySet<string> = new Set(['binary', 'multiclass', 'regression', 'text-classify']);

/** Predictions POST /api/models/:ref/explain gives reasons for: from a table's columns, or the words of a text. */
const EXPLAINED_TASKS: ReadonlySet<string> = new Set(['binary', 'multiclass', 'regression', 'text-classify']);

/** Held-out metrics, whether the report nests them (`metrics.test`) or the manifest prefixes them (`test.accuracy`). */
export function testMetrics(r: ModelReportDoc): Record<string, number> {
  const m = r.metrics as Record<string, unknown> | undefined;
  const nested = m?.['test'];
  if (typeof nested === 'object' && nested !== null) return nested as Record<string, number>;
  const flat = (m ?? (r.manifest?.['metrics'] as Record<string, unknown> | undefined) ?? {}) as Record<string, unknown>;
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(flat)) if (k.startsWith('test.') && typeof v === 'number') out[k.slice(5)] = v;
  return out;
}

function Report({ report: r, modelRef }: { report: ModelReportDoc; modelRef: string }) {
  const metrics = testMetrics(r);
  const task = r.task ?? (r.manifest?.['task'] as string | undefined);
  const headline = HEADLINE_METRICS.filter((m) => metrics[m] !== undefined);
  const charts = r.charts ?? {};
  const positive = r.positive_class ?? lastClass(r);
  return (
    <>
      <Card title="How good is it?">
        <p>
          This module gives <strong>{taskInWords(task)}</strong>.
        </p>
        {r.baseline?.sentence !== undefined && <p className="explanation">{r.baseline.sentence}</p>}
        <ul className="metric-list">
          {headline.map((m) => (
            <li key={m}>
              <span className="metric-value">{formatValue(metrics[m])}</span>
              <span className="metric-name">{m}</span>
              <span className="metric-words">{explainMetric(m, metrics[m] ?? NaN)}</span>
            </li>
          ))}
        </ul>
        {(r.diagnoses ?? []).length > 0 && (
          <ul className="findings">
            {(r.diagnoses ?? []).map((d) => (
              <li key={d.code} className={`finding ${d.severity}`}>
                <span className={`badge ${d.severity}`}>{d.severity === 'info' ? 'Good to know' : d.severity === 'critical' ? 'Must fix' : 'Worth a look'}</span>
                <div>
                  <p>{d.message}</p>
                  {(d.nextSteps ?? []).length > 0 && (
                    <ul className="small">
                      {(d.nextSteps ?? []).map((s) => (
                        <li key={s}>{s}</li>
                      ))}
                    </ul>
                  )}
                </div>
              </li>
            ))}
          </ul>
        )}
        <ForEngineers summary="Every metric">
          <Facts items={Object.entries(metrics).map(([k, v]) => [k, formatValue(v)] as const)} />
        </ForEngineers>
      </Card>
      {task !== undefined && !CURVE_TASKS.has(task) && <ModuleSummary report={r} />}
      <div className="grid two">
        {charts.confusion !== undefined && (
          <Card title="Right and wrong answers">
            <ConfusionMatrix labels={charts.confusion.labels} counts={charts.confusion.counts} />
          </Card>
        )}
        {charts.roc !== undefined && charts.roc.x.length > 1 && (
          <Card title="ROC curve">
            <LineChart
              title="ROC curve: the share of real yes cases caught against the share of no cases wrongly flagged"
              xLabel="false alarms (share of no cases flagged)"
              yLabel="caught (share of yes cases)"
              xDomain={[0, 1]}
              yDomain={[0, 1]}
              series={[
                { label: 'this model', points: charts.roc.x.map((x, i) => [x, charts.roc?.y[i] ?? 0] as const) },
                { label: 'guessing', points: [[0, 0], [1, 1]], dashed: true },
              ]}
            />
            <p className="muted small">The further the curve bulges towards the top left, the better the model separates yes from no.</p>
          </Card>
        )}
        {charts.predictedVsActual !== undefined && charts.predictedVsActual.actual.length > 0 && (
          <Card title="Predictions against the truth">
            <PredictedVsActual actual={charts.predictedVsActual.actual} predicted={charts.predictedVsActual.predicted} />
            <p className="muted small">Each dot is a row kept aside for the test. Dots on the dashed line were predicted exactly; the further away, the bigger the miss.</p>
          </Card>
        )}
      </div>
      {(r.importances ?? []).length > 0 && (
        <Card title="What matters most">
          <p className="muted">
            How much worse the model does when a column's values are shuffled: the longer the bar, the more it relies on that column. A value at or below zero
            means the model does not rely on that column at all.
          </p>
          <BarList title="Column importance" bars={(r.importances ?? []).slice(0, 15).map((i) => ({ label: i.column, value: i.importance }))} />
        </Card>
      )}
      {(r.robustness ?? []).length > 0 && <RobustnessCard report={r} />}
      {task !== undefined && CURVE_TASKS.has(task) && (
        <SizeCurveCard key={modelRef} modelRef={modelRef} metric={r.scoreMetric} unit={task === 'text-classify' ? 'texts' : 'rows'} />
      )}
      {r.thresholds !== undefined && r.thresholds.length > 1 && <ThresholdPanel rows={r.thresholds} positive={positive} />}
      {/* the reasons are computed from a table's columns; a text module's words are not explained here yet */}
      {task !== undefined && EXPLAINED_TASKS.has(task) && <WhyPanel modelRef={modelRef} report={r} text={task === 'text-classify'} />}
    </>
  );
}

/**
 * How the score holds up when the inputs get a little worse than in training, as they do in production:
 * the worst case in words, every case as a bar, and — when the drop is large and the model was trained
 * on clean rows only — the option that helps (augmentation, in the build step's advanced options).
 */
function RobustnessCard({ report: r }: { report: ModelReportDoc }) {
  const cases = r.robustness ?? [];
  const worst = cases.reduce((a, b) => (b.change < a.change ? b : a));
  const metric = r.scoreMetric ?? 'score';
  const clean = worst.score - worst.change;
  const advice = robustnessAdvice(cases, r.task === 'text-classify', r.manifest?.['augment'] !== undefined, worst.change);
  return (
    <Card title="When the data gets messier">
      <p className="explanation">
        {worst.change < -0.005
          ? `The biggest drop comes with ${worst.description}: ${metric} falls from ${formatValue(clean)} to ${formatValue(worst.score)}.`
          : `Slightly messier data barely changes its answers: ${metric} stays within 0.005 of ${formatValue(clean)} in every case below.`}
      </p>
      <BarList signed title={`Change in ${metric} on the test ${r.task === 'text-classify' ? 'texts' : 'rows'}`} bars={cases.map((c) => ({ label: c.description, value: c.change }))} />
      <p className="muted small">{advice}</p>
    </Card>
  );
}

/**
 * What to make of the check: whether the model was trained for it, or the option that helps when the
 * drop is large (augmentation, in the build step's advanced options). For text, augmentation helps
 * with typing slips and left-out words, not with texts missing whole.
 */
function robustnessAdvice(cases: NonNullable<ModelReportDoc['robustness']>, texts: boolean, augmented: boolean, worstChange: number): string {
  if (augmented) {
    return texts
      ? 'This model was also trained on messier copies of its texts (typing slips, words left out), so that it copes better with them.'
      : 'This model was also trained on noisy copies of its rows, so that it copes better with messier data.';
  }
  if (texts) {
    const wordsWorst = Math.min(0, ...cases.filter((c) => c.perturbation === 'typos' || c.perturbation === 'dropped_words').map((c) => c.change));
    return wordsWorst < -0.02
      ? 'To make it hold up better against typing slips and missing words, train it again with "Also learn from messier copies of the texts" (advanced options of the build step).'
      : 'Each case changes the texts kept aside for the test; the model is not retrained. A missing text can only get the answer most texts have.';
  }
  return worstChange < -0.02
    ? 'To make it hold up better, train it again with "Also learn from noisy copies of the rows" (advanced options of the build step).'
    : 'Each case perturbs the rows kept aside for the test; the model is not retrained.';
}

function lastClass(r: ModelReportDoc): string | undefined {
  const classes = r.manifest?.['classes'];
  return Array.isArray(classes) && classes.length > 0 ? String(classes[classes.length - 1]) : undefined;
}

/** The signature's inputs as form fields (manifest.signature.inputs). */
export function fieldsOf(manifest: Readonly<Record<string, unknown>> | undefined): FieldSpec[] {
  const signature = manifest?.['signature'] as { inputs?: readonly FieldSpec[] } | undefined;
  return [...(signature?.inputs ?? [])];
}

interface Explained {
  readonly outcome: unknown;
  readonly reasons: readonly Contribution[];
}

/** POST /api/models/:ref/explain answers one explanation per row; accept it bare or wrapped. */
function firstExplanation(answer: unknown): Explained | undefined {
  const list = Array.isArray(answer)
    ? answer
    : typeof answer === 'object' && answer !== null
      ? ((answer as Record<string, unknown>)['explanations'] ?? (answer as Record<string, unknown>)['rows'])
      : undefined;
  const first = Array.isArray(list) ? (list[0] as Record<string, unknown> | undefined) : undefined;
  if (first === undefined) return undefined;
  return { outcome: first['outcome'] ?? first['prediction'], reasons: (first['reasons'] ?? first['contributions'] ?? []) as Contribution[] };
}

/** `text`: a text module, whose reasons are the words of the text (each bar a word) rather than columns. */
function WhyPanel({ modelRef, report, text }: { modelRef: string; report: ModelReportDoc; text: boolean }) {
  const fields = fieldsOf(report.manifest);
  const [answer, setAnswer] = useState<Explained | undefined>(undefined);
  const explain = useAction(async (row: Row) => {
    const result = await api<unknown>(`/api/models/${refPath(modelRef)}/explain`, { body: { rows: [row] } });
    setAnswer(firstExplanation(result));
    return result;
  });
  if (fields.length === 0) return null;
  return (
    <Card title="Why this prediction?">
      <p className="muted">{text ? 'Write a text; Kiln shows its answer and which words pushed it there.' : 'Describe one case; Kiln shows its answer and which values pushed it there.'}</p>
      <RowForm fields={fields} submitLabel="Explain" busy={explain.busy} onSubmit={(row) => void explain.run(row)} />
      {explain.error !== undefined && <ErrorBox error={explain.error} />}
      {answer !== undefined && (
        <div className="answer" role="status">
          <p>
            The model answers <strong>{formatValue(answer.outcome)}</strong>. The reasons, strongest first (to the right: towards this answer; to the left: away from it):
          </p>
          <BarList
            signed
            title="Reasons behind the prediction"
            bars={answer.reasons.map((c) =>
              text
                ? { label: String(c.value), value: c.contribution }
                : { label: c.column, value: c.contribution, ...(c.value === undefined ? {} : { detail: c.value === null ? 'unknown' : String(c.value) }) },
            )}
          />
        </div>
      )}
    </Card>
  );
}
