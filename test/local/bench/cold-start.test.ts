// The bench's cold-start comparison: every round samples each subject once, alternating the order so
// neither bundle always runs first; the ratios are split ÷ single, with and without Node's own start.
import { describe, expect, it } from 'vitest';
import { coldStartRatio, measureInterleaved, type ColdStartSubject } from '../../../src/local/bench/cold-start.js';

describe('measureInterleaved', () => {
  it('samples every subject once a round, in reverse order every other round, and reports each one’s medians', async () => {
    const calls: string[] = [];
    const subject = (name: string, ms: number[]): ColdStartSubject => ({
      name,
      sample: async () => {
        calls.push(name);
        const insideMs = ms[calls.filter((c) => c === name).length - 1] ?? 0;
        return { insideMs, outsideMs: insideMs + 10 };
      },
    });
    const figures = await measureInterleaved([subject('split', [5, 1, 3]), subject('single', [9, 7, 8]), subject('bare', [2, 2, 2])], 3);
    expect(calls).toEqual(['split', 'single', 'bare', 'bare', 'single', 'split', 'split', 'single', 'bare']);
    expect(figures).toEqual([
      { path: 'split', samples: 3, insideMedianMs: 3, outsideMedianMs: 13 },
      { path: 'single', samples: 3, insideMedianMs: 8, outsideMedianMs: 18 },
      { path: 'bare', samples: 3, insideMedianMs: 2, outsideMedianMs: 12 },
    ]);
  });
});

describe('coldStartRatio', () => {
  it('divides split by single, inside and outside, and once more with the bare node taken off both', () => {
    const f = (insideMedianMs: number, outsideMedianMs: number) => ({ path: 'p', samples: 1, insideMedianMs, outsideMedianMs });
    expect(coldStartRatio('self-managed', f(60, 70), f(160, 170), f(20, 25))).toEqual({
      path: 'self-managed',
      inside: 0.375,
      outside: 0.412,
      bundlePart: 0.286,
    });
  });
});
