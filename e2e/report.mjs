// The report every e2e client prints: the checks it made, in order, and on
// the first that fails, its name and what was seen, printed at once with
// exit status 1. e2e_test.go reads it (clientReport).
export function newReport(mode) {
  const report = { mode, checks: [] };
  const check = (name, ok, detail) => {
    report.checks.push({ name, ok: !!ok });
    if (!ok) {
      report.failed = name;
      report.detail = detail;
      console.log(JSON.stringify(report, null, 2));
      process.exit(1);
    }
  };
  const env = (name) => {
    const v = process.env[name];
    if (!v) throw new Error(`set ${name}`);
    return v;
  };
  return { report, check, env };
}
