import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { STAGE_ENVIRONMENT, STAGE_GENERATORS, STAGE_ORDER, Stage } from './catalog.js';
import { DEFAULT_TOOLS, awsSignerTrustStore } from './defaults.js';
import type { BuildspecInputs } from './inputs.js';
import type { Buildspec } from './model.js';
import { renderStage } from './render.js';
import { shellQuote } from './shell.js';
import { manifestsSha256 } from './stages/manifests.js';
import { BUILD_EXPORTS, cleanupPipelines, runPipeline } from './test/pipeline.js';

afterAll(cleanupPipelines);

const base: BuildspecInputs = {
  app: {
    name: 'hello-server',
    namespace: 'hello-server',
    manifestsPath: 'apps/hello-server/deploy',
    dockerfile: 'apps/hello-server/Dockerfile',
    buildContext: '.',
  },
  pipelineName: 'signet-dev-hello-server',
  tools: DEFAULT_TOOLS,
  toolsDirectory: '/usr/local/bin',
  vulnerabilityThreshold: 'high',
  rolloutTimeoutSeconds: 300,
  admissionPolicy: { name: 'signet-verify-images', requireEnforce: true },
  trustStore: awsSignerTrustStore(),
};

function commands(stage: Stage, inputs: BuildspecInputs = base): string {
  const spec = STAGE_GENERATORS[stage](inputs);
  return Object.values(spec.phases)
    .flatMap((p) => [...p.commands, ...(p.finally ?? [])])
    .join('\n');
}

const HOSTILE = [
  '$(touch pwned)',
  '`touch pwned`',
  "x'; touch pwned; '",
  'two words',
  'a"b',
  'x;touch pwned',
  '../escape',
];

