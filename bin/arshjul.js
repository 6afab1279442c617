#!/usr/bin/env node
// The coordinator's command line. TypeScript runs through tsx, so there is no build step to forget.
require('tsx/cjs');
require('../cli/main.ts')
  .main(process.argv)
  .then((code) => process.exit(code), (error) => {
    process.stderr.write(`${error}\n`);
    process.exit(1);
  });
