/**
 * Step 5, Deploy: one click makes this version the one the server answers with (the `champion`
 * alias), then a form generated from the model's signature tries it live through the v1 predict API,
 * and snippets show how other programs call it (curl v1/v2, Python with Triton's client, JavaScript).
 */
import { useState } from 'react';
import { api, refPath, type ApiError } from '../api/client.js';
import type { DeployResult, ModelMetadata, ModelReportDoc, ModelWithVersions, Row, SourcePreview } from '../api/types.js';
import { useAction, useApi } from '../api/use-api.js';
import { Card, CodeBlock, ForEngineers, Page } from '../components/bits.js';
import { ModelNav } from '../components/ModelNav.js';
import { RowForm, type FieldSpec } from '../components/RowForm.js';
import { ErrorBox, Loading } from '../components/states.js';
import { modelName, refInWords, versionOf } from '../flow/model-ref.js';
import { curlV1, curlV2, javascriptFetch, pythonTriton } from '../flow/snippets.js';
import { answerInWords } from '../flow/answer-words.js';
import { Link } from '../router.js';

export function DeployPage({ modelRef }: { modelRef: string }) {
  const name = modelName(modelRef);
  const model = useApi<ModelWithVersions>(`/api/models/${refPath(name)}`);
  const [deployed, setDeployed] = useState<DeployResult | undefined>(undefined);
  const deploy = useAction(async () => {
    const result = await api<DeployResult>(`/api/models/${refPath(modelRef)}/deploy`, { method: 'POST', body: {} });
    setDeployed(result);
    model.reload();
    return result;
  });
  const aliases = model.state === 'loaded' ? model.data.aliases ?? {} : {};
  const champion = aliases['champion'];
  const version = deployed?.version ?? versionOf(modelRef) ?? (model.state === 'loaded' ? model.data.latest_version : undefined);
  const live = deployed !== undefined || (champion !== undefined && champion === version);
  const servedRef = `${name}@champion`;
  return (
    <Page title={`Deploy ${refInWords(modelRef)}`} lead="Put the model to work: the server answers requests with it, from this page, from scripts and from other systems.">
      <ModelNav modelRef={modelRef} current="/deploy" />
      {model.state === 'failed' ? (
        // without the model there is nothing to deploy: no button, no "version ?"
        <ErrorBox error={model.error} onRetry={model.reload} />
      ) : model.state === 'loading' ? (
        <Loading what="the model" />
      ) : (
        <Deployment
          name={name}
          version={version}
          champion={champion}
          live={live}
          onDeploy={() => void deploy.run()}
          deploying={deploy.busy}
          deployError={deploy.error}
          servedRef={servedRef}
          metadata={deployed?.metadata}
        />
      )}
    </Page>
  );
}

/** The model is known: serve this version, then try it. */
function Deployment({
  name,
  version,
  champion,
  live,
  onDeploy,
  deploying,
  deployError,
  servedRef,
  metadata,
}: {
  name: string;
  version: number | undefined;
  champion: number | undefined;
  live: boolean;
  onDeploy: () => void;
  deploying: boolean;
  deployError: ApiError | undefined;
  servedRef: string;
  metadata: ModelMetadata | undefined;
}) {
  return (
    <>
      <Card title="Serve this version">
        {live ? (
          <p className="ok" role="status">
            Version {version} of {name} is live: the server answers requests for <code>{name}</code> with it.
          </p>
        ) : (
          <p>
            {champion === undefined ? `${name} is not deployed yet.` : `Version ${champion} of ${name} is live now.`} Deploying makes version {version ?? '?'} the one that answers.
          </p>
        )}
        <button type="button" className="button primary" onClick={onDeploy} disabled={deploying}>
          {deploying ? 'Deploying…' : live ? 'Deploy again' : 'Deploy'}
        </button>
        {deploying && <Loading what="the model into the server" />}
        {deployError !== undefined && <ErrorBox error={deployError} />}
      </Card>
      {live ? (
        <TryIt servedRef={servedRef} metadataFromDeploy={metadata} />
      ) : (
        <Card title="Try it">
          <p className="muted">Deploy the model first; then a form here lets you ask it a question.</p>
        </Card>
      )}
    </>
  );
}

