/** Small helpers the catalogue topics share (model-wide ones live in src/model/podspec.ts). */
import { isObj, type KubeObject, type Obj, type Resource } from '../../model/index.js';

/**
 * A function of an object (a resource, a container), computed once per object: several checks
 * read the same derived view (a Role's rules, a container's capabilities) of one resource.
 */
export function oncePerObject<K extends object, V>(compute: (key: K) => V): (key: K) => V {
  const cache = new WeakMap<K, V>();
  return (key) => {
    let value = cache.get(key);
    if (value === undefined) cache.set(key, (value = compute(key)));
    return value;
  };
}

/** `Service "web"` for messages, or just the kind when the resource has no name. */
export function kindAndName(ctx: { kind: string; resource: Resource }): string {
  return ctx.resource.name ? `${ctx.kind} "${ctx.resource.name}"` : ctx.kind;
}

/** The object's spec, or {} when it is missing or not an object. */
export function specOf(object: KubeObject): Obj {
  return isObj(object.spec) ? object.spec : {};
}
