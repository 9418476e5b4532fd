// The dependencies that must never exist (ARCHITECTURE.md, "Dependency rules"), checked by
// `npm run lint` on every run of CI. Each rule names the layer it protects and why.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      comment:
        'src/domain/ holds the rules and shapes everything else builds on: it imports no other layer of the hub, no connector, workflow or fixture, and no framework or driver.',
      severity: 'error',
      from: { path: '^src/domain/' },
      to: {
        pathNot: '^src/domain/',
        path: ['^src/', '^connectors/', '^workflows/', '^fixtures/', '^test/', '^bench/', 'node_modules/(hono|@hono|bullmq|ioredis|@mikro-orm|kysely|pg|pg-[^/]+|axios|undici|pino|prom-client|p-retry|cockatiel)/'],
      },
    },
    {
      name: 'persistence-is-infrastructure',
      comment:
        'src/persistence/ is infrastructure only (the ORM set-up, entities, migrations, the query helpers bound-query.ts and micro-batch.ts): it imports no capability folder (catalog, orders, supplier-events, mall-webhooks, malls, audit, board), nothing of the edge or the processes (http, queues, roles) and no workflow. A store or service goes to the capability that owns its tables.',
      severity: 'error',
      from: { path: '^src/persistence/' },
      to: { path: ['^src/(catalog|orders|aftersales|suppliers|supplier-events|mall-webhooks|malls|audit|board|http|queues|roles)/', '^workflows/'] },
    },
    {
      name: 'connectors-know-suppliers-not-the-hub',
      comment:
        'A connector speaks its supplier and returns neutral shapes: of the hub it may import only those shapes and the province list (src/domain/supplier-shapes.ts, src/domain/provinces.ts), never orders, persistence, queues or workflows.',
      severity: 'error',
      from: { path: '^connectors/', pathNot: '^connectors/sandbox/' },
      to: { path: ['^src/', '^workflows/', '^fixtures/', '^test/', '^bench/'], pathNot: ['^src/domain/supplier-shapes\\.ts$', '^src/domain/provinces\\.ts$'] },
    },
    {
      name: 'sandbox-only-in-its-role',
      comment:
        'The simulated suppliers and the fixtures they are generated from are not part of the hub: only the sandbox role (src/roles/sandbox.ts) starts them; no service, route, workflow or real connector may reach them.',
      severity: 'error',
      from: { path: ['^src/', '^workflows/', '^connectors/'], pathNot: ['^src/roles/sandbox\\.ts$', '^connectors/sandbox/'] },
      to: { path: ['^connectors/sandbox/', '^fixtures/'] },
    },
    {
      name: 'workflows-not-on-the-edge',
      comment: 'Workflows run in workers: they never import the HTTP edge or the queue processors that call them.',
      severity: 'error',
      from: { path: '^workflows/' },
      to: { path: ['^src/http/', '^src/queues/', '^src/app\\.ts$', '^src/main\\.ts$'] },
    },
    {
      name: 'engine-store-is-private',
      comment:
        'Only the workflow engine reads and writes workflow_run and workflow_step (workflows/engine/store.ts); everything else creates, holds, cancels, replays and lists runs through its API (workflows/engine/index.ts). A test scans the tree for SQL on those tables elsewhere.',
      severity: 'error',
      from: { pathNot: '^workflows/engine/' },
      to: { path: '^workflows/engine/store\\.ts$' },
    },
    {
      name: 'engine-through-its-api',
      comment: 'Outside workflows/, the engine is used through workflows/engine/index.ts only, so its internals (runner, compensation, hold, store) can change without touching callers.',
      severity: 'error',
      from: { path: ['^src/', '^bench/', '^connectors/'] },
      to: { path: '^workflows/engine/', pathNot: '^workflows/engine/index\\.ts$' },
    },
    {
      name: 'job-ids-through-enqueue',
      comment: 'Each kind of work gets its job id (what makes a repeat the same job) in one place: only the typed enqueue functions (src/queues/enqueue.ts) read src/queues/job-ids.ts.',
      severity: 'error',
      from: { pathNot: ['^src/queues/enqueue\\.ts$', '^src/queues/job-ids\\.ts$'] },
      to: { path: '^src/queues/job-ids\\.ts$' },
    },
    {
      name: 'console-through-the-admin-api',
      comment:
        'The support console (src/console/) is a client of the admin HTTP API like any other: it reads and acts only through requests to the hub (app.request with the signed-in session), so roles, validation, audit and error answers apply to it as to anyone. It imports no store, service, queue or workflow; types from src/domain and the generated client (clients/typescript) are fine.',
      severity: 'error',
      from: { path: '^src/console/' },
      to: {
        path: [
          '^src/(persistence|orders|aftersales|catalog|malls|audit|supplier-events|mall-webhooks|suppliers|queues|board|redis|roles|http)/',
          '^src/(deps|workflow-runner|app|main|suppliers)\\.ts$',
          '^workflows/',
          '^connectors/',
          'node_modules/(@mikro-orm|bullmq|ioredis|pg|kysely)/',
        ],
      },
    },
    {
      name: 'no-circular-in-the-hub',
      comment: 'A cycle between modules of the hub (or of its benchmarks) means two of them are one concern split in two, or a layer rule bent.',
      severity: 'error',
      from: { path: ['^src/', '^connectors/', '^workflows/', '^bench/'] },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(\\.tools|bench/results)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'], extensions: ['.ts', '.js', '.mjs', '.cjs', '.json'] },
  },
};
