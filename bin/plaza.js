#!/usr/bin/env node
// Plaza runs from its TypeScript sources: tsx compiles each module on load, so
// there is no build step between `npm install` and `npm start`.
import { register } from 'tsx/esm/api';

register();
await import('../src/bin/plaza.ts');
