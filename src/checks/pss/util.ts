import { isObj, asArray, type ContainerRef, type JsonPath, type Obj, type PodContext } from './imports.js';

/** The container's securityContext, when it is an object. */
export function sc(c: ContainerRef): Obj | undefined {
  const v = c.container.securityContext;
  return isObj(v) ? v : undefined;
}

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

export function str(v: unknown): string {
  return typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v);
}

export function quoteList(values: readonly string[]): string {
  return values.map((v) => JSON.stringify(v)).join(', ');
}

export { isObj, asArray };
