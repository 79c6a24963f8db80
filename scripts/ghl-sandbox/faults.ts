import { mulberry32 } from './prng';
import type { FaultKind, FaultSpec } from './types';

/**
 * Injected failures. Faults are checked in the order they were added; 'latency' faults add up and
 * let the request go on, the first other fault that fires decides the outcome and ends the scan
 * (so later faults neither draw from the PRNG nor spend their count).
 */

const KINDS: readonly FaultKind[] = ['429', '500', '502', '503', 'latency', 'timeout_after_write', 'network'];

interface ActiveFault {
  id: string;
  spec: FaultSpec;
  remaining: number | null;
}

export interface FaultDecision {
  fired: FaultSpec[];
  latencyMs: number;
  terminal?: FaultSpec;
}

export class FaultInjector {
  private faults: ActiveFault[] = [];
  private random: () => number;
  private nextId = 1;

  constructor(private readonly seed: number) {
    this.random = mulberry32(seed);
  }

  add(spec: FaultSpec): string {
    validate(spec);
    const id = `fault-${this.nextId++}`;
    this.faults.push({ id, spec: { ...spec }, remaining: spec.count ?? null });
    return id;
  }

  clear(): void {
    this.faults = [];
  }

  /** Back to the state of a new sandbox, PRNG included, so a reset run replays the same faults. */
  reset(): void {
    this.clear();
    this.random = mulberry32(this.seed);
    this.nextId = 1;
  }

  /**
   * `explicitOnly`: consider only faults whose match.path names this path; used for /oauth/token so
   * that a blanket "every request fails" fault does not also break token refresh.
   */
  decide(method: string, path: string, explicitOnly = false): FaultDecision {
    const decision: FaultDecision = { fired: [], latencyMs: 0 };
    for (const fault of [...this.faults]) {
      if (explicitOnly && fault.spec.match?.path === undefined) continue;
      if (!matches(fault.spec, method, path)) continue;
      if (fault.spec.rate !== undefined && this.random() >= fault.spec.rate) continue;
      if (fault.remaining !== null && --fault.remaining <= 0) this.faults = this.faults.filter((f) => f !== fault);
      decision.fired.push(fault.spec);
      if (fault.spec.kind === 'latency') {
        decision.latencyMs += fault.spec.latencyMs ?? 1000;
        continue;
      }
      decision.terminal = fault.spec;
      break;
    }
    return decision;
  }
}

function matches(spec: FaultSpec, method: string, path: string): boolean {
  const m = spec.match;
  if (m?.method && m.method.toUpperCase() !== method.toUpperCase()) return false;
  if (m?.path === undefined) return true;
  if (path.includes(m.path)) return true;
  try {
    return new RegExp(m.path).test(path);
  } catch {
    return false;
  }
}

function validate(spec: FaultSpec): void {
  if (!KINDS.includes(spec.kind)) throw new RangeError(`fault kind must be one of ${KINDS.join(', ')}`);
  if (spec.rate !== undefined && !(spec.rate >= 0 && spec.rate <= 1)) throw new RangeError('fault rate must be within 0..1');
  if (spec.count !== undefined && !(Number.isInteger(spec.count) && spec.count > 0)) {
    throw new RangeError('fault count must be a positive integer');
  }
  if (spec.latencyMs !== undefined && !(spec.latencyMs >= 0)) throw new RangeError('latencyMs must be >= 0');
}
