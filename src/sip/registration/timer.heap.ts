/** Something the heap can schedule: it stores its own due time and position, so no wrapper object is needed. */
export interface Scheduled {
  dueAt: number;
  /** Position in the heap, -1 when not scheduled. */
  heapIndex: number;
}

/**
 * One timer for any number of registrations: a binary min-heap on `dueAt` and a single setTimeout for the
 * earliest. 50,000 registrations cost 50,000 array slots instead of 50,000 Node timers.
 *
 * @example
 * const heap = new TimerHeap<Registration>((due) => due.forEach(send));
 * heap.schedule(registration, Date.now() + 30_000);
 */
export class TimerHeap<T extends Scheduled> {
  private readonly items: T[] = [];
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;

  constructor(
    private readonly onDue: (due: T[]) => void,
    private readonly now: () => number = Date.now,
  ) {}

  /** Schedule (or move) `item` to `at` (ms since epoch). */
  schedule(item: T, at: number): void {
    if (item.heapIndex >= 0) this.remove(item);
    item.dueAt = at;
    item.heapIndex = this.items.length;
    this.items.push(item);
    this.up(item.heapIndex);
    this.arm();
  }

  /** Unschedule `item` if scheduled. */
  cancel(item: T): void {
    if (item.heapIndex >= 0) this.remove(item);
    this.arm();
  }

  /** Items scheduled. */
  get size(): number {
    return this.items.length;
  }

  /** Drop everything and the timer. */
  clear(): void {
    for (const item of this.items) item.heapIndex = -1;
    this.items.length = 0;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
  }

  private fire(): void {
    this.timer = undefined;
    this.timerAt = Infinity;
    const now = this.now();
    const due: T[] = [];
    while (this.items.length > 0 && this.items[0]!.dueAt <= now) {
      const top = this.items[0]!;
      this.remove(top);
      due.push(top);
    }
    this.arm();
    if (due.length > 0) this.onDue(due);
  }

  private arm(): void {
    const first = this.items[0];
    if (!first) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = undefined;
      this.timerAt = Infinity;
      return;
    }
    if (this.timer && this.timerAt <= first.dueAt) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = first.dueAt;
    // setTimeout holds at most ~24.8 days; longer waits re-arm on firing.
    this.timer = setTimeout(() => this.fire(), Math.min(Math.max(0, first.dueAt - this.now()), 2 ** 31 - 1));
  }

  private remove(item: T): void {
    const index = item.heapIndex;
    const last = this.items.pop()!;
    item.heapIndex = -1;
    if (last === item) return;
    this.items[index] = last;
    last.heapIndex = index;
    this.down(index);
    this.up(last.heapIndex);
  }

  private up(index: number): void {
    const items = this.items;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (items[parent]!.dueAt <= items[index]!.dueAt) break;
      this.swap(index, parent);
      index = parent;
    }
  }

  private down(index: number): void {
    const items = this.items;
    for (;;) {
      const left = 2 * index + 1;
      const right = left + 1;
      let smallest = index;
      if (left < items.length && items[left]!.dueAt < items[smallest]!.dueAt) smallest = left;
      if (right < items.length && items[right]!.dueAt < items[smallest]!.dueAt) smallest = right;
      if (smallest === index) return;
      this.swap(index, smallest);
      index = smallest;
    }
  }

  private swap(a: number, b: number): void {
    const items = this.items;
    const x = items[a]!;
    const y = items[b]!;
    items[a] = y;
    items[b] = x;
    x.heapIndex = b;
    y.heapIndex = a;
  }
}
