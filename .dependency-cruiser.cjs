// The dependency rules of ARCHITECTURE.md, checked by `npm run deps` (and CI). A rule broken by an
// import fails the build with the rule's name and the offending import.
const PLUGINS = '(model|training|validation|drift)';
const ADAPTERS = '(express|koa|winston|pino|otel)';
const FRAMEWORKS_AND_LOGGERS =
  '(express|koa|@koa|winston|pino|pino-http|@opentelemetry/sdk-node|@opentelemetry/instrumentation-http)';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'plugins-depend-only-on-core',
      comment: 'ML plugins meet only in core: a plugin never imports another plugin or an adapter.',
      severity: 'error',
      from: { path: `^packages/${PLUGINS}/src/` },
      to: { path: '^packages/([^/]+)/', pathNot: ['^packages/core/', '^packages/$1/'] },
    },
    {
      name: 'core-knows-no-package',
      comment: 'core knows no adapter, logger or plugin of ours.',
      severity: 'error',
      from: { path: '^packages/core/src/' },
      to: { path: '^packages/', pathNot: '^packages/core/' },
    },
    {
      name: 'core-knows-no-framework-or-logger',
      comment: 'core knows no framework, logger or OpenTelemetry SDK: adapters bring those.',
      severity: 'error',
      from: { path: '^packages/core/src/' },
      to: { path: [`^node_modules/${FRAMEWORKS_AND_LOGGERS}/`, `^${FRAMEWORKS_AND_LOGGERS}$`] },
    },
    {
      name: 'adapters-know-no-plugin',
      comment: 'adapters (frameworks, loggers, OpenTelemetry) know no ML plugin.',
      severity: 'error',
      from: { path: `^packages/${ADAPTERS}/src/` },
      to: { path: `^packages/${PLUGINS}/` },
    },
    {
      name: 'packages-never-import-examples-or-bench',
      comment: 'published code and its tests never reach into examples/ or bench/.',
      severity: 'error',
      from: { path: '^packages/' },
      to: { path: '^(examples|bench)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)dist/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    combinedDependencies: true,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['threadline-source', 'types', 'import', 'require', 'node', 'default'],
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.d.ts', '.json'],
    },
  },
};
