import { describe, expect, it } from 'vitest';
import { BundleError } from '../src/bundle/errors.js';
import { UsageError } from '../src/errors.js';
import {
  createProcess,
  foreignOptionRefusal,
  heaviestFirst,
  inRegistryOrder,
  ownOptions,
  PROCESS_NAMES,
  processFromParams,
  processLabel,
  processModule,
  singularEndRefusal,
} from '../src/process/index.js';
import { Rng } from '../src/rng.js';

describe.each(PROCESS_NAMES.map((name) => [name]))('process module %s', (name) => {
  const module = processModule(name);

  it('describes every option, fills every default, and refuses unknown options', () => {
    for (const [key, schema] of Object.entries(module.options.shape)) expect(schema.description, key).toMatch(/\w/);
    expect(module.optionKeys.slice(-2)).toEqual(['tauMin', 'tauMax']);
    expect(Object.keys(module.defaults)).toEqual(module.optionKeys);
    expect(() => createProcess(name, { gamma: 1 } as never)).toThrow(/has no option gamma/);
  });

  it('records its options as snake_case parameters and reads them back (config.json and bundles)', () => {
    const path = createProcess(name, { tauMin: 0.01, tauMax: 0.9 });
    expect(Object.keys(path.params)).toEqual(module.optionKeys.map((k) => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)));
    const again = processFromParams(name, path.params, 'config.json');
    expect(again.params).toEqual(path.params);
    expect(again.coefficients(0.4)).toEqual(path.coefficients(0.4));
    expect(again.tauMax).toBe(0.9);
  });

  it('refuses recorded parameters it would ignore, miss or not understand, naming the file', () => {
    const params = createProcess(name).params;
    const needs = `process ${name} needs parameters ${Object.keys(params).join(', ')}`;
    expect(() => processFromParams(name, { ...params, gamma: 1 }, 'x.json', BundleError)).toThrow(
      new BundleError('x.json: process parameter gamma is not one this build knows'),
    );
    const { tau_max: _dropped, ...partial } = params;
    expect(() => processFromParams(name, partial, 'x.json')).toThrow(new UsageError(`x.json: ${needs}; found ${Object.keys(partial).join(', ')}`));
    expect(() => processFromParams(name, {}, 'x.json')).toThrow(`x.json: ${needs}; found none`);
    expect(() => processFromParams(name, { ...params, tau_min: -1 }, 'x.json')).toThrow(/^x\.json: process \S+ parameter tau_min -1 is invalid/);
  });

  it('publishes the closed forms of its path and SDE', () => {
    for (const key of ['path', 'sde', 'a', 'b', 'f', 'g2']) expect(module.formulas[key], key).toMatch(/\w/);
  });

  it('samples its prior as it describes it', () => {
    const path = createProcess(name);
    expect(path.priorDescription).toBe(module.prior.description);
    const x = path.samplePrior(4, 3, Rng.fromSeed(2));
    expect(x.length).toBe(12);
    if (path.priorLogDensity === null) expect(Array.from(x)).toEqual(new Array(12).fill(0));
    else expect(path.priorLogDensity(x, 3).every(Number.isFinite)).toBe(true);
  });
});

describe('process registry', () => {
  it('records VP and PBM exactly as before', () => {
    expect(JSON.stringify(createProcess('vp').params)).toBe('{"beta_min":0.1,"beta_max":20,"tau_min":0.001,"tau_max":1}');
    expect(JSON.stringify(createProcess('pbm').params)).toBe('{"sigma":1,"tau_min":0.001,"tau_max":0.999}');
    expect(PROCESS_NAMES.slice(0, 2)).toEqual(['vp', 'pbm']);
  });

  it('N(0, I) has log density -(d log 2 pi + |x|^2) / 2; the point 0 has none', () => {
    const vp = createProcess('vp');
    const density = vp.priorLogDensity!(Float64Array.from([0, 0, 3, 4]), 2);
    expect(density[0]).toBeCloseTo(-Math.log(2 * Math.PI), 14);
    expect(density[1]).toBeCloseTo(-Math.log(2 * Math.PI) - 12.5, 14);
    expect(createProcess('pbm').priorLogDensity).toBeNull();
    // The draw order of the VP prior is the stream's own.
    expect(Array.from(vp.samplePrior(2, 3, Rng.fromSeed(4)))).toEqual(Array.from(Rng.fromSeed(4).normals(6)));
  });

  it('refuses an option of another process, one line naming the flag, the value and who has it', () => {
    expect(foreignOptionRefusal('vp', { sigma: 2, steps: 10 })).toBe('--sigma 2: does not apply to --process vp (PBM only)');
    expect(foreignOptionRefusal('pbm', { betaMin: undefined, betaMax: 5 })).toBe('--beta-max 5: does not apply to --process pbm (VP and sub-VP only)');
    expect(foreignOptionRefusal('pbm', { sigma: 2, tauMax: 0.5, steps: 10 })).toBeNull();
    expect(ownOptions('pbm', { sigma: 2, betaMin: undefined, tauMax: 0.5, steps: 10 })).toEqual({ sigma: 2, tauMax: 0.5 });
  });

  it('refuses to start PBM at its singular end tau = 1', () => {
    expect(singularEndRefusal('pbm', 1)).toBe('--tau-max 1: PBM is singular at tau = 1; accepted: a number in (tau-min, 1)');
    expect(singularEndRefusal('pbm', 0.999)).toBeNull();
    expect(singularEndRefusal('vp', 1)).toBeNull();
  });

  it('orders processes for tables (registry order) and for the experiment (costliest to sample first)', () => {
    expect(inRegistryOrder(['other', 'pbm', 'vp'])).toEqual(['vp', 'pbm', 'other']);
    expect(heaviestFirst(['vp', 'pbm'])).toEqual(['pbm', 'vp']);
    expect(processLabel('pbm')).toBe('PBM');
    expect(processLabel('other')).toBe('other');
  });
});
