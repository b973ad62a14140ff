// Turns a .graphql file of named operations into persisted documents: each operation
// printed with the fragments it uses, its id the sha256 of that text. The server trusts
// the manifest written from them; the bundles import the ids alone (graphqlIds).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Kind, parse, print, visit } from 'graphql';

export function persistedOperations(file) {
  const doc = parse(readFileSync(file, 'utf8'));
  const fragments = new Map();
  for (const d of doc.definitions) {
    if (d.kind !== Kind.FRAGMENT_DEFINITION) continue;
    if (fragments.has(d.name.value)) throw new Error(`${file}: fragment ${d.name.value} is defined twice`);
    fragments.set(d.name.value, d);
  }
  const unused = new Set(fragments.keys());
  // The fragments node spreads, and those they spread in turn, in the order first met.
  const spread = (node, seen) => {
    visit(node, {
      FragmentSpread(s) {
        const name = s.name.value;
        if (seen.has(name)) return;
        if (!fragments.has(name)) throw new Error(`${file}: fragment ${name} is not defined`);
        seen.add(name);
        unused.delete(name);
        spread(fragments.get(name), seen);
      },
    });
    return seen;
  };
  const names = new Set();
  const operations = [];
  for (const d of doc.definitions) {
    if (d.kind !== Kind.OPERATION_DEFINITION) continue;
    if (!d.name) throw new Error(`${file}: every operation needs a name, the bundle's key to its id`);
    if (names.has(d.name.value)) throw new Error(`${file}: operation ${d.name.value} is defined twice`);
    names.add(d.name.value);
    const body = [d, ...[...spread(d, new Set())].map((f) => fragments.get(f))].map(print).join('\n\n');
    operations.push({ id: createHash('sha256').update(body).digest('hex'), name: d.name.value, type: d.operation, body });
  }
  if (unused.size) throw new Error(`${file}: fragments no operation uses: ${[...unused].join(', ')}`);
  return operations;
}

// An esbuild plugin: importing a .graphql file yields {OperationName: id}, no query text.
export const graphqlIds = {
  name: 'graphql-ids',
  setup(build) {
    build.onLoad({ filter: /\.graphql$/ }, (args) => ({
      contents: `export default ${JSON.stringify(Object.fromEntries(persistedOperations(args.path).map((o) => [o.name, o.id])))};`,
      loader: 'js',
    }));
  },
};
