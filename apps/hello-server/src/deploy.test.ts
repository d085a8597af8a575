// The manifests in deploy/ and the Dockerfile keep the properties the platform relies on: digest-only
// images, a locked-down pod, and shutdown timings that agree with the service's config.
import { describeDeployment } from '@signet/service-kit/testing';
import { parseAllDocuments } from 'yaml';
import { loadConfig } from './config.js';

describeDeployment({
  appDir: new URL('../', import.meta.url),
  loadConfig,
  parseYaml: (text, file) =>
    parseAllDocuments(text).map((doc) => {
      if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors.map((e) => e.message).join('; ')}`);
      return doc.toJS() as unknown;
    }),
});
