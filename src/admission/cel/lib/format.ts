/**
 * Kubernetes' format library (k8s.io/apiserver/pkg/cel/library/format.go): named string
 * formats as values. `format.dns1123Label().validate(s)` is optional.none() when `s` is
 * valid, else optional.of(list of messages); `format.named(name)` looks one up by name.
 */
import {
  isBase64, isDate, isDateTime, isQualifiedName, isUUID, isValidLabelValue, nameIsDNS1035Label, nameIsDNSLabel,
  nameIsDNSSubdomain, uriErrors,
} from '../go/validation.js';
import type { Registry } from '../registry.js';
import { T } from '../types.js';
import { Opaque, Optional } from '../values.js';

export class FormatValue extends Opaque {
  readonly typeName = 'kubernetes.NamedFormat';
  constructor(readonly name: string, readonly validate: (s: string) => string[]) {
    super();
  }
  equalTo(o: Opaque): boolean {
    return o instanceof FormatValue && o.name === this.name;
  }
}

const check = (ok: (s: string) => boolean, msg: string) => (s: string): string[] => (ok(s) ? [] : [msg]);

export const FORMATS: ReadonlyMap<string, FormatValue> = new Map(
  ([
    ['dns1123Label', 'DNS1123Label', (s: string) => nameIsDNSLabel(s, false)],
    ['dns1123Subdomain', 'DNS1123Subdomain', (s: string) => nameIsDNSSubdomain(s, false)],
    ['dns1035Label', 'DNS1035Label', (s: string) => nameIsDNS1035Label(s, false)],
    ['qualifiedName', 'QualifiedName', isQualifiedName],
    ['dns1123LabelPrefix', 'DNS1123LabelPrefix', (s: string) => nameIsDNSLabel(s, true)],
    ['dns1123SubdomainPrefix', 'DNS1123SubdomainPrefix', (s: string) => nameIsDNSSubdomain(s, true)],
    ['dns1035LabelPrefix', 'DNS1035LabelPrefix', (s: string) => nameIsDNS1035Label(s, true)],
    ['labelValue', 'LabelValue', isValidLabelValue],
    ['uri', 'URI', uriErrors],
    ['uuid', 'uuid', check(isUUID, 'does not match the UUID format')],
    ['byte', 'byte', check(isBase64, 'invalid base64')],
    ['date', 'date', check(isDate, 'invalid date')],
    ['datetime', 'datetime', check(isDateTime, 'invalid datetime')],
  ] as [string, string, (s: string) => string[]][]).map(([key, name, f]) => [key, new FormatValue(name, f)]),
);

const F = T.opaque('kubernetes.NamedFormat');

export function registerFormat(reg: Registry): void {
  reg.method('validate', F, [T.string], T.optional(T.list(T.string)), (f: FormatValue, s: string) => {
    const errs = f.validate(s);
    return errs.length === 0 ? Optional.NONE : Optional.of(errs);
  });
  reg.fn('format.named', [T.string], T.optional(F), (name: string) => {
    const f = FORMATS.get(name);
    return f ? Optional.of(f) : Optional.NONE;
  });
  for (const [key, f] of FORMATS) reg.fn(`format.${key}`, [], F, () => f);
}
