import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import reactHooks from 'eslint-plugin-react-hooks';

// Layers, top to bottom (ARCHITECTURE.md). A file may import only from its own
// layer or the ones below it; the restriction lists say what each layer must not reach.
const layerRules = [
  {
    files: ['src/platform/**'],
    forbidden: ['ports', 'adapters', 'domain', 'edge', 'app', 'bin'],
  },
  { files: ['src/ports/**'], forbidden: ['adapters', 'domain', 'edge', 'app', 'bin'] },
  { files: ['src/adapters/**'], forbidden: ['domain', 'edge', 'app', 'bin'] },
  { files: ['src/domain/**'], forbidden: ['adapters', 'edge', 'app', 'bin'] },
  { files: ['src/edge/**'], forbidden: ['adapters', 'app', 'bin'] },
  // Entries get what they need from the composition root (src/app), never an adapter of their own.
  { files: ['src/bin/**'], forbidden: ['adapters'] },
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
  // Functions short enough to read at once; test suites (describe blocks, contract suites) excepted.
  {
    files: ['src/**/*.ts'],
    ignores: ['src/**/*.test.ts', 'src/**/*.contract.ts'],
    rules: { 'max-lines-per-function': ['error', { max: 120 }] },
  },
  // The web app runs in the browser and reaches Plaza only over HTTP, as any client would.
  {
    files: ['web/src/**'],
    ...reactHooks.configs.flat.recommended,
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      ...reactHooks.configs.flat.recommended.rules,
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/src/**', '**/test/**', '**/bench/**'],
              message: 'The web app talks to Plaza over HTTP only: it must not import the server.',
            },
          ],
        },
      ],
    },
  },
);
