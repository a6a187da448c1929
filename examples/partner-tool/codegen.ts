import type { CodegenConfig } from "@graphql-codegen/cli";

/**
 * Typed documents for the operations in src/operations.ts, from the hub's public contract (schema/api.graphql in
 * the hub's repository; offline, no introspection). `persistedDocuments` also writes src/gql/persisted-documents.json:
 * the manifest an administrator loads as the tool's trusted documents, each id the SHA-256 of its document.
 */
const config: CodegenConfig = {
  schema: "../../schema/api.graphql",
  documents: ["src/operations.ts"],
  generates: {
    "src/gql/": {
      preset: "client",
      presetConfig: { fragmentMasking: false, persistedDocuments: { hashAlgorithm: "sha256" } },
      config: { enumsAsTypes: true, useTypeImports: true },
    },
  },
};

export default config;
