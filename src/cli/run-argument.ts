// The run argument of profile, report and compare is resolved in the runs layer.
export { resolveRunDirectory,  } from '../runs/run-directory.js';
