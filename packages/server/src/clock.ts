/** Time is a dependency (ARCHITECTURE property 7): tests move a clock instead of sleeping. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock that only moves when told to; for tests. */
export class ManualClock implements Clock {
  private ms: number;
  constructor(start: Date | string = '2026-01-01T00:00:00Z') {
    this.ms = new Date(start).getTime();
  }
  now(): Date {
    return new Date(this.ms);
  }
  advance(seconds: number): void {
    this.ms += seconds * 1000;
  }
  set(to: Date | string): void {
    this.ms = new Date(to).getTime();
  }
}

export const epochSeconds = (d: Date): number => Math.floor(d.getTime() / 1000);
