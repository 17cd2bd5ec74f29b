// A whole reviewer session against the release build: watch the fleet, handle
// escalations, edit a policy (with a mistake first), stop everything with the
// kill switch, and reload. Screenshots of each stage land in artifacts/.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serveDist, openConsole, screenshot, frameTimes, wasmMemoryBytes, useFleetOf, auditRecordCount } from './support.mjs';

async function textOf(page, testid) {
  return (await page.getByTestId(testid).first().textContent()) ?? '';
}

test('a reviewer session: escalations, a policy edit, the kill switch, a reload', async () => {
  const server = await serveDist('/');
  const { browser, page, errors } = await openConsole(server.url);
  try {
    // The fleet is live on arrival.
    const clockAtStart = await textOf(page, 'sim-clock');
    await page.waitForFunction(
      (before) => document.querySelector("[data-testid='sim-clock']").textContent !== before,
      clockAtStart,
    );
    await page.getByTestId('reviewer-name').fill('e2e-reviewer');
    await page.getByTestId('sim-speed').selectOption('10');
    await screenshot(page, 'journey-1-fleet');

    // Approve the first escalation.
    await page.getByTestId('inbox-item').first().waitFor({ timeout: 20000 });
    await screenshot(page, 'journey-2-inbox');
    // Paused while deciding, so the audit rows checked below stay in view.
    await page.getByTestId('sim-play').click();
    // Paused, the clock stands still (the page asks for no frames).
    await page.waitForTimeout(100);
    const pausedAt = await textOf(page, 'sim-clock');
    await page.waitForTimeout(500);
    assert.equal(await textOf(page, 'sim-clock'), pausedAt, 'the clock stands still while paused');
    await page.getByTestId('inbox-approve').first().click();
    // The audit trail follows the newest record: the resolution, with who made it.
    await page.getByTestId('audit-reason').filter({ hasText: '(e2e-reviewer)' }).first().waitFor();

    // Deny the next with a comment, by keyboard.
    await page.getByTestId('sim-play').click();
    // Playing again, the clock moves on.
    await page.waitForFunction(
      (before) => document.querySelector("[data-testid='sim-clock']").textContent !== before,
      pausedAt,
    );
    await page.getByTestId('inbox-item').first().waitFor({ timeout: 20000 });
    await page.getByTestId('sim-play').click();
    await page.getByTestId('inbox-comment').fill('no emails to all staff');
    await page.getByTestId('inbox-list').focus();
    await page.keyboard.press('d');
    await page.getByTestId('inbox-message').filter({ hasText: 'Denied' }).waitFor();
    // The denial's record opens to its comment.
    await page.getByTestId('audit-row').filter({ hasText: 'denied by reviewer (e2e-reviewer)' }).first().click();
    assert.match(await textOf(page, 'audit-detail'), /Comment: no emails to all staff/);
    await screenshot(page, 'journey-2b-audit-detail');
    await page.getByTestId('sim-play').click();

    // A policy edit with a mistake, then a good one: the system's daily
    // budget, in its own section.
    await page.locator("[data-testid='policy-section-budget'] > summary").click();
    await page.getByTestId('policy-budget-limit-budget').fill('-1');
    await page.getByTestId('policy-apply').click();
    await page.getByText('must not be negative').waitFor();
    await screenshot(page, 'journey-3-policy-error');
    assert.equal(await textOf(page, 'report-limit'), '$100.00');
    await page.getByTestId('policy-budget-limit-budget').fill('500');
    await page.getByTestId('policy-apply').click();
    await page.getByTestId('policy-status').waitFor();
    await page.waitForFunction(
      () => document.querySelector("[data-testid='report-limit']").textContent === '$500.00',
    );

    // Stop everything.
    await page.getByTestId('kill-switch-open').click();
    await page.getByTestId('kill-switch-reason').fill('end-to-end drill');
    await page.getByTestId('kill-switch-confirm').click();
    await page.getByTestId('kill-switch-banner').waitFor();
    const statuses = await page.getByTestId('agent-status').allTextContents();
    assert.ok(statuses.length > 0 && statuses.every((s) => s === 'Halted'), statuses.join());
    const spent = await textOf(page, 'report-total');
    await page.waitForTimeout(1500);
    assert.equal(await textOf(page, 'report-total'), spent, 'nothing executes while halted');
    await screenshot(page, 'journey-4-halted');

    // A narrow screen still shows the console.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForTimeout(300);
    await screenshot(page, 'journey-5-narrow');
    await page.setViewportSize({ width: 1280, height: 800 });

    // The setup survives a reload.
    await page.reload();
    await page.getByTestId('console').waitFor();
    assert.equal(await page.getByTestId('reviewer-name').inputValue(), 'e2e-reviewer');
    assert.equal(await page.getByTestId('policy-budget-limit-budget').inputValue(), '500');

    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    await server.close();
  }
});

