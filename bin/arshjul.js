#!/usr/bin/env node
// The coordinator's command line. TypeScript runs through tsx, so there is no build step to forget.
require('tsx/cjs');

// Exit only once stdout and stderr are flushed: with a pipe, writes are asynchronous and a bare process.exit()
// would cut off a long `--json` document.
function exitAfterFlush(code) {
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
}

require('../cli/main.ts')
  .main(process.argv)
  .then(exitAfterFlush, (error) => {
    process.stderr.write(`${error}\n`);
    exitAfterFlush(1);
  });
