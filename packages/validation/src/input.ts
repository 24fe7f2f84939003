import { FORBIDDEN_KEYS } from './schema.js';

/** What walking one untrusted row found. */
export interface RowInspection {
  /** Deepest nesting seen (capped at the limit + 1). */
  depth: number;
  tooDeep: boolean;
  /** Values walked (capped at the limit + 1). */
  values: number;
  tooLarge: boolean;
  /** Keys named `__proto__`, `constructor` or `prototype`, found at any depth. */
  forbidden: string[];
}

/** True for objects whose contents are data a client sent (plain objects and arrays). */
function isContainer(value: unknown): value is object {
  if (value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) return true;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Walks one row without recursion, so hostile nesting cannot overflow the stack, and stops at the
 * depth or value limit, so a huge payload costs at most `maxValues` steps. Only own enumerable
 * keys are read; nothing is assigned, so the walk cannot reach any prototype.
 */
export function inspectRow(row: unknown, maxDepth: number, maxValues: number): RowInspection {
  const out: RowInspection = { depth: 0, tooDeep: false, values: 0, tooLarge: false, forbidden: [] };
  if (!isContainer(row)) return out;
  const stack: { value: object; depth: number }[] = [{ value: row, depth: 1 }];
  while (stack.length > 0) {
    const { value, depth } = stack.pop()!;
    if (depth > out.depth) out.depth = depth;
    if (depth > maxDepth) {
      out.tooDeep = true;
      break;
    }
    const keys = Array.isArray(value) ? null : Object.keys(value);
    const length = keys ? keys.length : (value as unknown[]).length;
    for (let i = 0; i < length; i++) {
      if (++out.values > maxValues) {
        out.tooLarge = true;
        return out;
      }
      const key = keys ? keys[i]! : undefined;
      if (key !== undefined && FORBIDDEN_KEYS.has(key) && out.forbidden.length < 8) out.forbidden.push(key);
      const child = key !== undefined ? (value as Record<string, unknown>)[key] : (value as unknown[])[i];
      if (isContainer(child)) stack.push({ value: child, depth: depth + 1 });
    }
  }
  return out;
}

/** True for a value that can hold features: any non-array object (rows may be class instances). */
export function isRowObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Reads an own property only: a feature named like an inherited member must not read the prototype. */
export function ownValue(row: unknown, name: string): unknown {
  if (!isRowObject(row) || !Object.hasOwn(row, name)) return undefined;
  return row[name];
}
