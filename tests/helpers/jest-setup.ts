import { installRuntime } from '../../temporal/runtime';

// Keep test output readable: the worker's own INFO lines (state changes, bundling) and native-core warnings are noise here.
installRuntime('WARN', 'ERROR');
