import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

// Layers, top to bottom (ARCHITECTURE.md). A file may import only from its own
// layer or the ones below it; the restriction lists say what each layer must not reach.
const layerRules = [
  {
    files: ['src/platform/**'],
    forbidden: ['ports', 'adapters', 'domain', 'edge', 'app', 'lambda-app', 'bin'],
  },
  { files: ['src/ports/**'], forbidden: ['adapters', 'domain', 'edge', 'app', 'lambda-app', 'bin'] },
  { files: ['src/adapters/**'], forbidden: ['domain', 'edge', 'app', 'lambda-app', 'bin'] },
  { files: ['src/domain/**'], forbidden: ['adapters', 'edge', 'app', 'lambda-app', 'bin'] },
  { files: ['src/edge/**'], forbidden: ['adapters', 'app', 'lambda-app', 'bin'] },
].map(({ files, forbidden }) => ({
  files,
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: forbidden.map((layer) => ({
          group: [`**/${layer}/**`, `**/${layer}.ts`, `**/${layer}`],
          message: `Imports point down the layers: this layer must not import from "${layer}".`,
        })),
      },
    ],
  },
}));

export default tseslint.config(
  { ignores: ['node_modules', 'data', 'dist', 'coverage', '.cache', 'web/dist', 'cdk.out'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  ...layerRules,
);
