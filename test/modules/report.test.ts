import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { loadModule } from '../../src/modules/load-module.js';
import { MODULE_ARTIFACTS } from '../../src/modules/manifest.js';
import { renderReportHtml } from '../../src/modules/report-html.js';
import { loadSpecFile } from '../../src/modules/spec.js';
import type { ModelReport } from '../../src/modules/tabular/model-report.js';
import { trainTabularModule } from '../../src/modules/tabular/train-tabular.js';
import { openHome } from '../../src/store/open-store.js';
import { tempHome } from '../helpers/kiln-cli.js';

const SPEC = join(import.meta.dirname, '..', '..', 'examples', 'titanic', 'kiln.yaml');

describe('the model report of the Titanic module', () => {
  let report: ModelReport;
  let html: string;

  before(async () => {
    const home = await openHome(tempHome());
    const trained = await trainTabularModule(loadSpecFile(SPEC), home);
    const version = await home.store.getVersion('titanic', trained.version);
    report = JSON.parse((await home.artifacts.get(version.artifacts[MODULE_ARTIFACTS.report]!)).toString('utf8'));
    const { manifest } = await loadModule(version, home.artifacts);
    html = renderReportHtml({ model: 'titanic', version: trained.version, manifest, report });
    await home.store.close();
  });

  test('is stored with the version: baseline in words, no false alarms, importances, robustness, curves', () => {
    assert.match(report.baseline.sentence, /^\d+% fewer errors than always answering "0"/);
    assert.deepEqual(report.diagnoses, [], 'a healthy logistic regression raises no diagnosis');
    assert.equal(report.importances[0]?.column, 'Sex', 'sex mattered most on the Titanic');
    assert.equal(report.robustness.length, 3);
    assert.ok(report.robustness.every((r) => Number.isFinite(r.score)));
    const roc = report.charts.roc!;
    assert.deepEqual([roc.x[0], roc.y[0], roc.x.at(-1), roc.y.at(-1)], [0, 0, 1, 1]);
    assert.equal(report.charts.confusion?.counts.flat().reduce((a, b) => a + b, 0), 179, 'every held-out row in the confusion matrix');
    assert.ok(report.learningCurve.length > 2, 'the learning curve was recorded');
  });

  test('renders as one self-contained HTML page with its charts and no script or remote resource', () => {
    assert.match(html, /^<!doctype html>/);
    for (const title of ['ROC curve', 'Precision–recall curve', 'Calibration', 'Confusion matrix', 'Learning curve', 'Column importance']) {
      assert.ok(html.includes(`aria-label="${title}`), `chart "${title}"`);
    }
    assert.doesNotMatch(html, /<script|(src|href)=["']?https?:|NaN|undefined/);
    assert.ok((html.match(/<svg /g) ?? []).length >= 6);
  });
});
