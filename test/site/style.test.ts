import { describe, expect, it } from 'vitest';
import { STYLE } from '../../src/site/assets/style.ts';

/** WCAG 2 contrast ratio of two #rrggbb colours. */
function contrast(a: string, b: string): number {
  const lum = (hex: string) => {
    const [r, g, bl] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255).map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
    return 0.2126 * r! + 0.7152 * g! + 0.0722 * bl!;
  };
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
}

function rule(selector: string): string {
  const m = new RegExp(`(?:^|\\n)${selector.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\{([^}]*)\\}`).exec(STYLE);
  if (!m) throw new Error(`no rule ${selector}`);
  return m[1]!;
}

describe('the stylesheet', () => {
  it('gives every cell state text that contrasts with its background (WCAG AA, 4.5:1), stripes included', () => {
    for (const state of ['built', 'failed', 'stale', 'missing', 'excluded']) {
      const body = rule(`.s-${state}`);
      const color = /(?:^|;)color:(#[0-9a-f]{6})/.exec(body)![1]!;
      const backgrounds = /background:([^;]*)/.exec(body)![1]!.match(/#[0-9a-f]{6}/g)!;
      for (const bg of backgrounds) expect(contrast(color, bg), `${state}: ${color} on ${bg}`).toBeGreaterThanOrEqual(4.5);
    }
  });

  it('keeps links, muted text and the focus ring readable on white', () => {
    expect(contrast(/color:(#[0-9a-f]{6})/.exec(rule('a'))![1]!, '#ffffff')).toBeGreaterThanOrEqual(4.5);
    expect(contrast(/color:(#[0-9a-f]{6})/.exec(rule('.muted,.ver'))![1]!, '#ffffff')).toBeGreaterThanOrEqual(4.5);
    const ring = /outline:3px solid (#[0-9a-f]{6})/.exec(rule(':focus-visible'))![1]!;
    expect(contrast(ring, '#ffffff'), 'focus ring (non-text, 3:1)').toBeGreaterThanOrEqual(3);
  });
});
