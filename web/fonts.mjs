// The CJK web font the pages fall back to on machines without one: Noto Sans SC 400 from
// @fontsource/noto-sans-sc, which ships it cut into slices by unicode-range. Only the
// slices holding a character worth having are copied (the 3,755 common hanzi of GB2312
// level 1 and every CJK character of the demo data): about 2 MB instead of 4 of all
// slices, and browsers still fetch a slice only when a page shows one of its characters.
import { createHash } from 'node:crypto';
import { copyFileSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export const fontPackage = '@fontsource/noto-sans-sc';
export const fontFamily = 'Noto Sans SC';

// Latin, Cyrillic and the like stay with the system's fonts: unicode-range starts at the
// CJK radicals, so text without CJK never downloads a slice.
const firstCJK = 0x2e80;

function gb2312Level1() {
  const gb = new TextDecoder('gb18030');
  let s = '';
  for (let row = 0xb0; row <= 0xd7; row++) {
    for (let cell = 0xa1; cell <= 0xfe && !(row === 0xd7 && cell > 0xf9); cell++) {
      s += gb.decode(Uint8Array.from([row, cell]));
    }
  }
  if ([...s].length !== 3755) throw new Error(`GB2312 level 1 decoded to ${[...s].length} characters, not 3755: no full ICU in this Node?`);
  return s;
}

// The code points to cover: GB2312 level 1 and what the demo data writes in Chinese.
function wanted(demoDir) {
  let text = gb2312Level1();
  for (const f of readdirSync(demoDir)) if (f.endsWith('.go')) text += readFileSync(join(demoDir, f), 'utf8');
  return new Set([...text].map((c) => c.codePointAt(0)).filter((c) => c >= firstCJK));
}

const parseRanges = (list) => list.split(',').map((r) => {
  const [a, b] = r.trim().replace(/^U\+/i, '').split('-');
  return [parseInt(a, 16), parseInt(b ?? a, 16)];
});
const hex = (n) => n.toString(16);
const printRanges = (ranges) => ranges.map(([a, b]) => (a === b ? `U+${hex(a)}` : `U+${hex(a)}-${hex(b)}`)).join(',');

// copyFont copies the slices needed into out and returns fonts.css, whose URLs carry the
// version the Go server computes (the first 8 bytes of the sha256, in hex), so that
// browsers may cache the slices for good.
export function copyFont(packageDir, demoDir, out) {
  const chars = wanted(demoDir);
  const css = readFileSync(join(packageDir, '400.css'), 'utf8');
  const faces = [...css.matchAll(/url\(\.\/files\/(noto-sans-sc-(\d+)-400-normal\.woff2)\)[^;]*;\s*unicode-range:\s*([^;]+);/g)];
  if (faces.length < 90) throw new Error(`${packageDir}/400.css: ${faces.length} slices found, the format must have changed`);
  const rules = [];
  let bytes = 0;
  for (const [, file, slice, list] of faces) {
    const ranges = parseRanges(list)
      .filter(([, b]) => b >= firstCJK)
      .map(([a, b]) => [Math.max(a, firstCJK), b]);
    if (![...chars].some((c) => ranges.some(([a, b]) => c >= a && c <= b))) continue;
    const name = `noto-sans-sc-${slice}-400.woff2`;
    copyFileSync(join(packageDir, 'files', file), join(out, name));
    const body = readFileSync(join(out, name));
    bytes += body.length;
    const version = createHash('sha256').update(body).digest('hex').slice(0, 16);
    rules.push(`@font-face{font-family:'${fontFamily}';font-style:normal;font-weight:400;font-display:swap;` +
      `src:local('Noto Sans SC Regular'),local('NotoSansSC-Regular'),url(${name}?v=${version}) format('woff2');unicode-range:${printRanges(ranges)}}`);
  }
  return { css: `/* ${fontFamily} 400, SIL Open Font License 1.1: see licenses.txt */\n${rules.join('\n')}\n`, slices: rules.length, bytes };
}
