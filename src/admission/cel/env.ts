/**
 * A CEL environment as Kubernetes configures it (k8s.io/apiserver/pkg/cel/environment,
 * the newest version's feature set), with declared variables. `compile` parses, checks and
 * builds closures once; the resulting program is evaluated many times.
 */
import { check } from './check.js';
import { compileNode, type Eval, type Frame } from './interpret.js';
import { registerAuthz } from './lib/authz.js';
import { registerCore } from './lib/core.js';
import { registerFormat } from './lib/format.js';
import { registerLists } from './lib/lists.js';
import { registerNet } from './lib/net.js';
import { registerOptional } from './lib/optional.js';
import { registerQuantity } from './lib/quantity.js';
import { registerRegex } from './lib/regex.js';
import { registerSemver } from './lib/semver.js';
import { registerStrings } from './lib/strings.js';
import { registerUrls } from './lib/urls.js';
import { CelSyntaxError, formatIssue, parseCel } from './parse.js';
import { Registry } from './registry.js';
import { T, formatType, type CelT } from './types.js';
import { CelEvalError, type Value } from './values.js';

/** cel-go's per-expression cost limit in Kubernetes (k8s.io/apiserver/pkg/apis/cel/config.go PerCallLimit). */
export const PER_CALL_LIMIT = 1_000_000;

let defaultRegistry: Registry | undefined;

/** Every library Kubernetes enables, registered once per process. */
export function kubernetesRegistry(): Registry {
  if (defaultRegistry !== undefined) return defaultRegistry;
  const reg = new Registry();
  registerCore(reg);
  registerStrings(reg);
  registerLists(reg);
  registerRegex(reg);
  registerUrls(reg);
  registerQuantity(reg);
  registerNet(reg);
  registerFormat(reg);
  registerSemver(reg);
  registerOptional(reg);
  registerAuthz(reg);
  defaultRegistry = reg;
  return reg;
}

/** Identifiers that are types. */
const TYPE_NAMES = new Set([
  'int', 'uint', 'double', 'bool', 'string', 'bytes', 'list', 'map', 'null_type', 'type',
  'google.protobuf.Timestamp', 'google.protobuf.Duration', 'optional_type',
  'net.IP', 'net.CIDR', 'kubernetes.Quantity', 'kubernetes.URL', 'kubernetes.Semver', 'kubernetes.NamedFormat',
]);

export class CelCompileError extends Error {}

export interface CelEnvOptions {
  /** Declared variables and their static types (`dyn` when unknown). */
  variables: Record<string, CelT>;
  /**
   * A struct-typed variable whose fields are evaluated lazily and at most once per
   * evaluation (Kubernetes' `variables`): name and field types in declaration order.
   */
  lazy?: { name: string; fields: [string, CelT][] };
  /**
   * Variables that keep their position in the activation but are not visible to
   * expressions (Kubernetes hides `authorizer` from messageExpression, `params` from
   * policies without paramKind), so several environments can share one activation.
   */
  hidden?: string[];
}

export interface EvalOptions {
  /** Values of the declared variables, by name (missing ones are null). */
  vars: Record<string, Value> | Value[];
  /** Composited variable values, evaluated on first use (see CelEnvOptions.lazy). */
  lazy?: (index: number) => Value;
  /** Cost units this evaluation may use (default PER_CALL_LIMIT). */
  limit?: number;
}

export interface EvalResult {
  value: Value;
  cost: number;
}

export class CelProgram {
  constructor(
    readonly expression: string,
    /** The checked result type. */
    readonly type: CelT,
    private readonly run: Eval,
    private readonly localSlots: number,
    private readonly env: CelEnv,
  ) {}

