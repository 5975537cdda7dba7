import { isObj, asArray, labelText, securityContextOf, type ContainerRef, type JsonPath, type Obj, type PodContext, type Violation } from './imports.js';

/** The container's securityContext, when it is an object (the model's, under the controls' short name). */
export const sc = securityContextOf;

export function podSc(ctx: PodContext): Obj | undefined {
  const v = ctx.spec.securityContext;
  return isObj(v) ? v : undefined;
}

export function scPath(c: ContainerRef, ...rest: string[]): JsonPath {
  return [...c.path, 'securityContext', ...rest];
}

export function podScPath(ctx: PodContext, ...rest: string[]): JsonPath {
  return [...ctx.pod.specPath, 'securityContext', ...rest];
}

export function containerLabel(c: ContainerRef): string {
  return `container ${JSON.stringify(c.name)}`;
}

/**
 * One securityContext field judged on the pod and on every container, in that order. `problem`
 * says what is wrong with a value (the detail after "pod" or the container), or undefined.
 */
export function podAndContainerViolations(
  ctx: PodContext,
  field: string,
  at: readonly string[],
  problem: (value: unknown) => string | undefined,
): Violation[] {
  const out: Violation[] = [];
  const pod = problem(podSc(ctx)?.[field]);
  if (pod !== undefined) out.push({ path: podScPath(ctx, field, ...at), detail: `pod ${pod}` });
  for (const c of ctx.containers) {
    const detail = problem(sc(c)?.[field]);
    if (detail !== undefined) out.push({ path: scPath(c, field, ...at), detail: `${containerLabel(c)} ${detail}` });
  }
  return out;
}

/**
 * A field's value as text: '' when unset, else the model's labelText (strings as they are, other
 * scalars as written, a mapping or a list of the wrong type as its JSON): never "[object Object]"
 * or a list joined with commas (`add: [["CHOWN"]]` is not the capability CHOWN).
 */
export function str(v: unknown): string {
  return v === undefined || v === null ? '' : labelText(v);
}

export function quoteList(values: readonly string[]): string {
  return values.map((v) => JSON.stringify(v)).join(', ');
}

export { isObj, asArray };
