import { busyPercent, ownerOf, topFrames, type CpuProfile } from './cpu-profile';

const profile: CpuProfile = {
  nodes: [
    { id: 1, callFrame: { functionName: '(root)', url: '', lineNumber: -1 } },
    { id: 2, callFrame: { functionName: '(idle)', url: '', lineNumber: -1 } },
    {
      id: 3,
      callFrame: { functionName: 'parse', url: 'file:///r/node_modules/graphql/language/parser.js', lineNumber: 9 },
    },
    {
      id: 4,
      callFrame: { functionName: 'insertMany', url: 'file:///r/node_modules/mongoose/lib/model.js', lineNumber: 99 },
    },
    {
      id: 5,
      callFrame: { functionName: 'derive', url: 'file:///r/dist/processor/signal-derivation.js', lineNumber: 0 },
    },
  ],
  samples: [2, 2, 3, 3, 3, 4, 5, 5],
};

describe('cpu profile summary', () => {
  it('ranks frames by self samples, leaving idle out', () => {
    expect(topFrames(profile, 2)).toEqual([
      { frame: 'parse graphql:10', selfPercent: 50 },
      { frame: 'derive processor/signal-derivation.js:1', selfPercent: 33.3 },
    ]);
  });

  it('groups frames by the package or project file owning them', () => {
    expect(topFrames(profile, 3, 'owner').map((frame) => frame.frame)).toEqual([
      'graphql',
      'processor/signal-derivation.js',
      'mongoose',
    ]);
  });

  it('reports the busy share of the samples', () => {
    expect(busyPercent(profile)).toBe(75);
  });

  it('names scoped packages and node core', () => {
    expect(ownerOf('file:///x/node_modules/@apollo/server/dist/a.js')).toBe('@apollo/server');
    expect(ownerOf('node:internal/streams')).toBe('node core');
    expect(ownerOf('')).toBe('(native/V8)');
  });
});
