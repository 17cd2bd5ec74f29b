// The decision-path benchmark on the release build in Chromium: the page at
// `#bench` times the default and the permissive stream (the same work as
// `governance-bench`) in wasm and shows the figures, which this test prints.
// Figures, not a pass mark: it fails only on page errors or no result.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serveDist, openConsole } from './support.mjs';

test('the release wasm decides the benchmark streams in Chromium (figures, not a pass mark)', async () => {
  const server = await serveDist('/');
  const { browser, page, errors } = await openConsole(
    `${server.url}#bench`,
    undefined,
    'bench-result',
    120000,
  );
  try {
    const figures = await page.getByTestId('bench-result').textContent();
    for (const line of figures.split('\n')) console.log(`wasm ${line}`);
    assert.match(figures, /submit, default config +\d+ decisions\/s/);
    assert.match(figures, /submit, permissive config \(all policies run\) +\d+ decisions\/s/);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    await server.close();
  }
});
