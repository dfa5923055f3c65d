import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RegisterPacer } from './register.pacer.js';
import { TimerHeap, type Scheduled } from './timer.heap.js';

interface Item extends Scheduled {
  name: string;
}
const item = (name: string): Item => ({ name, dueAt: 0, heapIndex: -1 });

describe('TimerHeap', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('fires items in due order with one timer, honouring moves and cancels', async () => {
    const fired: string[] = [];
    const heap = new TimerHeap<Item>((due) => fired.push(...due.map((d) => `${d.name}@${Date.now()}`)));
    const [a, b, c, d] = [item('a'), item('b'), item('c'), item('d')];
    heap.schedule(a, 300);
    heap.schedule(b, 100);
    heap.schedule(c, 200);
    heap.schedule(d, 50);
    heap.schedule(a, 150); // moved earlier
    heap.cancel(c);
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(1000);
    expect(fired).toEqual(['d@50', 'b@100', 'a@150']);
    expect(heap.size).toBe(0);
    expect(c.heapIndex).toBe(-1);
  });

  it('keeps order for many random items', async () => {
    const fired: number[] = [];
    const heap = new TimerHeap<Item>((due) => fired.push(...due.map((x) => x.dueAt)));
    const items = Array.from({ length: 2000 }, (_, i) => item(`${i}`));
    items.forEach((x) => heap.schedule(x, Math.floor(Math.random() * 10_000)));
    items.filter((_, i) => i % 3 === 0).forEach((x) => heap.cancel(x));
    await vi.advanceTimersByTimeAsync(10_001);
    expect(fired).toHaveLength(items.length - Math.ceil(items.length / 3));
    expect([...fired].sort((x, y) => x - y)).toEqual(fired);
  });
});

describe('RegisterPacer', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('starts at most the burst at once, then ratePerSecond', async () => {
    const started: number[] = [];
    const pacer = new RegisterPacer<number>(100, 10, 1000, async () => void started.push(Date.now()));
    for (let i = 0; i < 110; i++) pacer.enqueue(i);
    expect(started).toHaveLength(10);
    await vi.advanceTimersByTimeAsync(500);
    expect(started.length).toBeGreaterThanOrEqual(58);
    expect(started.length).toBeLessThanOrEqual(61);
    await vi.advanceTimersByTimeAsync(600);
    expect(started).toHaveLength(110);
  });

  it('never runs more than maxInFlight attempts at once', async () => {
    let running = 0;
    let peak = 0;
    const pacer = new RegisterPacer<number>(10_000, 10_000, 5, async () => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, 100));
      running--;
    });
    for (let i = 0; i < 50; i++) pacer.enqueue(i);
    await vi.advanceTimersByTimeAsync(2000);
    expect(peak).toBe(5);
    expect(pacer.waiting).toBe(0);
    expect(pacer.inFlight).toBe(0);
  });
});
