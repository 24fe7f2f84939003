// Module resolve hook: workspace packages resolve to their TypeScript sources ("threadline-source"
// export condition), so the CLI runs from a fresh clone without a build.
export async function resolve(specifier, context, nextResolve) {
  const conditions = context.conditions.includes('threadline-source')
    ? context.conditions
    : [...context.conditions, 'threadline-source'];
  return nextResolve(specifier, { ...context, conditions });
}
