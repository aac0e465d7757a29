// Runs a TypeScript entry point (argv[2]) in this process, compiled on load by @swc/core with the
// options jest uses, so tests can start a deployable as a real child process without a build.
const fs = require('node:fs');
const path = require('node:path');
const { transformSync } = require('@swc/core');

require.extensions['.ts'] = (module, filename) => {
  const { code } = transformSync(fs.readFileSync(filename, 'utf8'), {
    filename,
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
    },
    module: { type: 'commonjs' },
    sourceMaps: 'inline',
  });
  module._compile(code, filename);
};

// The entry point sees its arguments where it would when run directly: argv[1] is itself.
process.argv.splice(1, 1);
require(path.resolve(process.argv[1]));
