import type { ImagePin } from '../images.js';
import type { KyvernoImages } from '../kyverno-values.js';

/** Image pins for unit tests: each digest is distinct so a test can tell which slot got which image. */
export function testPin(repository: string, n: number, registry = 'reg.example.org'): ImagePin {
  return { registry, repository, tag: 'v1.0.0', digest: `sha256:${n.toString(16).padStart(64, '0')}` };
}

export const KYVERNO_TEST_IMAGES: KyvernoImages = {
  admissionController: testPin('kyverno/kyverno', 1),
  admissionControllerInit: testPin('kyverno/kyvernopre', 2),
  backgroundController: testPin('kyverno/background-controller', 3),
  cleanupController: testPin('kyverno/cleanup-controller', 4),
  reportsController: testPin('kyverno/reports-controller', 5),
  cli: testPin('kyverno/kyverno-cli', 6),
  readinessChecker: testPin('kyverno/readiness-checker', 7),
};
