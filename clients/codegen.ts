import type { CodegenConfig } from '@graphql-codegen/cli';
import { addTypenameSelectionDocumentTransform } from '@graphql-codegen/client-preset';

// Types and documents come from the schema file, so building a client needs no running
// server and works against one with introspection off.
const config: CodegenConfig = {
  schema: '../schema.graphqls',
  documents: ['src/operations.ts'],
  importExtension: '.js',
  generates: {
    'src/gql/': {
      preset: 'client',
      presetConfig: {
        fragmentMasking: false,
        // Each document carries its id (document.__meta__.hash, "sha256:<hex>") and
        // src/gql/persisted-documents.json maps every id to its text: the manifest the
        // server loads with --trusted-documents.
        persistedDocuments: true,
      },
      // Apollo's and urql's caches need __typename; added here, it is in the manifest too.
      documentTransforms: [addTypenameSelectionDocumentTransform],
      config: {
        scalars: { Date: 'string', DateTime: 'string', JSON: 'unknown' },
        strictScalars: true,
        enumsAsTypes: true,
        useTypeImports: true,
      },
    },
  },
};

export default config;
