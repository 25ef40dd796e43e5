/**
 * A diagnosis, in the words of a good engineer talking to someone who is not one: what was noticed,
 * how sure, and what to do next. Diagnostics never fail a run; they explain it.
 */
/**
 * What was noticed. Besides the usual ones: `near_perfect`, a near-perfect held-out score spread over many
 * columns — likely genuine, worth knowing (leakage.ts); `threshold`, a yes/no model that ranks well but
 * whose 50% cut-off answers like the trivial baseline (baseline.ts).
 */
export type DiagnosisCode = 'overfitting' | 'underfitting' | 'divergence' | 'instability' | 'leakage' | 'near_perfect' | 'threshold' | 'healthy';

export type Severity = 'info' | 'warning' | 'critical';

export interface Diagnosis {
  readonly code: DiagnosisCode;
  readonly severity: Severity;
  /** One plain sentence: what is going on. */
  readonly message: string;
  /** Concrete next steps. */
  readonly nextSteps: readonly string[];
  /** The numbers behind the verdict, for engineers. */
  readonly evidence: Readonly<Record<string, number>>;
}
