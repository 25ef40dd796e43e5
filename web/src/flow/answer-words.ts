/**
 * One prediction of the v1 API in words, for the "try it" form. Each kind of module answers with its
 * own shape: a class with its probabilities, a number, a segment with its distances to each segment's
 * centre, an unusualness score with the column that stands out, or a list of recommended items.
 * Before, only the first two were read, and a segment or an anomaly check showed "Prediction: —".
 */
import { formatValue, PERCENT } from './words.js';

export interface AnswerWords {
  /** What to call the answer: "Prediction", "Segment", "Recommended". */
  readonly title: string;
  /** The answer itself: "1", "Unusual", "3", "318, 858, 527". */
  readonly value: string;
  /** A sentence beside it, when the answer carries more: "96 % sure", "the closest of 4 segments". */
  readonly detail?: string;
}

/** "87 % sure"; a probability just short of 1 is "over 99 % sure", since a model is never 100 % sure. */
export function sureInWords(p: number): string {
  if (p < 1 && Math.round(p * 100) >= 100) return `over 99${PERCENT} sure`;
  if (p > 0 && Math.round(p * 100) <= 0) return `under 1${PERCENT} sure`;
  return `${Math.round(p * 100)}${PERCENT} sure`;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function answerInWords(answer: unknown): AnswerWords {
  if (!isRecord(answer)) return { title: 'Prediction', value: Array.isArray(answer) ? answer.map(formatValue).join(', ') : formatValue(answer) };
  // an anomaly detector: is_anomaly (0/1), its score, and the column that stands out most
  if ('is_anomaly' in answer) {
    const unusual = Number(answer['is_anomaly']) === 1;
    const reason = typeof answer['reason'] === 'string' && answer['reason'] !== '' ? answer['reason'] : undefined;
    const score = typeof answer['score'] === 'number' ? ` (unusualness score ${formatValue(answer['score'])})` : '';
    return {
      title: 'Prediction',
      value: unusual ? 'Unusual' : 'Looks normal',
      detail: `${unusual ? 'This row stands out from the training data' : 'Nothing stands out enough to flag this row'}${score}${reason === undefined ? '' : `; the column that stands out most: ${reason}`}.`,
    };
  }
  // segments: the closest centre, out of as many as there are distances
  if ('segment' in answer) {
    const distances = Array.isArray(answer['distances']) ? answer['distances'].length : undefined;
    return { title: 'Segment', value: formatValue(answer['segment']), ...(distances === undefined ? {} : { detail: `the closest of the ${distances} segments` }) };
  }
  // recommendations: the items, best first
  if (Array.isArray(answer['items'])) {
    const items = answer['items'].map(formatValue);
    return items.length === 0 ? { title: 'Recommended', value: 'nothing' } : { title: 'Recommended', value: items.join(', '), detail: 'best first' };
  }
  const label = answer['label'] ?? answer['value'] ?? answer['prediction'];
  const probabilities = isRecord(answer['probabilities']) ? answer['probabilities'] : undefined;
  const sure = probabilities === undefined || label === undefined ? undefined : probabilities[String(label)];
  return { title: 'Prediction', value: formatValue(label), ...(typeof sure === 'number' ? { detail: sureInWords(sure) } : {}) };
}
