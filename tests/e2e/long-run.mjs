// By hand: node tests/e2e/long-run.mjs [seconds]. Runs 1,000 agents at Max on
// the release dist/ until the page's record ceiling (or the time given) and
// prints audit records and the wasm module's memory every ten seconds: the
// figures behind the page's memory per record in BENCHMARKS.md.
import { serveDist, openConsole, wasmMemoryBytes, useFleetOf, auditRecordCount } from './support.mjs';

const seconds = Number(process.argv[2] ?? 200);
const server = await serveDist('/');
const { browser, page, errors } = await openConsole(server.url);
try {
  await useFleetOf(page, 1000);
  await page.getByTestId('sim-speed').selectOption('max');
  const count = () => auditRecordCount(page);
  let last = { records: await count(), bytes: await wasmMemoryBytes(page) };
  for (let t = 10; t <= seconds; t += 10) {
    await page.waitForTimeout(10_000);
    const now = { records: await count(), bytes: await wasmMemoryBytes(page) };
    const marginal = now.records > last.records ? Math.round((now.bytes - last.bytes) / (now.records - last.records)) : 0;
    console.log(`${t} s: ${now.records} records, wasm memory ${(now.bytes / 1e6).toFixed(0)} MB, ${Math.round(now.bytes / now.records)} bytes a record overall, ${marginal} marginal`);
    if (now.records === last.records) break;
    last = now;
  }
  console.log(errors.length ? `errors: ${errors.join('; ')}` : 'no page errors');
} finally {
  await browser.close();
  await server.close();
}
