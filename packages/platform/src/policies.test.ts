import { describe, expect, it } from 'vitest';
import { assertKeepsReferrers, buildLifecyclePolicy } from './ecr/lifecycle.js';

describe('ECR lifecycle policy', () => {
  it('keeps the newest tagged images and never selects untagged referrers', () => {
    const policy = buildLifecyclePolicy({ keepTaggedImages: 50 });
    expect(policy.rules).toHaveLength(1);
    expect(policy.rules[0]?.selection).toEqual({
      tagStatus: 'tagged',
      tagPatternList: ['*'],
      countType: 'imageCountMoreThan',
      countNumber: 50,
    });
    expect(policy.rules.every((rule) => rule.selection.tagStatus === 'tagged')).toBe(true);
  });

  it('rejects counts ECR does not accept', () => {
    expect(() => buildLifecyclePolicy({ keepTaggedImages: 0 })).toThrow(
      'keepTaggedImages has value 0; allowed: an integer from 1 to 10000',
    );
    expect(() => buildLifecyclePolicy({ keepTaggedImages: 2.5 })).toThrow('keepTaggedImages has value 2.5');
  });

  it('refuses a rule that could expire signatures or SBOMs', () => {
    expect(() =>
      assertKeepsReferrers({
        rules: [
          {
            rulePriority: 2,
            description: 'x',
            selection: {
              tagStatus: 'untagged',
              countType: 'sinceImagePushed',
              countUnit: 'days',
              countNumber: 1,
            },
            action: { type: 'expire' },
          },
        ],
      }),
    ).toThrow(
      'lifecycle rule 2 selects tagStatus "untagged"; allowed: "tagged" only, so signatures and SBOMs (untagged referrers) are never expired',
    );
  });
});
