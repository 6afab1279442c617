import { DefaultLogger, Runtime } from '@temporalio/worker';

// Keep test output readable: the worker's own INFO lines (state changes, bundling) are noise here.
Runtime.install({ logger: new DefaultLogger('WARN') });