test('frame times with 1,000 agents at 100× and maximum speed (figures, not a pass mark)', async () => {
  const server = await serveDist('/');
  const { browser, page, errors } = await openConsole(server.url);
  try {
    await useFleetOf(page, 1000);
    const recordCount = () => auditRecordCount(page);
    for (const speed of ['100', 'max']) {
      // Each speed starts from time zero, well below the page's record ceiling.
      await page.getByTestId('sim-reset').click();
      await page.getByTestId('sim-speed').selectOption(speed);
      const recordsBefore = await recordCount();
      const figures = await frameTimes(page, 5000);
      figures.records_per_second = ((await recordCount()) - recordsBefore) / figures.seconds;
      figures.heap_mb = await page.evaluate(() => (performance.memory ? performance.memory.usedJSHeapSize / 1e6 : null));
      const records = await recordCount();
      const wasmBytes = await wasmMemoryBytes(page);
      console.log(
        `1,000 agents at speed ${speed}: ${figures.frames} frames in ${figures.seconds.toFixed(1)} s, frame time p50 ${figures.p50.toFixed(1)} ms, ` +
          `p95 ${figures.p95.toFixed(1)} ms, max ${figures.max.toFixed(1)} ms; ` +
          `${Math.round(figures.records_per_second)} audit records/s; JS heap (wasm memory not included) ${figures.heap_mb?.toFixed(0)} MB; ` +
          `wasm memory ${(wasmBytes / 1e6).toFixed(0)} MB for ${records} records (${Math.round(wasmBytes / records)} bytes a record, everything included)`,
      );
    }
    await screenshot(page, 'perf-1000-agents');

    // Scrolling a long trail: at Max until it holds a million records (or 40
    // s pass), then pause and scroll the audit viewport through it.
    await page
      .waitForFunction(() => {
        const text = document.querySelector("[data-testid='audit-count']")?.textContent ?? '';
        return Number(text.split(' ')[0]) >= 1000000;
      }, null, { timeout: 40000, polling: 500 })
      .catch((error) => {
        // Fewer records on a slow machine: the figure says how many.
        if (error.name !== 'TimeoutError') throw error;
      });
    await page.getByTestId('sim-play').click();
    await page.getByTestId('audit-viewport').scrollIntoViewIfNeeded();
    const scrolling = await frameTimes(page, 3000, 'audit-viewport');
    scrolling.records = await recordCount();
    scrolling.rows = await page.getByTestId('audit-row').count();
    console.log(
      `scrolling ${scrolling.records} audit records for ${scrolling.seconds.toFixed(1)} s: ${scrolling.frames} frames, p50 ${scrolling.p50.toFixed(1)} ms, ` +
        `p95 ${scrolling.p95.toFixed(1)} ms, ${scrolling.rows} rows in the page`,
    );
    assert.ok(scrolling.rows < 60, 'only the rows in view are rendered');

    // After navigation: when the console's element is in the page (its
    // wasm loaded and mounted), counted from the start of navigating a new
    // page to it (its files come from 127.0.0.1). A new page each time: a
    // reload of the page above would first tear down its million records.
    await page.close();
    const loads = [];
    for (let i = 0; i < 3; i += 1) {
      const fresh = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      fresh.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
      await fresh.addInitScript(() => {
        new MutationObserver((_, observer) => {
          if (document.querySelector("[data-testid='console']")) {
            window.__consoleAt = performance.now();
            observer.disconnect();
          }
        }).observe(document, { childList: true, subtree: true });
      });
      await fresh.goto(server.url);
      await fresh.getByTestId('console').waitFor();
      loads.push(await fresh.evaluate(() => window.__consoleAt));
      await fresh.close();
    }
    console.log(`console in the page ${loads.map((ms) => ms.toFixed(0)).join(', ')} ms after navigation (three new pages)`);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    await server.close();
  }
});
