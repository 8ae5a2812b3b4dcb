/** The pure part of `gitcanary adopt`: what Flagger adds is ignored, what differs is told. */
import { describe, expect, it } from 'vitest';
import { covers, flaggerNeutral, planAdoption } from '../../src/adopt/plan.js';

const source = {
  metadata: { labels: { app: 'web' } },
  spec: {
    containers: [{ name: 'web', image: 'web:2', envFrom: [{ configMapRef: { name: 'web-env' } }] }],
    volumes: [{ name: 'tls', secret: { secretName: 'web-tls' } }],
  },
};
const primary = (image: string, extra: Record<string, unknown> = {}) => ({
  spec: {
    template: {
      metadata: { labels: { app: 'web-primary' }, annotations: { 'flagger-id': 'x', ...extra } },
      spec: {
        containers: [
          {
            name: 'web',
            image,
            imagePullPolicy: 'Always',
            envFrom: [{ configMapRef: { name: 'web-env-primary' } }],
          },
        ],
        volumes: [{ name: 'tls', secret: { secretName: 'web-tls-primary', defaultMode: 420 } }],
        dnsPolicy: 'ClusterFirst',
      },
    },
  },
});
const base = {
  id: 'prod/web',
  sourceTemplate: source,
  sourceRevision: '0123456789abcdef',
  trackedConfigs: { 'configmap/web-env': 'aaaa' },
  force: false,
  now: new Date('2026-01-01T00:00:00Z'),
};
const canary = (phase: string) => ({ status: { phase, canaryWeight: phase === 'Progressing' ? 30 : 0 } });

describe('adoption plan', () => {
  it('ignores flagger-id, -primary label values and config copy names, and API defaults', () => {
    expect(covers(source, flaggerNeutral(primary('web:2').spec.template))).toBe(true);
    expect(covers(source, flaggerNeutral(primary('web:1').spec.template))).toBe(false);
    expect(covers({ a: [1] }, { a: [1, 2] })).toBe(false);
    expect(covers({ a: 1 }, { a: 1, b: 2 })).toBe(true);
  });

  it('a primary on the source template is promoted with gitcanary revision', () => {
    const p = planAdoption({ ...base, liveCanary: canary('Succeeded'), livePrimary: primary('web:2') });
    expect(p.outcome).toBe('promoted');
    if (p.outcome === 'refused') throw new Error(p.message);
    expect(p.status).toMatchObject({
      phase: 'Succeeded',
      lastAppliedSpec: '0123456789abcdef',
      lastPromotedSpec: '0123456789abcdef',
      trackedConfigs: { 'configmap/web-env': 'aaaa' },
    });
  });

  it('a primary on another template (an annotation a person added live too) is recorded as what is promoted', () => {
    for (const live of [primary('web:1'), primary('web:2', { 'team/owner': 'ops' })]) {
      const p = planAdoption({ ...base, liveCanary: canary('Initialized'), livePrimary: live });
      if (p.outcome !== 'primary-differs') throw new Error(`expected primary-differs, got ${p.outcome}`);
      expect(p.status.phase).toBe('Initialized');
      expect(p.status.lastPromotedSpec).toBe(p.status.lastAppliedSpec);
      expect(p.status.lastAppliedSpec).not.toBe(base.sourceRevision);
    }
  });

  it('refuses mid-run, unknown phases and a missing primary; --force takes the primary as promoted', () => {
    const mid = planAdoption({ ...base, liveCanary: canary('Progressing'), livePrimary: primary('web:1') });
    expect(mid).toMatchObject({ outcome: 'refused', message: expect.stringContaining('weight 30%') });
    expect(
      planAdoption({ ...base, liveCanary: canary('Terminating'), livePrimary: primary('web:1') }).outcome,
    ).toBe('refused');
    expect(planAdoption({ ...base, liveCanary: canary('Succeeded'), livePrimary: undefined }).outcome).toBe(
      'refused',
    );
    const forced = planAdoption({
      ...base,
      force: true,
      liveCanary: canary('Progressing'),
      livePrimary: primary('web:1'),
    });
    expect(forced).toMatchObject({
      outcome: 'primary-differs',
      status: { phase: 'Succeeded', canaryWeight: 0 },
    });
  });
});