function TryIt({ servedRef, metadataFromDeploy }: { servedRef: string; metadataFromDeploy: ModelMetadata | undefined }) {
  const fetched = useApi<ModelMetadata>(metadataFromDeploy === undefined ? `/v2/models/${refPath(servedRef)}` : undefined);
  const metadata = metadataFromDeploy ?? (fetched.state === 'loaded' ? fetched.data : undefined);
  const [example, setExample] = useState<Row>({});
  const [answer, setAnswer] = useState<unknown>(undefined);
  const { sample, task } = useExampleRow(servedRef);
  const [prefill, setPrefill] = useState<{ values: Record<string, string>; generation: number }>({ values: {}, generation: 0 });
  const predict = useAction(async (row: Row) => {
    setExample(row);
    const result = await api<{ predictions: unknown[] }>(`/v1/models/${refPath(servedRef)}:predict`, { body: { instances: [row] } });
    setAnswer(result.predictions[0]);
    return result;
  });
  if (metadata === undefined) {
    return <Card title="Try it">{fetched.state === 'failed' ? <ErrorBox error={fetched.error} onRetry={fetched.reload} /> : <Loading what="the model's inputs" />}</Card>;
  }
  const fields: FieldSpec[] = metadata.inputs.map((i) => ({ name: i.name, datatype: i.datatype }));
  const origin = window.location.origin;
  const snippet = { origin, modelRef: servedRef, inputs: metadata.inputs, example };
  return (
    <>
      <Card title="Try it">
        <p className="muted">Fill in what you know about one case and ask the model.</p>
        <RowForm
          key={prefill.generation}
          fields={fields}
          initial={prefill.values}
          submitLabel="Predict"
          busy={predict.busy}
          onSubmit={(row) => void predict.run(row)}
          {...(task === undefined ? {} : { longText: task === 'text-classify' })}
        >
          {/* a recommender's input (a user) is not a column of its data (userId): nothing to fill in */}
          {sample !== undefined && Object.keys(asFormValues(sample, fields)).length > 0 && (
            <button type="button" className="button" onClick={() => setPrefill((p) => ({ values: asFormValues(sample, fields), generation: p.generation + 1 }))}>
              Fill in an example
            </button>
          )}
        </RowForm>
        {predict.error !== undefined && <ErrorBox error={predict.error} />}
        {answer !== undefined && <Answer answer={answer} />}
      </Card>
      <Card title="Call it from your own code">
        <p className="muted">
          Every program can ask the same question over HTTP. These examples use the values from the form{Object.keys(example).length === 0 ? ' (fill it in first to see real values)' : ''}.
        </p>
        <CodeBlock label="curl, KServe v1 (rows as JSON)" code={curlV1(snippet)} />
        <ForEngineers summary="More: Open Inference Protocol (v2), Python with Triton's client, JavaScript">
          <CodeBlock label="curl, Open Inference Protocol v2" code={curlV2(snippet)} />
          <CodeBlock label="Python, tritonclient" code={pythonTriton(snippet)} />
          <CodeBlock label="JavaScript, fetch" code={javascriptFetch(snippet)} />
        </ForEngineers>
      </Card>
      <p>
        <Link className="button" to={`/models/${encodeURIComponent(servedRef)}/watch`}>
          Next: watch it in service
        </Link>
      </p>
    </>
  );
}

/**
 * A real row to start from: the most complete of the first rows of the data the version was trained on
 * (its manifest names the source; the preview API reads it), so a newcomer sees what typical values look like.
 */
function useExampleRow(modelRef: string): { sample: Row | undefined; task: string | undefined } {
  const report = useApi<ModelReportDoc>(`/api/models/${refPath(modelRef)}/report`);
  const task = report.state === 'loaded' ? report.data.task : undefined;
  const dataset = report.state === 'loaded' ? (report.data.manifest?.['dataset'] as { source?: string } | undefined) : undefined;
  const source = dataset?.source;
  const preview = useApi<SourcePreview>(source === undefined ? undefined : '/api/sources/preview', { source });
  if (preview.state !== 'loaded') return { sample: undefined, task };
  const filled = (row: Row) => Object.values(row).filter((v) => v !== null && v !== undefined && v !== '').length;
  return { sample: [...preview.data.preview].sort((a, b) => filled(b) - filled(a))[0], task };
}

function asFormValues(row: Row, fields: readonly FieldSpec[]): Record<string, string> {
  const values: Record<string, string> = {};
  for (const f of fields) {
    const v = row[f.name];
    if (v !== null && v !== undefined) values[f.name] = String(v);
  }
  return values;
}

/** A v1 prediction in words (flow/answer-words.ts), with the raw answer folded away. */
function Answer({ answer }: { answer: unknown }) {
  const words = answerInWords(answer);
  return (
    <div className="answer" role="status" aria-live="polite">
      <p className="prediction">
        {words.title}: <strong data-testid="prediction">{words.value}</strong>
        {words.detail !== undefined && <span> — {words.detail}</span>}
      </p>
      <ForEngineers summary="The answer as JSON">
        <pre>
          <code>{JSON.stringify(answer, null, 2)}</code>
        </pre>
      </ForEngineers>
    </div>
  );
}
