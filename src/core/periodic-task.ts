/**
 * A server's background job: a pass run every `intervalMs` until `stop()` — webhook delivery, alert
 * checks, canary checks, prediction log retention.
 *
 * Passes never overlap: the next one is scheduled when the previous one ends (a slow store makes the
 * passes rarer rather than piling them up), and `runNow()` while a pass runs joins that pass. The timer
 * does not keep the process alive on its own (the server's socket does that). `stop()` waits for the
 * pass in progress, so a closing server does not pull the store out from under it.
 */
export interface PeriodicTaskOptions {
  /** Time from the end of one pass to the start of the next. */
  readonly intervalMs: number;
  /** Time from `start()` to the first pass (default: `intervalMs`). */
  readonly firstDelayMs?: number;
  /** Told when a pass the timer started rejects (the next pass runs as planned). */
  readonly onError?: (err: unknown) => void;
}

export class PeriodicTask<T> {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<T> | undefined;
  private stopped = true;

  constructor(
    private readonly pass: () => Promise<T>,
    private readonly options: PeriodicTaskOptions,
  ) {}

  /** Starts the timer; a second call does nothing. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(this.options.firstDelayMs ?? this.options.intervalMs);
  }

  /** Runs a pass now, or joins the one in progress; rejects when the pass does. */
  runNow(): Promise<T> {
    this.running ??= this.pass().finally(() => (this.running = undefined));
    return this.running;
  }

  /** Stops the timer and waits for the pass in progress (whatever its outcome). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.runNow()
        .catch((err: unknown) => this.options.onError?.(err))
        .finally(() => {
          if (!this.stopped) this.schedule(this.options.intervalMs);
        });
    }, delayMs);
    this.timer.unref();
  }
}
