/** Small helpers the catalogue topics share (model-wide ones live in src/model/podspec.ts). */
import { isObj, type KubeObject, type Obj, type Resource } from '../../model/index.js';

/** `Service "web"` for messages, or just the kind when the resource has no name. */
export function kindAndName(ctx: { kind: string; resource: Resource }): string {
  return ctx.resource.name ? `${ctx.kind} "${ctx.resource.name}"` : ctx.kind;
}

/** The object's spec, or {} when it is missing or not an object. */
export function specOf(object: KubeObject): Obj {
  return isObj(object.spec) ? object.spec : {};
}
