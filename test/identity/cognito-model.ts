/**
 * Amazon Cognito's published service model (test/identity/model), read for conformance tests:
 * the operations, the shapes of their inputs and outputs, and the errors each may answer.
 */
import { readFileSync } from 'node:fs';

export interface Shape {
  type: 'structure' | 'list' | 'map' | 'string' | 'integer' | 'long' | 'boolean' | 'timestamp' | 'blob';
  members?: Record<string, { shape: string }>;
  required?: string[];
  member?: { shape: string };
  key?: { shape: string };
  value?: { shape: string };
  min?: number;
  max?: number;
  pattern?: string;
  enum?: string[];
  /** A smithy document (any JSON). */
  document?: boolean;
}

export interface Operation {
  name: string;
  input?: { shape: string };
  output?: { shape: string };
  errors?: { shape: string }[];
}

interface Model {
  metadata: { targetPrefix: string };
  operations: Record<string, Operation>;
  shapes: Record<string, Shape>;
}

/** A service model of test/identity/model, and the helpers that read it. */
export function loadServiceModel(file: string) {
  const model = JSON.parse(readFileSync(new URL(`model/${file}`, import.meta.url), 'utf8')) as Model;

  function shape(name: string): Shape {
    const found = model.shapes[name];
    if (!found) throw new Error(`The model has no shape ${name}`);
    return found;
  }

  /** The errors an operation declares (their `__type` names). */
  function declaredErrors(operation: string): Set<string> {
    return new Set((model.operations[operation]?.errors ?? []).map((error) => error.shape));
  }

  /** A value of the shape that honours its type, lengths and enum (patterns are not generated). */
  function sample(name: string, depth = 0): unknown {
    const s = shape(name);
    switch (s.type) {
      case 'structure': {
        const value: Record<string, unknown> = {};
        if (depth < 4)
          for (const member of s.required ?? []) value[member] = sample(s.members![member]!.shape, depth + 1);
        return value;
      }
      case 'list':
        return Array.from({ length: s.min ?? 0 }, () => sample(s.member!.shape, depth + 1));
      case 'map':
        return {};
      case 'string':
        return s.enum?.[0] ?? 'a'.repeat(Math.max(s.min ?? 1, 1));
      case 'integer':
      case 'long':
        return s.min ?? 1;
      case 'boolean':
        return true;
      case 'timestamp':
        return 1_700_000_000;
      case 'blob':
        return 'AA==';
    }
  }

  /** A JSON value of another type than the shape's. */
  function wrongType(name: string): unknown {
    switch (shape(name).type) {
      case 'string':
      case 'blob':
        return 12345;
      case 'integer':
      case 'long':
      case 'timestamp':
        return 'not a number';
      case 'boolean':
        return 'yes';
      case 'list':
        return { not: 'a list' };
      case 'map':
        return ['not', 'a map'];
      case 'structure':
        return 'not a structure';
    }
  }

  /**
   * Where a value departs from its shape in the model: members missing or unknown, wrong types,
   * values outside an enum. An empty list means it conforms.
   */
  function departures(name: string, value: unknown, path = '$'): string[] {
    const s = shape(name);
    const off = (what: string) => [`${path}: ${what}`];
    switch (s.type) {
      case 'structure': {
        // A Document (smithy's document type) is any JSON value the operation defines, such as WebAuthn's options.
        if (s.document) return [];
        if (typeof value !== 'object' || value === null || Array.isArray(value))
          return off('not a structure');
        const object = value as Record<string, unknown>;
        const problems = (s.required ?? [])
          .filter((member) => object[member] === undefined)
          .map((member) => `${path}.${member}: required, missing`);
        for (const [member, memberValue] of Object.entries(object)) {
          const declared = s.members?.[member];
          if (!declared) problems.push(`${path}.${member}: not in the model`);
          else if (memberValue !== null)
            problems.push(...departures(declared.shape, memberValue, `${path}.${member}`));
        }
        return problems;
      }
      case 'list':
        return Array.isArray(value)
          ? value.flatMap((item, index) => departures(s.member!.shape, item, `${path}[${index}]`))
          : off('not a list');
      case 'map':
        return typeof value === 'object' && value !== null && !Array.isArray(value)
          ? Object.entries(value).flatMap(([key, item]) => departures(s.value!.shape, item, `${path}.${key}`))
          : off('not a map');
      case 'string':
        if (typeof value !== 'string') return off('not a string');
        return s.enum && !s.enum.includes(value) ? off(`${value} is not one of ${s.enum.join(', ')}`) : [];
      case 'integer':
      case 'long':
        return Number.isInteger(value) ? [] : off('not an integer');
      case 'boolean':
        return typeof value === 'boolean' ? [] : off('not a boolean');
      case 'timestamp':
        return typeof value === 'number' ? [] : off('not a timestamp (epoch seconds)');
      case 'blob':
        return typeof value === 'string' ? [] : off('not base64');
    }
  }
  return { model, shape, declaredErrors, sample, wrongType, departures };
}

/** Cognito's user-pool API. */
export const { model, shape, declaredErrors, sample, wrongType, departures } = loadServiceModel(
  'cognito-idp-2016-04-18.json',
);
