/**
 * Paces registration attempts: a token bucket (rate per second, burst) and a cap on attempts in flight. Items
 * wait in a FIFO queue; `start` runs one attempt and its promise settling frees the in-flight slot.
 *
 * @example
 * const pacer = new RegisterPacer(200, 20, 500, (reg) => agent.attempt(reg));
 * pacer.enqueue(registration);
 */
export class RegisterPacer<T> {
  private queue: (T | undefined)[] = [];
  private head = 0;
  private tokens: number;
  private lastRefill: number;
  private timer: NodeJS.Timeout | undefined;
  private running = 0;
  private stopped = false;

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
    private readonly maxInFlight: number,
    private readonly start: (item: T) => Promise<void>,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = burst;
    this.lastRefill = now();
  }

  /** Queue an item for an attempt. */
  enqueue(item: T): void {
    if (this.stopped) return;
    this.queue.push(item);
    this.pump();
  }

  /** Items waiting (not yet started). */
  get waiting(): number {
    return this.queue.length - this.head;
  }

  /** Attempts running. */
  get inFlight(): number {
    return this.running;
  }

  /** Drop the queue and stop starting attempts. */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.queue = [];
    this.head = 0;
  }

  private pump(): void {
    if (this.stopped) return;
    this.refill();
    while (this.head < this.queue.length && this.tokens >= 1 && this.running < this.maxInFlight) {
      const item = this.queue[this.head]!;
      this.queue[this.head++] = undefined;
      this.tokens -= 1;
      this.running++;
      // One reaction for either outcome (not .catch then .finally: two more promises per attempt).
      void this.start(item).then(this.settled, this.settled);
    }
    this.compact();
    if (this.head < this.queue.length && this.tokens < 1 && !this.timer) {
      const wait = Math.ceil(((1 - this.tokens) / this.ratePerSecond) * 1000);
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.pump();
      }, wait);
    }
  }

  /** An attempt ended (either way): free its slot and start the next. One function for every attempt. */
  private readonly settled = (): void => {
    this.running--;
    this.pump();
  };

  private refill(): void {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.lastRefill) / 1000) * this.ratePerSecond);
    this.lastRefill = now;
  }

  private compact(): void {
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }
}