  /** Evaluates; the value is a CelEvalError when evaluation fails (never throws for CEL errors). */
  evaluate(opts: EvalOptions): EvalResult {
    const f: Frame = {
      vars: Array.isArray(opts.vars) ? opts.vars : this.env.orderVars(opts.vars),
      locals: new Array(this.localSlots),
      lazy: opts.lazy,
      cost: 0,
      limit: opts.limit ?? PER_CALL_LIMIT,
    };
    let value: Value;
    try {
      value = this.run(f);
    } catch (err) {
      // A bug or a stack overflow on hostile nesting: still an error value, never a crash.
      value = new CelEvalError(err instanceof RangeError ? 'expression too deeply nested to evaluate' : `internal error: ${String(err)}`);
    }
    return { value, cost: f.cost };
  }

  /** Shorthand: the value only. */
  eval(vars: Record<string, Value> = {}): Value {
    return this.evaluate({ vars }).value;
  }
}

export class CelEnv {
  readonly registry: Registry;
  private readonly names: string[];
  private readonly types: Map<string, CelT>;
  private readonly lazy: CelEnvOptions['lazy'];
  private readonly hidden: readonly string[];

  private readonly declared: Record<string, CelT>;

  constructor(opts: CelEnvOptions, registry: Registry = kubernetesRegistry()) {
    this.registry = registry;
    this.declared = { ...opts.variables };
    this.names = Object.keys(opts.variables);
    this.types = new Map(Object.entries(opts.variables));
    this.hidden = opts.hidden ?? [];
    for (const h of this.hidden) this.types.delete(h);
    this.lazy = opts.lazy;
    if (this.lazy !== undefined) {
      this.types.set(this.lazy.name, T.struct(this.lazy.name, Object.fromEntries(this.lazy.fields)));
    }
  }

  /** Positional variable values for a record (declaration order). */
  orderVars(vars: Record<string, Value>): Value[] {
    return this.names.map((n) => (Object.prototype.hasOwnProperty.call(vars, n) ? vars[n] : null));
  }

  get variableNames(): readonly string[] {
    return this.names;
  }

  /** A copy of this environment with different lazy variables and hidden names (same activation layout). */
  with(change: { lazy?: CelEnvOptions['lazy']; hidden?: string[] }): CelEnv {
    return new CelEnv({
      variables: this.declared,
      lazy: 'lazy' in change ? change.lazy : this.lazy,
      hidden: change.hidden ?? [...this.hidden],
    }, this.registry);
  }


  /**
   * Parses, checks and compiles. Throws CelCompileError with cel-go style messages (one per
   * issue, each pointing into the expression). `expect` checks the result type (Kubernetes
   * requires bool for validations, string or null for audit annotation values).
   */
  compile(expression: string, expect?: { types: CelT[]; what: string }): CelProgram {
    try {
      return this.compileUnguarded(expression, expect);
    } catch (err) {
      if (err instanceof CelCompileError) throw err;
      if (err instanceof CelSyntaxError) throw new CelCompileError(err.message);
      // Hostile nesting overflows the parser's or the checker's recursion: refuse, never crash.
      if (err instanceof RangeError) throw new CelCompileError(formatIssue(expression, 0, 'expression nests too deeply'));
      throw err;
    }
  }

  private compileUnguarded(expression: string, expect?: { types: CelT[]; what: string }): CelProgram {
    const root = parseCel(expression);
    const { checked, issues } = check(root, {
      vars: this.types,
      registry: this.registry,
      typeNames: TYPE_NAMES,
    });
    if (issues.length > 0) {
      throw new CelCompileError(issues.map((i) => formatIssue(expression, i.pos, i.message)).join('\n'));
    }
    if (expect !== undefined && checked.type.k !== 'dyn' && !expect.types.some((t) => formatType(t) === formatType(checked.type))) {
      throw new CelCompileError(`${expect.what}, found '${formatType(checked.type)}'`);
    }
    const varIndex = new Map(this.names.map((n, i) => [n, i]));
    const lazyVar = this.lazy !== undefined
      ? { name: this.lazy.name, fields: new Map(this.lazy.fields.map(([n], i) => [n, i])) }
      : undefined;
    const { run, locals } = compileNode(checked.node, { registry: this.registry, varIndex, lazyVar });
    return new CelProgram(expression, checked.type, run, locals, this);
  }
}
