// An operator watches the release build's fleet at speed: under the default
// configuration the runaway loop is refused again and again until the
// repeated-violations trigger halts it. The fleet panel shows that agent
// halted by the trigger while the others run, the triggers panel shows the
// firing, and the header counts the halted agent without the global banner.
// Screenshots land in artifacts/.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serveDist, openConsole, screenshot } from './support.mjs';

test('a trigger halts the runaway loop and the fleet shows it', async () => {
  const server = await serveDist('/');
  const { browser, page, errors } = await openConsole(server.url);
  try {
    await page.getByTestId('sim-speed').selectOption('100');
    const halted = page
      .locator("[data-testid='fleet-row'][data-agent^='runaway-loop']")
      .filter({ has: page.getByTestId('agent-halted-by').filter({ hasText: 'trigger: repeated violations' }) });
    // A few virtual minutes: well under a minute of real time at 100×.
    await halted.first().waitFor({ timeout: 60000 });
    const agent = await halted.first().getAttribute('data-agent');
    assert.equal(await halted.first().getByTestId('agent-status').textContent(), 'Halted');
    assert.match(await halted.first().getByTestId('agent-halted-by').textContent(), /^own switch \(trigger: repeated violations: \d+ refusals/);
    assert.equal(await halted.first().getByTestId('agent-halt').textContent(), 'Lift halt');

    // Only agents stopped by their own switch are halted: no global stop.
    assert.equal(await page.getByTestId('kill-switch-banner').count(), 0);
    const statuses = await page.getByTestId('agent-status').allTextContents();
    assert.ok(statuses.some((s) => s === 'Running'), statuses.join());
    assert.match(await page.getByTestId('kill-switch-scoped').textContent(), /agents? halted/);
    const item = page.locator(`[data-testid='kill-switch-item'][data-scope='agent ${agent}']`);
    assert.equal(await item.getByTestId('kill-switch-item-actor').textContent(), 'trigger: repeated violations');
    assert.match(await page.getByTestId('trigger-repeated-violations-fired').textContent(), /, agent [a-z-]+\d*: \d+ refusals/);

    await page.getByTestId('sim-play').click();
    await page.getByTestId('panel-fleet').scrollIntoViewIfNeeded();
    await screenshot(page, 'triggers-1-runaway-halted');
    await page.getByTestId('panel-fleet').screenshot({ path: new URL('./artifacts/triggers-2-fleet-panel.png', import.meta.url).pathname });
    await page.getByTestId('panel-triggers').screenshot({ path: new URL('./artifacts/triggers-3-triggers-panel.png', import.meta.url).pathname });

    // Lifting the halt from the fleet row lets the agent run again. The row
    // is the one read above: by now another runaway agent may be halted
    // too, higher in the table, and `halted.first()` would be that one.
    await page.locator(`[data-testid='fleet-row'][data-agent='${agent}']`).getByTestId('agent-halt').click();
    await page.waitForFunction(
      (name) => document.querySelector(`[data-testid='fleet-row'][data-agent='${name}'] [data-testid='agent-status']`).textContent !== 'Halted',
      agent,
    );
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    await server.close();
  }
});
