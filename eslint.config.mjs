import nextVitals from "eslint-config-next/core-web-vitals";
import nextTypescript from "eslint-config-next/typescript";

const config = [
  ...nextVitals,
  ...nextTypescript,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_" }],
      "@typescript-eslint/no-explicit-any": "error",
      "import/no-duplicates": "error",
    },
  },
  { ignores: ["node_modules/**", ".next/**", "data/**", "lib/db/generated/**", "test-results/**", "playwright-report/**", ".tmp/**", "next-env.d.ts"] },
];

export default config;
