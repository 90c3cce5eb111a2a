// Typed documents from the server's schema: each .graphql file beside a
// component gets a .generated.ts beside it (`npm run codegen`; the
// generated files are committed so a build needs no schema step).
import type { CodegenConfig } from "@graphql-codegen/cli";

const config: CodegenConfig = {
  schema: "../../graphql/schema/*.graphql",
  documents: "src/**/*.graphql",
  generates: {
    "src/graphql/types.generated.ts": {
      plugins: ["typescript"],
      config: { enumsAsTypes: true, scalars: { Time: "string", Long: "number", JSON: "unknown" } },
    },
    "src/": {
      preset: "near-operation-file",
      presetConfig: { extension: ".generated.ts", baseTypesPath: "graphql/types.generated.ts" },
      plugins: ["typescript-operations", "typed-document-node"],
      config: { enumsAsTypes: true, scalars: { Time: "string", Long: "number", JSON: "unknown" }, useTypeImports: true },
    },
  },
};

export default config;
