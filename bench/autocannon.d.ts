// autocannon ships no types; bench/load.ts describes the parts of its result it reads.
declare module 'autocannon' {
  const autocannon: (options: Record<string, unknown>) => import('node:events').EventEmitter;
  export default autocannon;
}
