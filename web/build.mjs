// Bundles and minifies the playground and the dashboard into internal/web/assets, with
// the license of every package that ends up in them, and writes the manifest of the
// dashboard's operations, which the server always trusts. Run through build.sh.
import { build } from 'esbuild';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { copyFont, fontPackage } from './fonts.mjs';
import { graphqlIds, persistedOperations } from './operations.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, '..', 'internal', 'web', 'assets');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

// Apollo's manifest format, which --trusted-documents reads too, so that the same file
// can be handed to a gateway or merged into a deployment's own manifest.
const manifest = join(here, '..', 'internal', 'web', 'operations', 'dashboard.json');
mkdirSync(dirname(manifest), { recursive: true });
writeFileSync(manifest, `${JSON.stringify({
  format: 'apollo-persisted-query-manifest',
  version: 1,
  operations: persistedOperations(join(here, 'src', 'dashboard.graphql')),
}, null, 2)}\n`);

const result = await build({
  absWorkingDir: here,
  entryPoints: { playground: 'src/playground.jsx', dashboard: 'src/dashboard.js' },
  outdir: out,
  bundle: true,
  minify: true,
  format: 'iife',
  target: ['chrome110', 'firefox110', 'safari16'],
  jsx: 'automatic',
  define: { 'process.env.NODE_ENV': '"production"' },
  // The full license texts go into licenses.txt below instead.
  legalComments: 'none',
  // Fonts and images the stylesheets name are inlined: the pages fetch nothing else.
  loader: { '.woff2': 'dataurl', '.woff': 'dataurl', '.ttf': 'dataurl', '.svg': 'dataurl', '.png': 'dataurl' },
  plugins: [graphqlIds],
  metafile: true,
  logLevel: 'warning',
});

// The packages whose code is in the bundles: the first node_modules folder of each input.
const packages = new Set([fontPackage]);
for (const input of Object.keys(result.metafile.inputs)) {
  const m = input.match(/node_modules\/((?:@[^/]+\/)?[^/]+)\//);
  if (m) packages.add(m[1]);
}
const licenseFile = (dir) => readdirSync(dir).find((f) => /^(licen[cs]e|copying)(\.|$)/i.test(f));
const sections = [...packages].sort().map((name) => {
  const dir = join(here, 'node_modules', name);
  const meta = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const file = licenseFile(dir);
  if (!meta.license) throw new Error(`${name} declares no license`);
  // A few packages publish no license file (the graphiql plugins come from the graphiql
  // repository, whose LICENSE is graphiql's): say what they declare and where they live.
  const author = typeof meta.author === 'object' ? meta.author?.name : meta.author;
  const repository = typeof meta.repository === 'object' ? meta.repository?.url : meta.repository;
  const text = file
    ? readFileSync(join(dir, file), 'utf8').trim()
    : `The package ships no license file. package.json declares license ${meta.license}` +
      `${author ? `, author ${author}` : ''}${repository ? `, repository ${repository}` : ''}.`;
  return `${'='.repeat(78)}\n${name}@${meta.version} (${meta.license})\n${'='.repeat(78)}\n\n${text}\n`;
});
const font = copyFont(join(here, 'node_modules', fontPackage), join(here, '..', 'internal', 'demo'), out);
writeFileSync(join(out, 'fonts.css'), font.css);
writeFileSync(join(out, 'licenses.txt'),
  'Third-party software bundled into playground.js, playground.css, dashboard.js and dashboard.css,\n' +
  `and the font ${fontPackage} (fonts.css and the .woff2 files beside it),\n` +
  'built by web/build.sh from the versions pinned in web/package-lock.json.\n\n' + sections.join('\n'));
for (const f of readdirSync(out).filter((f) => !f.endsWith('.woff2'))) console.log(f.padEnd(20), readFileSync(join(out, f)).length);
console.log(`${font.slices} font slices`.padEnd(20), font.bytes);
if (!existsSync(join(out, 'playground.css'))) throw new Error('no playground.css produced');
