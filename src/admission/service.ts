/**
 * The admission endpoints without HTTP: a request body in, a status code and body out, plus
 * what happened (for metrics and logs). The server routes; everything decided lives here.
 */
import { kubesecScanText, renderKubesec } from '../checks/kubesec/index.js';
import { podSpecOf, type KubeObject } from '../model/index.js';
import { reviewImages, type ImagePolicy } from './imagepolicy/index.js';
import { applyJsonPatch, hardeningPatch } from './mutate/index.js';
import { parseAdmissionReview, reviewResponse, type AdmissionDecision, type AdmissionRequest } from './review.js';
import { unreviewedOperation, type Reason, type Validator, type Verdict } from './validate.js';

export type Outcome = 'allowed' | 'denied' | 'warned' | 'patched' | 'skipped' | 'error' | 'bad-request';

export interface Answer {
  status: number;
  body: unknown;
  /** Raw text body (the kubesec endpoint), sent as is. */
  text?: string;
  outcome: Outcome;
  namespace?: string;
  reasons: Reason[];
  /** One line for the log when the request was refused as malformed. */
  problem?: string;
}

function outcomeOf(d: AdmissionDecision, skipped?: string): Outcome {
  if (skipped === 'error') return 'error';
  if (!d.allowed) return 'denied';
  if (d.patch && d.patch.length > 0) return 'patched';
  if (d.warnings && d.warnings.length > 0) return 'warned';
  return skipped ? 'skipped' : 'allowed';
}

function badRequest(reason: string): Answer {
  return { status: 400, body: { error: reason }, outcome: 'bad-request', reasons: [], problem: reason };
}

export class AdmissionService {
  constructor(
    readonly validator: Validator,
    private readonly imagePolicy: ImagePolicy = {},
  ) {}

  /** POST /validate */
  validate(body: unknown): Answer {
    const parsed = parseAdmissionReview(body);
    if (!parsed.ok) return badRequest(parsed.reason);
    const verdict = this.validator.validate(parsed.request);
    return this.answer(parsed.request, verdict);
  }

  /** POST /mutate: hardening defaults as a JSON Patch, each change named in a warning. */
  mutate(body: unknown): Answer {
    const parsed = parseAdmissionReview(body);
    if (!parsed.ok) return badRequest(parsed.reason);
    const req = parsed.request;
    let verdict: Verdict;
    try {
      verdict = this.harden(req);
    } catch (err) {
      verdict = this.validator.failure(`internal error: ${err instanceof Error ? err.message : String(err)}`);
      // A mutating webhook that cannot mutate should not block: the validating one still decides.
      verdict = { ...verdict, decision: { allowed: true, warnings: [`Palisade could not compute hardening defaults (${err instanceof Error ? err.message : String(err)}); nothing was changed`] } };
    }
    return this.answer(req, verdict);
  }

  private harden(req: AdmissionRequest): Verdict {
    const skip = (why: string): Verdict => ({ decision: { allowed: true }, reasons: [], skipped: why });
    const unreviewed = unreviewedOperation(req);
    if (unreviewed) return unreviewed;
    if (req.subResource !== undefined) return skip('subresource');
    const obj = req.object as KubeObject;
    const pod = podSpecOf(obj);
    if (!pod) return skip('kind');
    // A pod's spec cannot change after creation: a patch on update would be refused.
    if (req.kind.kind === 'Pod' && req.operation === 'UPDATE') return skip('pod update');
    if (this.validator.isExempt(req, pod)) return skip('exempt');
    const switches = this.validator.admission.mutate;
    const { patch, changes } = hardeningPatch(obj, switches);
    if (patch.length === 0) return skip('nothing to change');
    const warnings = changes.map((c) => `Palisade set ${c}`);
    // The object as it will be stored must still pass validation; say so now if it will not.
    const after = this.validator.validate({ ...req, object: applyJsonPatch(obj, patch) });
    if (!after.decision.allowed && after.decision.status) warnings.push(`even after these changes it will be denied: ${after.decision.status.message}`);
    return { decision: { allowed: true, patch, warnings }, reasons: [] };
  }

  /** POST /imagepolicy: an ImageReview answered in place. */
  imageReview(body: unknown): Answer {
    const r = reviewImages(body, this.imagePolicy);
    if ('error' in r) return badRequest(r.error);
    const status = r.review.status as { allowed: boolean; auditAnnotations?: unknown };
    const spec = r.review.spec as { namespace?: unknown };
    return {
      status: 200,
      body: r.review,
      outcome: status.allowed ? (status.auditAnnotations ? 'warned' : 'allowed') : 'denied',
      ...(typeof spec.namespace === 'string' && spec.namespace !== '' ? { namespace: spec.namespace } : {}),
      reasons: [],
    };
  }

  /** POST /scan: kubesec's API (raw YAML or JSON in, its JSON array out). */
  scan(text: string): Answer {
    const { results, errors } = kubesecScanText(text, 'API');
    if (errors.length > 0) {
      const e = errors[0];
      return badRequest(`${e.line ? `line ${e.line}: ` : ''}${e.message}`);
    }
    return { status: 200, body: undefined, text: renderKubesec(results), outcome: 'allowed', reasons: [] };
  }

  private answer(req: AdmissionRequest, verdict: Verdict): Answer {
    return {
      status: 200,
      body: reviewResponse(req.uid, verdict.decision),
      outcome: outcomeOf(verdict.decision, verdict.skipped),
      ...(req.namespace !== undefined ? { namespace: req.namespace } : {}),
      reasons: verdict.reasons,
    };
  }
}
