// The release build loads in a real browser without errors and shows the shell.
// This is what catches release-only breakage such as an incompatible wasm-opt.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serveDist, openConsole, screenshot } from './support.mjs';

const panels = [
  'panel-kill-switch',
  'panel-fleet',
  'panel-inbox',
  'panel-policies',
  'panel-charts',
  'panel-audit',
  'panel-triggers',
  'panel-risk',
];

for (const basePath of ['/', '/tools/governance/']) {
  test(`the release build renders the console without errors under ${basePath}`, async () => {
    const server = await serveDist(basePath);
    const { browser, page, errors } = await openConsole(server.url);
    try {
      await assert.doesNotReject(page.getByRole('heading', { level: 1, name: 'Agent Governance Console' }).waitFor());
      for (const panel of panels) {
        assert.equal(await page.getByTestId(panel).count(), 1, `${panel} is rendered once`);
      }
      await page.waitForTimeout(500);
      if (basePath === '/') await screenshot(page, 'shell');
      assert.deepEqual(errors, []);
    } finally {
      await browser.close();
      await server.close();
    }
  });
}
