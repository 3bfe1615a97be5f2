/**
 * Time is a dependency (ARCHITECTURE property 7): tests move a clock instead of sleeping.
 *
 * Two readings, for two questions. `now()` is the wall clock: business time (token expiry, grace
 * windows, idle expiry, timestamps people read). `monotonicMs()` only ever moves forward at the
 * rate of real time and is not stepped by NTP or an operator: it measures elapsed time (token
 * buckets, staleness), so a wall clock stepped back an hour cannot exhaust every rate limit.
 */
export interface Clock {
  now(): Date;
  /** Milliseconds since an arbitrary origin; only differences mean anything. */
  monotonicMs(): number;
}

export const systemClock: Clock = { now: () => new Date(), monotonicMs: () => performance.now() };

/**
 * A clock that only moves when told to; for tests. `advance` is time passing (both readings
 * move); `set` is a step of the wall clock alone, as NTP or an operator would make it.
 */
export class ManualClock implements Clock {
  private ms: number;
  private mono = 0;
  constructor(start: Date | string = '2026-01-01T00:00:00Z') {
    this.ms = new Date(start).getTime();
  }
  now(): Date {
    return new Date(this.ms);
  }
  monotonicMs(): number {
    return this.mono;
  }
  advance(seconds: number): void {
    this.ms += seconds * 1000;
    this.mono += Math.max(0, seconds) * 1000;
  }
  set(to: Date | string): void {
    this.ms = new Date(to).getTime();
  }
}

export const epochSeconds = (d: Date): number => Math.floor(d.getTime() / 1000);
