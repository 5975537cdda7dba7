/**
 * Kubernetes' escaping of property names that are not CEL identifiers
 * (k8s.io/apiserver/pkg/cel/escaping.go): `__` → `__underscores__`, `.` → `__dot__`,
 * `-` → `__dash__`, `/` → `__slash__`, and a name that is a CEL reserved word → `__word__`.
 * So `object.spec.x__dash__y` reads the field `x-y`. Map indexing
 * (`object.metadata.labels['app.kubernetes.io/name']`) never needs it.
 */

const RESERVED = new Set([
  'true', 'false', 'null', 'in', 'as', 'break', 'const', 'continue', 'else', 'for', 'function', 'if',
  'import', 'let', 'loop', 'package', 'namespace', 'return',
]);

const SIMPLE_IDENT = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** The CEL identifier for a property name, or undefined when the name cannot be escaped. */
export function escapeName(name: string): string | undefined {
  if (name === '' || (name[0] >= '0' && name[0] <= '9')) return undefined;
  if (RESERVED.has(name)) return `__${name}__`;
  if (!/^[a-zA-Z0-9_.\-/]+$/.test(name)) return undefined;
  if (SIMPLE_IDENT.test(name) && !name.includes('__')) return name;
  return name.replace(/__|[-./]/g, (s) =>
    s === '__' ? '__underscores__' : s === '.' ? '__dot__' : s === '-' ? '__dash__' : '__slash__');
}

/** The property name an escaped identifier stands for, or undefined when it holds no valid escape. */
export function unescapeName(escaped: string): string | undefined {
  if (escaped.length > 4 && escaped.startsWith('__') && escaped.endsWith('__')) {
    const inner = escaped.slice(2, -2);
    if (RESERVED.has(inner)) return inner;
  }
  let ok = true;
  const out = escaped.replace(/__[^_]+__/g, (s) => {
    switch (s.slice(2, -2)) {
      case 'underscores': return '__';
      case 'dot': return '.';
      case 'dash': return '-';
      case 'slash': return '/';
      default:
        ok = false;
        return s;
    }
  });
  return ok ? out : undefined;
}

/** Whether a selected field name may be an escape (cheap test before the regex work). */
export function mayBeEscaped(field: string): boolean {
  return field.includes('__');
}