describe('generator inputs', () => {
  it.each([
    [
      'app.name',
      { app: { ...base.app, name: 'Hello_Server' } },
      'key "app.name" has value "Hello_Server"; allowed: a DNS label',
    ],
    [
      'app.namespace',
      { app: { ...base.app, namespace: '' } },
      'key "app.namespace" has value ""; allowed: a DNS label',
    ],
    [
      'app.manifestsPath',
      { app: { ...base.app, manifestsPath: '/etc' } },
      'key "app.manifestsPath" has value "/etc"; allowed: a path relative to the workspace root',
    ],
    [
      'app.manifestsPath',
      { app: { ...base.app, manifestsPath: 'apps/../../etc' } },
      'key "app.manifestsPath" has value "apps/../../etc"; allowed: a path relative to the workspace root',
    ],
    [
      'tools.notation.sha256',
      { tools: { ...DEFAULT_TOOLS, notation: { ...DEFAULT_TOOLS.notation, sha256: 'abc' } } },
      'key "tools.notation.sha256" has value "abc"; allowed: the 64 lowercase hex digits',
    ],
    [
      'tools.kubectl.url',
      { tools: { ...DEFAULT_TOOLS, kubectl: { ...DEFAULT_TOOLS.kubectl, url: 'http://dl.k8s.io/kubectl' } } },
      'key "tools.kubectl.url" has value "http://dl.k8s.io/kubectl"; allowed: an https URL',
    ],
    [
      'vulnerabilityThreshold',
      { vulnerabilityThreshold: 'severe' },
      'key "vulnerabilityThreshold" has value "severe"; allowed: one of negligible, low, medium, high, critical',
    ],
    [
      'rolloutTimeoutSeconds',
      { rolloutTimeoutSeconds: 2.5 },
      'key "rolloutTimeoutSeconds" has value 2.5; allowed: a whole number of seconds from 10 to 3600',
    ],
    [
      'admissionPolicy.name',
      { admissionPolicy: { name: 'Verify Images', requireEnforce: true } },
      'key "admissionPolicy.name" has value "Verify Images"; allowed: a Kubernetes object name',
    ],
    [
      'toolsDirectory',
      { toolsDirectory: 'bin' },
      'key "toolsDirectory" has value "bin"; allowed: an absolute path',
    ],
    [
      'trustStore.certificates[0].pem',
      {
        trustStore: {
          name: 'aws-signer-ts',
          certificates: [{ fileName: 'root.crt', pem: 'not a certificate' }],
        },
      },
      'key "trustStore.certificates[0].pem" has value "not a certificate"; allowed: one PEM certificate',
    ],
    [
      'trustStore.certificates',
      { trustStore: { name: 'aws-signer-ts', certificates: [] } },
      'key "trustStore.certificates" has value []; allowed: at least one certificate',
    ],
  ])('rejects a bad %s in every stage, naming it', (_field, change, message) => {
    for (const stage of STAGE_ORDER) {
      expect(() => STAGE_GENERATORS[stage]({ ...base, ...change } as BuildspecInputs)).toThrow(message);
    }
  });

  it.each(HOSTILE)('rejects %j wherever an input reaches a command', (value) => {
    const cases: Partial<BuildspecInputs>[] = [
      { app: { ...base.app, name: value } },
      { app: { ...base.app, namespace: value } },
      { app: { ...base.app, manifestsPath: value } },
      { app: { ...base.app, dockerfile: value } },
      { app: { ...base.app, buildContext: value } },
      { admissionPolicy: { name: value, requireEnforce: true } },
      { toolsDirectory: `/opt/${value}` },
      { tools: { ...DEFAULT_TOOLS, syft: { ...DEFAULT_TOOLS.syft, url: `https://example.com/${value}` } } },
      { tools: { ...DEFAULT_TOOLS, grype: { ...DEFAULT_TOOLS.grype, version: value } } },
      { trustStore: { name: value, certificates: base.trustStore.certificates } },
    ];
    for (const change of cases) {
      expect(
        () => STAGE_GENERATORS[Stage.Build]({ ...base, ...change } as BuildspecInputs),
        JSON.stringify(change),
      ).toThrow(/^key "[^"]+" has value .*; allowed: /);
    }
  });

  it.each(HOSTILE)('quotes %j into one inert bash word', (value) => {
    const dir = mkdtempSync(join(tmpdir(), 'signet-quote-'));
    try {
      const run = spawnSync('bash', ['-c', `printf '%s' ${shellQuote(value)}`], {
        cwd: dir,
        encoding: 'utf8',
      });
      expect(run.stdout).toBe(value);
      expect(existsSync(join(dir, 'pwned'))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** What Build exports for a checkout holding `manifests`: their hash is what ApplicationDeployment checks. */
function exportsFor(manifests: Readonly<Record<string, string>>): Record<string, string> {
  return { ...BUILD_EXPORTS, MANIFESTS_SHA256: manifestsSha256(manifests) };
}

describe('deploy-time variables', () => {
  it('are checked at the start of each stage, exactly those of its contract', () => {
    for (const stage of STAGE_ORDER) {
      const spec = STAGE_GENERATORS[stage](base);
      const contract = STAGE_ENVIRONMENT[stage];
      const checked = [...contract.deployTime, ...contract.fromBuild, ...contract.codebuild];
      // The initiator check, then one check per variable of the contract, before anything else.
      const firstCommands = spec.phases.install?.commands.slice(0, 1 + checked.length).join('\n') ?? '';
      for (const name of checked) {
        expect(firstCommands, `${stage} checks ${name}`).toMatch(new RegExp(`\\$\\{${name}:-\\}`));
      }
      const used = new Set(
        [...commands(stage).matchAll(/\$\{?(SIGNET_[A-Z_]+|IMAGE_[A-Z_]+|SBOM_DIGEST)\b/g)].map((m) => m[1]),
      );
      const own = new Set<string>([
        ...contract.deployTime,
        ...contract.fromBuild,
        ...contract.exports,
        'SIGNET_VERIFIED',
        'SIGNET_SELECTOR',
        // Set by VerifyContainerSign itself, from the Pods it read, for the admission drill.
        'SIGNET_DRILL_POD',
        // Set by Build itself, from ECR's answer for the commit tag (a re-run reuses that digest).
        'SIGNET_EXISTING_DIGEST',
      ]);
      expect(
        [...used].filter((name) => name !== undefined && !own.has(name)),
        `${stage} reads only its contract`,
      ).toEqual([]);
    }
  });

  it('a hostile value fails the check with a message naming it, and never runs', async () => {
    const marker = join(tmpdir(), `signet-pwned-${process.pid}`);
    const result = await runPipeline(
      { env: { SIGNET_REPOSITORY_URI: `$(touch ${marker})` } },
      { stages: [Stage.Build] },
    );
    expect(result.stages.get(Stage.Build)?.succeeded).toBe(false);
    expect(result.log).toContain(
      `SIGNET_REPOSITORY_URI must be an ECR repository URI such as 123456789012.dkr.ecr.eu-west-1.amazonaws.com/hello-server, without tag or digest; got: '$(touch ${marker})'`,
    );
    expect(existsSync(marker)).toBe(false);
    expect(result.calls.filter((c) => c.tool === 'docker')).toEqual([]);
  }, 120_000);

  it('ApplicationDeployment refuses an IMAGE_URI of another repository', async () => {
    const result = await runPipeline(
      {},
      {
        stages: [Stage.ApplicationDeployment],
        exported: {
          ...BUILD_EXPORTS,
          IMAGE_URI: `123456789012.dkr.ecr.eu-west-1.amazonaws.com/other@${BUILD_EXPORTS['IMAGE_DIGEST']}`,
        },
      },
    );
    expect(result.stages.get(Stage.ApplicationDeployment)?.succeeded).toBe(false);
    expect(result.log).toContain(
      'IMAGE_URI must be 123456789012.dkr.ecr.eu-west-1.amazonaws.com/hello-server@sha256:',
    );
    expect(result.applied).toBe(false);
  }, 120_000);

  it('ApplicationSigning refuses a trust policy that is not strict', async () => {
    const permissive = JSON.stringify({
      version: '1.0',
      trustPolicies: [
        {
          name: 'x',
          registryScopes: ['*'],
          signatureVerification: { level: 'permissive' },
          trustStores: ['signingAuthority:aws-signer-ts'],
          trustedIdentities: ['*'],
        },
      ],
    });
    const result = await runPipeline(
      { env: { SIGNET_TRUST_POLICY: permissive } },
      { stages: [Stage.ApplicationSigning], exported: BUILD_EXPORTS },
    );
    expect(result.stages.get(Stage.ApplicationSigning)?.succeeded).toBe(false);
    expect(result.log).toContain(
      'SIGNET_TRUST_POLICY must be a Notation trust policy (JSON, version 1.0) whose every statement has level strict',
    );
    expect(result.log).not.toContain('Running command notation');
    expect(result.calls.filter((c) => c.tool === 'notation-plugin')).toEqual([]);
  }, 120_000);
});

describe('manifests', () => {
  const deployment = (image: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: hello-server
spec:
  selector:
    matchLabels:
      app: hello-server
  template:
    metadata:
      labels:
        app: hello-server
    spec:
      containers:
        - name: hello-server
          image: ${image}
        - name: proxy
          image: public.ecr.aws/envoy:v1.30
`;

  it('ApplicationDeployment refuses an image referenced by tag, before applying anything', async () => {
    const result = await runPipeline(
      {},
      {
        stages: [Stage.ApplicationDeployment],
        exported: exportsFor({ 'deployment.yaml': deployment('__SIGNET_IMAGE__') }),
        manifests: { 'deployment.yaml': deployment('__SIGNET_IMAGE__') },
      },
    );
    expect(result.stages.get(Stage.ApplicationDeployment)?.succeeded).toBe(false);
    expect(result.log).toContain('public.ecr.aws/envoy:v1.30\nThe images above are not referenced by digest');
    expect(result.applied).toBe(false);
  }, 120_000);

  it('ApplicationDeployment refuses manifests without the placeholder for the app image', async () => {
    const result = await runPipeline(
      {},
      {
        stages: [Stage.ApplicationDeployment],
        exported: exportsFor({
          'deployment.yaml': deployment('hello-server:latest').replace(/\n {8}- name: proxy\n.*\n$/, '\n'),
        }),
        manifests: {
          'deployment.yaml': deployment('hello-server:latest').replace(/\n {8}- name: proxy\n.*\n$/, '\n'),
        },
      },
    );
    expect(result.stages.get(Stage.ApplicationDeployment)?.succeeded).toBe(false);
    expect(result.log).toContain(
      'No container of the rendered manifests runs 123456789012.dkr.ecr.eu-west-1.amazonaws.com/hello-server@sha256:',
    );
    expect(result.applied).toBe(false);
  }, 120_000);
});

describe('rendered stages', () => {
  it('sign, verify and deploy by digest, never by tag', () => {
    const signing = commands(Stage.ApplicationSigning);
    expect(signing).toContain(
      `notation sign --plugin 'com.amazonaws.signer.notation.plugin' --id "$SIGNET_SIGNING_PROFILE_ARN" --user-metadata "io.signet.manifests.sha256=$MANIFESTS_SHA256" "$IMAGE_URI"`,
    );
    expect(signing).not.toMatch(/IMAGE_TAG/);
    expect(commands(Stage.ApplicationDeployment)).not.toMatch(/IMAGE_TAG/);
  });

  it('hands notation the ECR token through its variables, never notation login (which needs a credential store)', () => {
    const signing = commands(Stage.ApplicationSigning);
    expect(signing).toContain(
      'NOTATION_PASSWORD="$(aws ecr get-login-password --region "$AWS_REGION")" && export NOTATION_PASSWORD NOTATION_USERNAME=AWS',
    );
    expect(signing).not.toContain('notation login');
  });

  it('never pipes a download into a shell or unpacks it before its checksum is checked', () => {
    for (const stage of STAGE_ORDER) {
      const install = STAGE_GENERATORS[stage](base).phases.install?.commands ?? [];
      let downloads = 0;
      install.forEach((command, i) => {
        expect(command).not.toMatch(/curl[^\n]*\|/);
        const file = /--output ("\$HOME"\/'[^']+')/.exec(command)?.[1];
        if (file === undefined) return;
        // AWS's signature and public key of the plugin are checked by gpg (see the next test).
        if (/'[^']+\.(sig|key)'$/.test(file)) return;
        downloads += 1;
        expect(install[i + 1]).toMatch(
          new RegExp(
            `^printf '%s  %s\\\\n' '[0-9a-f]{64}' ${file.replace(/[$/.]/g, '\\$&')} \\| sha256sum --check --strict$`,
          ),
        );
        expect(install.slice(0, i + 1).join('\n')).not.toContain(`--file ${file}`);
      });
      expect(downloads, `${stage} downloads its tools`).toBeGreaterThan(0);
    }
  });

  it('renders the pins, threshold, timeout and policy inline, and uses bash', () => {
    const all = STAGE_ORDER.map((stage) =>
      renderStage(stage, { ...base, vulnerabilityThreshold: 'critical', rolloutTimeoutSeconds: 420 }),
    ).join('\n');
    for (const pin of Object.values(DEFAULT_TOOLS)) expect(all).toContain(pin.sha256);
    expect(all).toContain("--fail-on 'critical'");
    expect(all).toContain("--timeout '420s'");
    expect(all).toContain("kubectl get clusterpolicy 'signet-verify-images'");
    for (const stage of STAGE_ORDER)
      expect((parse(renderStage(stage, base)) as Buildspec).env?.shell).toBe('bash');
  });

  it('exports the digest-bearing variables from Build, or Promote where images are promoted, only', () => {
    for (const stage of [Stage.Build, Stage.Promote]) {
      expect(STAGE_GENERATORS[stage](base).env?.['exported-variables']).toEqual([
        'IMAGE_TAG',
        'IMAGE_DIGEST',
        'IMAGE_URI',
        'SBOM_DIGEST',
        'MANIFESTS_SHA256',
        'SCAN_SUMMARY',
      ]);
    }
    for (const stage of STAGE_ORDER.filter((s) => s !== Stage.Build && s !== Stage.Promote))
      expect(STAGE_GENERATORS[stage](base).env?.['exported-variables']).toBeUndefined();
  });
});
